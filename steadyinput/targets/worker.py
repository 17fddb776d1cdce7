"""The part every live target provider shares: a worker thread that queries around the cursor.

The pointer loop only ever stores the cursor position (:meth:`point`) and picks up the newest
answer (:meth:`latest`); both take a lock held for a few assignments, never across a query. The
worker (a daemon thread) asks the platform's accessibility API what is around the last point
it was told when the cursor has moved more than ``move_px`` or the answer is older than
``refresh_s`` — never sooner than ``min_interval_s`` after the last round, nor than
``idle_factor`` × its duration (an app that answers slowly is not kept busy answering). An answer is handed out only when it
differs from the last one handed out. When queries fail for longer than ``max_age_s`` (the bus
died, the app hangs) an empty set is handed out once, so no stale rectangle outlives its window,
and the worker reconnects every ``retry_s``. Nothing a query raises reaches the loop: it is
turned into the one-line :meth:`status`.

A platform provider subclasses :class:`WorkerProvider` and implements ``_connect`` (returns
a :class:`Querier`) and ``_explain`` (a failure, said plainly with how to fix it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from . import Target, TargetSet
from .provider import Answers

log = logging.getLogger("steadyinput.targets")


class Querier(Protocol):
    def query(self, x: float, y: float) -> tuple[Target, ...]:
        """The targets around (x, y) px, desktop coordinates; raises when the source is gone."""

    def close(self) -> None:
        """Let go of the connection; never raises."""


class Unavailable(Exception):
    """The source cannot be used now; the message says why and how to turn it on."""


class WorkerProvider(Answers):
    """A :class:`~steadyinput.targets.provider.TargetProvider` answering from a worker thread."""

    name = "worker"

    def __init__(self, *, move_px: float = 12.0, refresh_s: float = 0.5, min_interval_s: float = 0.03,
                 max_age_s: float = 1.5, retry_s: float = 3.0, idle_factor: float = 3.0,
                 clock: Callable[[], float] = time.monotonic,
                 on_status: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.move_px, self.refresh_s, self.min_interval_s = move_px, refresh_s, min_interval_s
        self.max_age_s, self.retry_s = max_age_s, retry_s
        self.idle_factor = idle_factor  # after a round of d s, wait idle_factor * d s (at most 1 s) before the next
        self.on_status = on_status  # told (from the worker) when the status changes from working to not
        self.on_change: Callable[[str, bool], None] | None = None  # told every status text, and whether working
        self.on_publish: Callable[[], None] | None = None  # told (from the worker) when a new set is ready
        self._clock = clock
        self._wake = threading.Event()
        self._stopping = False
        self._halt = threading.Event()  # set by stop: ends any rest at once
        self._thread: threading.Thread | None = None
        self._point: tuple[float, float, float] | None = None  # (t, x, y) last told
        self._handed: tuple[Target, ...] = ()  # the targets of the last set handed out (none yet)
        self._ok: bool | None = None
        self.rounds = 0
        self.round_s = 0.0  # duration of the last query round (s), for status and measurement

    # -- the contract (loop side: never blocks) -------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=f"targets-{self.name}", daemon=True)
        self._thread.start()

    def point(self, t: float, x: float, y: float) -> None:
        self._point = (t, x, y)  # one reference assignment: atomic, no lock needed
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._halt.set()
        self._wake.set()
        th = self._thread
        if th is not None and th is not threading.current_thread():
            th.join(0.5)  # a query stuck in a dead socket does not hold the session: the thread is a daemon

    # -- for subclasses -------------------------------------------------------------------------
    def _connect(self) -> Querier:
        raise NotImplementedError

    def _explain(self, exc: BaseException) -> str:
        return f"{type(exc).__name__}: {exc}"

    # -- the worker ----------------------------------------------------------------------------
    def _say(self, status: str, ok: bool) -> None:
        if status != self._status and self.on_change is not None:
            self.on_change(status, ok)
        self._status = status
        if ok != self._ok:
            self._ok = ok
            if self.on_status is not None:
                try:
                    self.on_status(status)
                except Exception:  # a caller's printing problem must not end the worker
                    log.debug("on_status failed", exc_info=True)

    def _publish(self, t: float, targets: tuple[Target, ...]) -> None:
        with self._lock:
            if targets == self._handed:
                return
            self._handed = targets
            self._new = TargetSet(t, targets, self.name)
        if self.on_publish is not None:
            self.on_publish()

    def _run(self) -> None:
        try:
            self._work()
        except Exception as exc:  # never a traceback on the user's terminal from here
            log.debug("target worker ended", exc_info=True)
            self._say(f"stopped after an unexpected error ({type(exc).__name__}: {exc})", False)
            self._publish(self._clock(), ())

    def _work(self) -> None:
        querier: Querier | None = None
        last_q: tuple[float, float, float, float] | None = None  # (clock, x, y, t told) of the last good round
        last_try = -float("inf")
        while not self._stopping:
            if querier is None:
                now = self._clock()
                self._stale(last_q)
                if now - last_try < self.retry_s:
                    due = self.retry_s - (now - last_try)
                    if last_q is not None and self._handed:
                        due = min(due, max(self.min_interval_s, last_q[0] + self.max_age_s - now))
                    self._wake.wait(due)
                    self._wake.clear()
                    continue
                last_try = now
                try:
                    querier = self._connect()
                except Exception as exc:
                    self._say(self._explain(exc), False)
                    continue
            p = self._point
            now = self._clock()
            if p is None or (last_q is not None and (p[0] == last_q[3] or (
                    now - last_q[0] < self.refresh_s
                    and abs(p[1] - last_q[1]) <= self.move_px and abs(p[2] - last_q[2]) <= self.move_px))):
                # nothing new told (a still hand: sleep until told), or close to the last query and fresh
                wait = None if p is None or p[0] == last_q[3] else self.refresh_s - (now - last_q[0])  # type: ignore[index]
                self._wake.wait(None if wait is None else max(self.min_interval_s, wait))
                self._wake.clear()
                continue
            t0 = self._clock()
            try:
                found = querier.query(p[1], p[2])
            except Exception as exc:
                log.debug("target query failed", exc_info=True)
                querier.close()
                querier = None
                self._say(self._explain(exc), False)
                last_try = self._clock()
                continue
            t1 = self._clock()
            self.round_s = t1 - t0
            self.rounds += 1
            last_q = (t1, p[1], p[2], p[0])
            self._say(self._working(found), True)
            self._publish(t1, found)
            # at most a quarter of the time busy asking: a slow app is not kept busy answering
            rest = max(self.min_interval_s, min(1.0, self.idle_factor * self.round_s)) - (self._clock() - t0)
            if rest > 0 and not self._stopping:
                self._halt.wait(rest)
        if querier is not None:
            querier.close()

    def _stale(self, last_q: tuple[float, ...] | None) -> None:
        """No good answer lately: once older than max_age_s, hand out 'no targets known'."""
        if last_q is None or self._clock() - last_q[0] >= self.max_age_s:
            self._publish(self._clock(), ())

    def _working(self, found: tuple[Target, ...]) -> str:
        return f"working ({len(found)} targets near the cursor, last query {self.round_s * 1000:.0f} ms)"
