"""Live recordings: the raw pointer (``run --record``) or the actions (``--log-actions``) as a
trace file, written row by row while the session runs, in the format ``replay`` reads and writes.

The file is written under a temporary name beside its final place and renamed when the session
ends, so an existing file is replaced only by a complete recording; a session killed outright
leaves its rows in the temporary file (``.NAME.steadyinput-tmp-*``) rather than losing them.
Only pointer positions and buttons are ever written, never keys.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from ..events import Action, Event
from ..outputs import Outputs
from ..traces import FIELDS, trace_row


class TraceRecorder:
    """Streams events (``kind="events"``) or actions (``kind="actions"``) to a CSV trace."""

    def __init__(self, path: str | Path, kind: str = "events") -> None:
        self.path, self.kind = Path(path), kind
        self._outs = Outputs()
        self._tmp = self._outs.file(self.path)
        self._fh = (gzip.open(self._tmp, "wt", encoding="utf-8", newline="") if self.path.suffix == ".gz"
                    else open(self._tmp, "w", encoding="utf-8", newline=""))
        self._fh.write(",".join(FIELDS) + "\n")
        self.rows = 0

    def event(self, ev: Event) -> None:
        self._fh.write(trace_row(ev.t, ev.x, ev.y, ev.buttons))
        self.rows += 1

    def actions(self, actions: list[Action]) -> None:
        for a in actions:
            self._fh.write(trace_row(a.t, a.x, a.y, a.buttons))
        self.rows += len(actions)

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._fh.closed:
            return
        self._fh.close()
        self._outs.commit()
