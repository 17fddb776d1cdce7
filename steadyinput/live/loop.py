"""The live loop: raw events in, engine actions out, nothing to do while the hand is still.

It waits (select) on the backend and on a control pipe until the next raw event or the tick
the engine asks for; with no deadline it blocks: no CPU while the hand is still. Events are
stamped with the monotonic time they are read, so a tick at time T has always seen every event
read before T — which makes a recording of the fed events replay to exactly the same actions.

A backend that stamps its events itself (``read_timed``: the X server's time of each event, on
the same monotonic clock) is not read as each event comes while the engine ticks: the loop wakes
for the ticks only and reads everything waiting then, each event at its own time (never before
what the engine has already processed, ticks included, so a recording still replays exactly).
Motion shows at the next tick either way, so the cursor moves at the same moments; a button
waits for that tick too (at most 1/``tick_hz``, 5 ms at 200 Hz), at its own time in the engine.
At 1000 events/s that is about 200 wake-ups a second instead of 1200 (see README "Speed").
All the actions of one turn go to the backend together.

Safety: whatever ends the loop (stop(), a signal, an exception) runs ``close``: the engine
releases its buttons, the actions go out, and the backend ungrabs. A filter that raises is
already dropped by the engine for pass-through; the loop reports it. If the engine falls behind
by more than ``max_behind_s``, filtering is switched off and that is reported too.

Targets (issue 20): with a provider, each turn that read events tells it where the cursor is
shown, and then hands the engine the provider's newest target set, if there is one, stamped with
the loop's time then — after that turn's events, and every later event is stamped after it: the
order replay uses (a set is fed after every event with a time up to its own).
``record_targets`` gets every set as fed: a recording's sidecar then replays to the same actions.
The provider never blocks the loop (see :mod:`steadyinput.targets.provider`; one that is let go
is stopped on a thread of its own); one that raises is dropped with a warning.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections.abc import Callable

from ..engine import Engine
from ..events import Action, Event
from ..targets import TargetSet

log = logging.getLogger("steadyinput.live")


class LiveLoop:
    def __init__(self, engine: Engine, backend, clock: Callable[[], float] = time.monotonic,
                 record: Callable[[Event], None] | None = None,
                 on_actions: Callable[[list[Action]], None] | None = None,
                 on_fault: Callable[[str], None] | None = None, max_behind_s: float = 0.5,
                 targets=None, record_targets: Callable[[TargetSet], None] | None = None) -> None:
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
        self.targets = targets  # a TargetProvider or None
        self.record_targets = record_targets
        self.target_sets_fed = 0
        self._targets_t = -1.0  # loop time of the last target set fed
        self.tap = None  # the live view's ring buffers (view.ring.Tap): O(1) per event, no lock
        self._timed = False  # the backend's own event times are used (see the module doc)

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

    # -- targets ------------------------------------------------------------------------------
    def _take_targets(self) -> None:
        """Feed the provider's newest target set, if any, at the loop's time now."""
        try:
            got = self.targets.latest()
        except Exception as exc:
            self._drop_targets(exc)
            return
        if got is None:
            return
        ts = TargetSet(max(self.now(), self.engine.t), tuple(got.targets), got.source)  # never before an event
        self._targets_t = ts.t
        if self.record_targets:
            self.record_targets(ts)
        self.target_sets_fed += 1
        self._apply(self.engine.set_targets(ts))

    def _tell_targets(self, t: float) -> None:
        try:
            self.targets.point(t, self.engine.cx, self.engine.cy)
        except Exception as exc:
            self._drop_targets(exc)

    def attach_targets(self, provider) -> None:
        """Take target sets from ``provider`` from now on (call inside the loop: ``call``)."""
        self.targets = provider

    def detach_targets(self, now: float) -> list[Action]:
        """Stop the provider and tell the engine no target is known any more (inside the loop)."""
        provider, self.targets = self.targets, None
        if provider is not None:
            _stop_aside(provider)
        return self._forget_targets()

    def _forget_targets(self) -> list[Action]:
        if self.engine.targets is None or not self.engine.targets.targets:
            return []
        ts = TargetSet(max(self.now(), self.engine.t), (), "")
        self._targets_t = ts.t
        if self.record_targets:
            self.record_targets(ts)
        self.target_sets_fed += 1
        return self.engine.set_targets(ts)

    def _drop_targets(self, exc: Exception) -> None:
        provider, self.targets = self.targets, None
        self.on_fault(f"target provider failed, going on without targets: {type(exc).__name__}: {exc}")
        _stop_aside(provider)
        self._apply(self._forget_targets())  # none known from now on

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
        bfd = self.backend.fileno()
        quiet = [self._rd]  # while ticking with stamped events: woken for the ticks and calls only
        fds = quiet + [bfd] if bfd is not None else quiet
        # a backend that stamps each event with its own time on the loop's clock is read at the
        # ticks while the engine ticks (an event shows at the next tick anyway), not woken by each
        read_timed = getattr(self.backend, "read_timed", None) if self._clock is time.monotonic else None
        self._timed = read_timed is not None
        while not self._stop:
            deadline = self.engine.next_deadline()
            timeout = None
            if deadline is not None:
                timeout = max(0.0, deadline - self.now())
            batch = self._timed and deadline is not None
            look = True  # whether the backend may have something: not when select says it has not
            if not self.backend.pending():
                ready, _, _ = select.select(quiet if batch else fds, [], [], timeout)
                if self._rd in ready:
                    self._rd.recv(4096)
                look = batch or bfd is None or bfd in ready
            out: list[Action] = []  # this turn's actions, carried out together
            while self._calls:
                out += self._calls.pop(0)(self.now())
            if look:
                if self._timed:
                    raw = read_timed()
                    if raw:
                        self._feed_timed(raw, out)
                else:
                    raw = self.backend.read()
                    if raw:
                        self._feed(raw, out)
                if raw is None:  # the input has ended for good
                    self._apply(out)
                    break
            if self.targets is not None:
                self._apply(out)
                out = []
                self._take_targets()
            now = self.now()
            d = self.engine.next_deadline()
            if d is not None and now - d > self.max_behind_s and self.engine.enabled:
                self.on_fault(f"the engine fell {now - d:.2f} s behind: filtering switched off")
                out += self.engine.set_enabled(now, False)
            out += self.engine.advance(now)
            self._apply(out)
            if len(self.engine.faults) > self._reported:
                for f in self.engine.faults[self._reported:]:
                    self.on_fault(f"filter error, pass-through until restarted: {f}")
                self._reported = len(self.engine.faults)

    def _feed(self, raw: list, out: list[Action]) -> None:
        """Feed events read now, stamped with the time they were read."""
        t = self.now()  # stamped when read: later than every tick already run
        if t <= self._targets_t:  # and after the last target set (replay feeds sets after ties)
            t = round(self._targets_t + 1e-6, 6)
        self._feed_at([(t, x, y, b) for x, y, b in raw], out)

    def _feed_timed(self, raw: list, out: list[Action]) -> None:
        """Feed events stamped by the backend (s on the monotonic clock): each at its own time,
        but after everything the engine has already processed (ticks included) and after the
        last target set, so a recording of the fed events replays to the same actions. A time
        off the loop's clock (later than now, or more than 1 s old: a display on another
        machine) is replaced by the time of reading, and from then on the backend is no longer
        taken at its word (read whenever it has something, as without stamps)."""
        now = self.now()
        t0 = self._t0
        low = round(max(self.engine.t, self._targets_t) + 1e-6, 6)  # strictly after all fed so far
        stamped = []
        for ts, x, y, b in raw:
            t = round(ts - t0, 6)
            if not now - 1.0 <= t <= now + 0.002:
                if self._timed:
                    log.info("the backend's event times are not on this clock (%.3f s, now %.3f s): "
                             "events are stamped when read", t, now)
                self._timed = False
                t = now
            if t < low:
                t = low
            low = t
            stamped.append((t, x, y, b))
        self._feed_at(stamped, out)

    def _feed_at(self, stamped: list, out: list[Action]) -> None:
        feed = self.engine.feed_values
        watched = self.record is not None or self.tap is not None
        for t, x, y, buttons in stamped:
            self.events_seen += 1
            if watched:
                ev = Event(t, x, y, buttons)
                if self.record:
                    self.record(ev)
                if self.tap is not None:
                    self.tap.event(ev)
            feed(t, x, y, buttons, out)
        if self.targets is not None:
            self._tell_targets(stamped[-1][0])


def _stop_aside(provider) -> None:
    """Stop a provider on a thread of its own: its stop may wait (up to about a second) for a
    helper to end, which the pointer loop must not."""
    def stop() -> None:
        try:
            provider.stop()
        except Exception:
            log.debug("target provider stop failed", exc_info=True)
    threading.Thread(target=stop, name="targets-stop", daemon=True).start()
