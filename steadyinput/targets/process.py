"""A target provider in its own process, so its work never competes with the pointer loop.

The accessibility queries are Python work (D-Bus messages built and parsed by jeepney); in the
loop's process they would hold the interpreter lock the loop thread needs when an event comes
(``python -m steadyinput.targets.bench`` measures both ways; see the README). So the live
session runs the provider in a child process
(``python -m steadyinput.targets.process KIND``) and talks to it over two pipes:

* to the child, ``t x y`` lines: where the cursor is (at most every 10 ms unless it moved 6 px;
  written non-blocking: a full pipe drops the line, a moved cursor sends the next one);
* from the child, ``T <sidecar line>`` (a new target set, :func:`steadyinput.targets.sidecar.encode`)
  and ``S <0|1> <status>`` (its status text, 1 when working).

A reader thread in the parent keeps the newest set; ``point`` and ``latest`` only touch memory
and a non-blocking pipe. The child ends when its input closes (the parent stopped or died) and
ignores Ctrl-C (the parent stops it); if it dies, the parent withdraws its targets and says so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

from . import Target, TargetSet
from .provider import Answers


class ProcessProvider(Answers):
    """The :class:`~steadyinput.targets.provider.TargetProvider` contract, answered by a child process."""

    def __init__(self, kind: str, on_status: Callable[[str], None] | None = None,
                 python: str = sys.executable, min_move_px: float = 1.0) -> None:
        super().__init__()
        self.name = kind
        self.on_status = on_status
        self.python = python
        self.min_move_px = min_move_px
        self.proc: subprocess.Popen | None = None
        self._handed = False  # a non-empty set was handed out (withdrawn if the child dies)
        self._ok: bool | None = None
        self._sent: tuple[float, float, float] | None = None  # x, y, t last written
        self._stopping = False
        self.rounds = 0  # target sets received

    def start(self) -> None:
        if self.proc is not None:
            return
        try:
            self.proc = subprocess.Popen([self.python, "-m", "steadyinput.targets.process", self.name],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            self._set_status(f"cannot start the target helper ({exc})", False)
            return
        os.set_blocking(self.proc.stdin.fileno(), False)
        threading.Thread(target=self._read, name=f"targets-{self.name}-reader", daemon=True).start()

    def point(self, t: float, x: float, y: float) -> None:
        if self.proc is None or self._stopping:
            return
        if self._sent is not None:  # at most every 10 ms, unless it moved far: the child need not wake 1000 times a s
            moved = max(abs(x - self._sent[0]), abs(y - self._sent[1]))
            if moved < self.min_move_px or (t - self._sent[2] < 0.01 and moved < 6.0):
                return
        try:
            os.write(self.proc.stdin.fileno(), f"{t:.6f} {x:.1f} {y:.1f}\n".encode())
            self._sent = (x, y, t)
        except (BlockingIOError, BrokenPipeError, OSError, ValueError):
            pass  # full (the next move sends again) or the child is gone (the reader says so)

    def stop(self) -> None:
        self._stopping = True
        p = self.proc
        if p is None:
            return
        try:
            p.stdin.close()
        except OSError:
            pass
        try:
            p.wait(0.5)
        except subprocess.TimeoutExpired:
            p.kill()  # our own child, by its pid
            try:
                p.wait(1.0)
            except subprocess.TimeoutExpired:
                pass

    # -- the reader thread ----------------------------------------------------------------------
    def _set_status(self, text: str, ok: bool) -> None:
        self._status = text
        if ok != self._ok:
            self._ok = ok
            if self.on_status is not None and not self._stopping:
                try:
                    self.on_status(text)
                except Exception:
                    pass

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            kind, _, rest = line.partition(" ")
            try:
                if kind == "T":
                    ts = decode(rest, self.name)
                    with self._lock:
                        self._new = ts
                        self._handed = bool(ts.targets)
                    self.rounds += 1
                elif kind == "S":
                    ok, _, text = rest.partition(" ")
                    self._set_status(text, ok == "1")
            except (ValueError, TypeError, KeyError, IndexError):
                continue  # never a traceback from a garbled line
        if not self._stopping:
            with self._lock:
                if self._handed:
                    self._new = TargetSet(0.0, (), self.name)
                    self._handed = False
            code = self.proc.poll()
            self._set_status(f"the target helper process ended (exit status {code}): no targets", False)


def decode(line: str, source: str) -> TargetSet:
    """A target set from one sidecar line (the child writes only what encode wrote)."""
    obj = json.loads(line)
    return TargetSet(float(obj["t"]), tuple(Target(int(r[0]), int(r[1]), int(r[2]), int(r[3]), str(r[4]), bool(r[5]))
                                            for r in obj["targets"]), source)


def child(kind: str) -> int:
    """The child's side: run the in-process provider of ``kind``, relay points in and sets out."""
    from .live import create_in_process
    from .sidecar import encode
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = sys.stdout
    lock = threading.Lock()

    def write(line: str) -> None:
        with lock:
            try:
                out.write(line + "\n")
                out.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass
    prov = create_in_process(kind)
    if prov is None:
        write(f"S 0 no target provider for {kind}")
        return 1

    def published() -> None:
        ts = prov.latest()
        if ts is not None:
            write("T " + encode(ts))
    prov.on_publish = published
    prov.on_change = lambda text, ok: write(f"S {1 if ok else 0} {text}")
    prov.start()
    try:
        for raw in sys.stdin.buffer:
            try:
                t, x, y = (float(v) for v in raw.split())
            except ValueError:
                continue
            prov.point(t, x, y)
    finally:
        prov.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(child(sys.argv[1] if len(sys.argv) > 1 else "atspi"))
