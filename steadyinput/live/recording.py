"""Live recordings: the raw pointer (``run --record``) or the actions (``--log-actions``) as a
trace file, written row by row while the session runs through the traces module's writer, in
the format ``replay`` reads and writes (CSV or JSON Lines by the suffix, optionally .gz).

The file is written under a temporary name beside its final place and renamed when the session
ends, so an existing file is replaced only by a complete recording; a session killed outright
leaves its rows in the temporary file (``.NAME.steadyinput-tmp-*``) rather than losing them.
Only pointer positions and buttons are ever written, never keys.

Beside a raw recording, :class:`TargetsRecorder` writes the target sets the engine was fed
(``TRACE.targets.jsonl[.gz]``, :mod:`steadyinput.targets.sidecar`: rectangles and roles only)
the same way, so replaying the pair gives the live session's actions (an empty one when no
set was fed: it still replaces the sidecar of an earlier recording of the same name, which is
removed when this one records no targets at all).
"""

from __future__ import annotations

from pathlib import Path

from ..events import Action, Event
from ..outputs import Outputs
from ..sidecars import SidecarWriter
from ..targets import TargetSet
from ..targets.sidecar import SUFFIX, encode, sidecar_path
from ..traces import TraceWriter


class TraceRecorder:
    """Streams events (``kind="events"``) or actions (``kind="actions"``) to a trace file."""

    def __init__(self, path: str | Path, kind: str = "events") -> None:
        self.path, self.kind = Path(path), kind
        self._outs = Outputs()
        self._writer = TraceWriter(self._outs.file(self.path), like=self.path).__enter__()
        self.rows = 0
        self._closed = False

    def event(self, ev: Event) -> None:
        self._writer.row(ev.t, ev.x, ev.y, ev.buttons)
        self.rows += 1

    def actions(self, actions: list[Action]) -> None:
        for a in actions:
            self._writer.row(a.t, a.x, a.y, a.buttons)
        self.rows += len(actions)

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._closed:
            return
        self._closed = True
        self._writer.__exit__(None, None, None)
        self._outs.commit()


class TargetsRecorder(SidecarWriter):
    """Streams the target sets fed to the engine to the sidecar of ``trace`` (moved into place on close)."""

    def __init__(self, trace: str | Path) -> None:
        super().__init__(sidecar_path(trace))

    def sets(self, ts: TargetSet) -> None:
        self.line(encode(ts))


def drop_stale_sidecars(trace: str | Path, keep: Path | None) -> None:
    """Remove target sidecars of ``trace`` other than ``keep``: they described the recording this
    one has just replaced, and replay would pair them with the new one."""
    t = Path(trace)
    plain = t.with_name(t.name + SUFFIX)
    for cand in (plain, plain.with_name(plain.name + ".gz")):
        if cand != keep and cand.is_file():
            try:
                cand.unlink()
            except OSError:
                pass
