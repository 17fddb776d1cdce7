"""The live loop: raw events in, engine actions out, nothing to do while the hand is still.

It waits (select) on the backend and on a control pipe until the next raw event or the tick
the engine asks for; with no deadline it blocks: no CPU while the hand is still. Events are
stamped with the monotonic time they are read, so a tick at time T has always seen every event
read before T — which makes a recording of the fed events replay to exactly the same actions.

Safety: whatever ends the loop (stop(), a signal, an exception) runs ``close``: the engine
releases its buttons, the actions go out, and the backend ungrabs. A filter that raises is
already dropped by the engine for pass-through; the loop reports it. If the engine falls behind
by more than ``max_behind_s``, filtering is switched off and that is reported too.
"""

from __future__ import annotations

import logging
import select
import socket
import time
from collections.abc import Callable

from ..engine import Engine
from ..events import Action, Event

log = logging.getLogger("steadyinput.live")


class LiveLoop:
    def __init__(self, engine: Engine, backend, clock: Callable[[], float] = time.monotonic,
                 record: Callable[[Event], None] | None = None,
                 on_actions: Callable[[list[Action]], None] | None = None,
                 on_fault: Callable[[str], None] | None = None, max_behind_s: float = 0.5) -> None:
        self.engine = engine
        self.backend = backend
        self._clock = clock
        self._t0 = clock()
        self.record = record
        self.on_actions = on_actions
        self.on_fault = on_fault or (lambda msg: log.warning(msg))
        self.max_behind_s = max_behind_s
        self._rd, self._wr = socket.socketpair()  # sockets: select() takes them on every OS
        self._wr.setblocking(False)
        self._stop = False
        self._reported = 0
        self._calls: list[Callable[[float], list[Action]]] = []
        self.events_seen = 0
        self.tap = None  # the live view's ring buffers (view.ring.Tap): O(1) per event, no lock

    def now(self) -> float:
        """Seconds since the loop started, to the µs: the resolution traces are written with, so a
        recorded session replays through exactly the times the live engine saw."""
        return round(self._clock() - self._t0, 6)

    # -- control from other threads or signal handlers --------------------------------------
    def stop(self) -> None:
        self._stop = True
        self._wake()

    def call(self, fn: Callable[[float], list[Action]]) -> None:
        """Run fn(now) inside the loop (e.g. engine.set_enabled); its actions are applied."""
        self._calls.append(fn)
        self._wake()

    def _wake(self) -> None:
        try:
            self._wr.send(b"x")
        except OSError:
            pass

    def swap_engine(self, engine: Engine) -> None:
        """Use a new engine (a new profile) from the next loop turn; the old one is closed and
        the new one is on or off as the old one was then (calls queued before this come first)."""
        def do(now: float) -> list[Action]:
            acts = self.engine.close(now)
            engine.enabled = self.engine.enabled
            self.engine = engine
            return acts
        self.call(do)

    # -- the loop -----------------------------------------------------------------------------
    def _apply(self, actions: list[Action]) -> None:
        if actions:
            self.backend.apply(actions)
            if self.on_actions:
                self.on_actions(actions)
            if self.tap is not None:
                self.tap.actions(actions)

    def run(self, on_started: Callable[[], None] | None = None) -> None:
        self.backend.start()
        try:
            if on_started:
                on_started()
            self._loop()
        finally:
            try:
                self._apply(self.engine.close(self.now()))
            finally:
                self.backend.stop()
                self._rd.close()
                self._wr.close()

    def _loop(self) -> None:
        fds = [self._rd]
        bfd = self.backend.fileno()
        if bfd is not None:
            fds.append(bfd)
        while not self._stop:
            deadline = self.engine.next_deadline()
            timeout = None
            if deadline is not None:
                timeout = max(0.0, deadline - self.now())
            if not self.backend.pending():
                ready, _, _ = select.select(fds, [], [], timeout)
                if self._rd in ready:
                    self._rd.recv(4096)
            while self._calls:
                self._apply(self._calls.pop(0)(self.now()))
            raw = self.backend.read()
            if raw is None:  # the input has ended for good
                break
            if raw:
                t = self.now()  # stamped when read: later than every tick already run
                for x, y, buttons in raw:
                    ev = Event(t, x, y, buttons)
                    self.events_seen += 1
                    if self.record:
                        self.record(ev)
                    if self.tap is not None:
                        self.tap.event(ev)
                    self._apply(self.engine.feed(ev))
            now = self.now()
            d = self.engine.next_deadline()
            if d is not None and now - d > self.max_behind_s and self.engine.enabled:
                self.on_fault(f"the engine fell {now - d:.2f} s behind: filtering switched off")
                self._apply(self.engine.set_enabled(now, False))
            self._apply(self.engine.advance(now))
            if len(self.engine.faults) > self._reported:
                for f in self.engine.faults[self._reported:]:
                    self.on_fault(f"filter error, pass-through until restarted: {f}")
                self._reported = len(self.engine.faults)
