"""The target-provider contract: what the live session may ask of a source of targets.

A provider answers off the pointer loop's thread (a worker queries the accessibility tree
around the last cursor position it was told) and keeps its last answer with its age, so the
loop never waits on it. Guarantees:

- ``start()`` never raises for a missing accessibility bus or an app that exposes nothing: the
  provider then reports it in ``status`` and returns no targets; filtering goes on without
  assistance.
- ``point(t, x, y)`` tells the provider where the cursor is (px, desktop); it never blocks.
- ``latest()`` returns the newest :class:`~steadyinput.targets.TargetSet` not yet handed out
  (None when nothing new); it never blocks.
- ``stop()`` is idempotent and never raises.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from . import TargetSet


@runtime_checkable
class TargetProvider(Protocol):
    name: str

    def start(self) -> None:
        """Begin answering (a worker thread); never raises for a missing bus."""

    def point(self, t: float, x: float, y: float) -> None:
        """The cursor is at x, y px at time t s (loop clock); never blocks."""

    def latest(self) -> TargetSet | None:
        """The newest target set not handed out yet, or None; never blocks."""

    def status(self) -> str:
        """One line: working, or what is missing and how to turn it on."""

    def stop(self) -> None:
        """Stop the worker; idempotent; never raises."""


class Answers:
    """What a provider's own thread leaves for the pointer loop: the newest target set not yet
    handed out (under ``_lock``) and the status line; :meth:`latest` and :meth:`status` of the
    contract, for the providers that find targets on a thread or in a child process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._new: TargetSet | None = None
        self._status = "starting"

    def latest(self) -> TargetSet | None:
        with self._lock:
            ts, self._new = self._new, None
        return ts

    def status(self) -> str:
        return self._status
