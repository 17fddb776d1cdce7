"""The backend contract: what the live loop may call, and what a backend guarantees.

A backend translates, nothing more: OS pointer events in, engine actions out. It holds no
filter logic. The live loop (``steadyinput.live.loop``) and the session
(``steadyinput.live.session``) use only what :class:`Backend` lists; every backend class
conforms (``tests/test_backend_contract.py`` checks each one against it).

Guarantees a backend gives:

- ``start()`` takes the physical pointer (grab, hook or tap) or raises
  :class:`~steadyinput.errors.BackendError` saying what is missing, having taken nothing.
- ``read()`` never blocks; it returns the raw events (x px or counts, y, button mask) that
  arrived since the last call (the loop stamps them with its own clock), or None once the input
  has ended for good (a played trace is over): the loop then ends the session.
- Optionally ``read_timed()``: ``read`` with each event's own time first, (t, x, y, buttons),
  t in s on ``time.monotonic``'s clock (the X11 backend: the X server's stamp; the trace
  backend: when it played the event). The loop then stamps each event with its own time (never
  before what the engine has processed) instead of the time it read it, and while the engine
  ticks it reads at the ticks only instead of waking for every event: an event moves the
  cursor at the next tick anyway. A time the loop finds off its clock (later than now, or over
  a second old) is replaced by the time of reading, and the backend is read as if it had no
  stamps from then on.
- ``apply(actions)`` makes the cursor do what the engine said: move, press, release.
- ``stop()`` is idempotent and never raises: every button it pressed is released, every grab,
  hook or tap is given back, so the physical pointer works normally afterwards.
- ``rescue_display`` names the X display a watchdog process must release buttons on if this
  process dies without ``stop()`` (SIGKILL); None where the OS does that itself (a uinput device
  vanishes with its process, a hook or tap with its thread).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..errors import BackendError
from ..events import Action

RawEvent = tuple[float, float, int]  # x, y (px, or counts for relative devices), buttons mask
Rect = tuple[int, int, int, int]  # x, y, width, height in px

__all__ = ["Backend", "BackendError", "RawEvent", "Rect"]


@runtime_checkable
class Backend(Protocol):
    """What every input backend offers the live loop and session."""

    name: str
    rescue_display: str | None

    def start(self) -> None:
        """Take the physical pointer, or raise BackendError having taken nothing."""

    def stop(self) -> None:
        """Release held buttons and give the pointer back; idempotent; never raises."""

    def fileno(self) -> int | None:
        """A descriptor that becomes readable when events arrive (None: poll with ``pending``)."""

    def pending(self) -> bool:
        """True when events are buffered that ``fileno`` would not signal."""

    def read(self) -> list[RawEvent] | None:
        """The raw events since the last call; never blocks; None: the input has ended for good."""

    def apply(self, actions: Sequence[Action]) -> None:
        """Make the cursor do what the engine said."""

    def screens(self) -> list[Rect]:
        """Screen rectangles to keep the cursor on (empty: no clamping, e.g. counts)."""

    def steadied(self) -> list[str]:
        """Names of the devices being steadied now (for status lines and logs)."""
