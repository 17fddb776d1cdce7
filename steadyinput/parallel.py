"""Work spread over processes: how many CPUs this process may use, and a pool of workers that
die quietly when the pool ends them. Results never depend on the number of workers."""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.pool import Pool


def cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_signals() -> None:
    """A worker dies quietly when the pool ends it (SIGTERM) and leaves Ctrl-C to the parent:
    it must not inherit the command's handler, which would print a traceback per worker."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def pool(jobs: int) -> Pool:
    """A pool of ``jobs`` worker processes (forked where the platform can: no re-imports)."""
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    return ctx.Pool(jobs, initializer=worker_signals)
