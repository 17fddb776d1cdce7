"""Files beside a recording that carry the engine's other inputs: ``TRACE.targets.jsonl`` (target
sets, :mod:`steadyinput.targets.sidecar`) and ``TRACE.settings.jsonl`` (settings changes,
:mod:`steadyinput.live.settings_stream`), each gzipped when the trace is. One home for where
they live and how they are opened."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import TraceError

SUFFIXES = (".targets.jsonl", ".settings.jsonl")


def sidecar_path(trace: str | Path, suffix: str) -> Path:
    """Where the ``suffix`` sidecar of ``trace`` goes: ``trace`` + suffix, gzipped if the trace is."""
    p = Path(trace)
    return p.with_name(p.name + suffix + (".gz" if p.name.endswith(".gz") else ""))


def find_sidecar(trace: str | Path, suffix: str) -> Path | None:
    """The ``suffix`` sidecar of ``trace`` that exists (plain or gzipped), or None."""
    p = Path(trace)
    for cand in (p.with_name(p.name + suffix), p.with_name(p.name + suffix + ".gz")):
        if cand.is_file():
            return cand
    return None


def is_sidecar(path: str | Path) -> bool:
    """Whether ``path`` is a recording's sidecar rather than a trace."""
    return Path(path).name.lower().removesuffix(".gz").endswith(SUFFIXES)


def open_text(path: Path, mode: str, like: Path | None = None) -> IO[str]:
    """``path`` as UTF-8 text, gzipped if ``like`` (default: ``path``; the final name of a
    temporary file) ends with .gz."""
    if (like or path).name.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")


def timed_objects(path: Path) -> Iterator[tuple[int, dict, float]]:
    """The JSON objects of a sidecar, each with its line (1-based) and its time ``t`` (s),
    blank lines skipped; a line that is not an object with a finite ``t`` is a
    :class:`TraceError` naming file, line and field."""
    with open_text(path, "r") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise TraceError(path, n, None, f"not a JSON object: {exc}") from None
            if not isinstance(obj, dict):
                raise TraceError(path, n, None, "not a JSON object")
            t = obj.get("t")
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
                raise TraceError(path, n, "t", f"expected a time in s, got {t!r}")
            yield n, obj, float(t)


class SidecarWriter:
    """Writes a sidecar line by line while a session runs, under a temporary name beside it
    (gzipped if its final name ends in .gz), moved into place by :meth:`close`: as the trace
    itself is (:class:`~steadyinput.live.recording.TraceRecorder`)."""

    def __init__(self, path: Path, flush: bool = False) -> None:
        from .outputs import Outputs
        self.path = path
        self.rows = 0
        self._flush = flush  # every line reaches the file at once (a killed session keeps them)
        self._outs = Outputs()
        self._fh = open_text(self._outs.file(path), "w", like=path)  # the temporary name has no .gz
        self._closed = False

    def line(self, text: str) -> None:
        self._fh.write(text + "\n")
        if self._flush:
            self._fh.flush()
        self.rows += 1

    def close(self) -> None:
        """Finish the file and move it into place; safe to call again."""
        if self._closed:
            return
        self._closed = True
        self._fh.close()
        self._outs.commit()
