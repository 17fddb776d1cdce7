"""A backend that plays a recorded trace into the live loop in real time (no display needed).

Like pynput's and pystray's dummy backends, it lets the live loop, the session, profile reload
and shutdown be exercised for real without a screen or a mouse: a thread hands the trace's
events to the loop at their recorded pace (``speed`` times faster), the actions the engine sends
to the "cursor" are kept in ``actions``. ``STEADYINPUT_TRACE=FILE`` makes it available to
``steadyinput run --backend trace``; when the trace is over it waits ``linger_s`` (the cursor
settles) and then reports the end of input, which ends the session (``linger_s < 0``: never).
Each event is stamped with the time it was played (``read_timed``), as the X server stamps its
events: the live loop then takes them at its ticks while the engine ticks.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence

from ..events import Action
from ..traces import read_trace
from . import Availability
from .queued import QueuedEvents

ENV = "STEADYINPUT_TRACE"


def available() -> Availability:
    path = os.environ.get(ENV)
    if not path:
        return Availability("trace", False, f"no trace to play ({ENV} is not set)",
                            f"{ENV}=FILE steadyinput run --backend trace --no-tray")
    if not os.path.isfile(path):
        return Availability("trace", False, f"{ENV}={path}: no such file")
    return Availability("trace", True, f"plays {path} in real time")


class Backend(QueuedEvents):
    name = "trace"
    rescue_display = None  # nothing real is held

    def __init__(self, path: str | None = None, devices: list[str] | None = None, speed: float = 1.0,
                 linger_s: float = 1.0, screens: list[tuple[int, int, int, int]] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """``clock``: what each played event is stamped with (s; the live loop takes stamps on
        ``time.monotonic``'s clock, and replaces others by the time it reads the event)."""
        super().__init__()
        self._clock = clock
        self.path = path or os.environ.get(ENV, "")
        self.trace = read_trace(self.path)
        self.speed, self.linger_s = speed, linger_s
        self._screens = screens or []
        self._over = threading.Event()  # played and lingered: the input has ended
        self.actions: list[Action] = []
        self.played = threading.Event()  # every event has been handed to the loop
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def screens(self) -> list[tuple[int, int, int, int]]:
        return list(self._screens)

    def steadied(self) -> list[str]:
        return [f"trace {os.path.basename(self.path)}"]

    def start(self) -> None:
        self._thread = threading.Thread(target=self._play, name="trace-player", daemon=True)
        self._thread.start()

    def _play(self) -> None:
        t0 = time.monotonic()
        first = float(self.trace.t[0])
        for t, x, y, b in zip(self.trace.t.tolist(), self.trace.x.tolist(), self.trace.y.tolist(),
                              self.trace.buttons.tolist()):
            if self._stop.wait(max(0.0, t0 + (t - first) / self.speed - time.monotonic())):
                return
            self.put((self._clock(), x, y, int(b)))
        self.played.set()
        if self.linger_s >= 0 and not self._stop.wait(self.linger_s):
            self._over.set()
            self.put(None)  # wakes the loop, which then reads the end

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self.close_events()

    def read(self) -> list[tuple[float, float, int]] | None:
        events = self.read_timed()
        return None if events is None else [(x, y, b) for _, x, y, b in events]

    def read_timed(self) -> list[tuple[float, float, float, int]] | None:
        """:meth:`read` with the time (s, ``clock``) each event was played."""
        events = [e for e in super().read() if e is not None]
        return None if self._over.is_set() and not events else events

    def apply(self, actions: Sequence[Action]) -> None:
        self.actions.extend(actions)
