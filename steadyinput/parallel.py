"""Work spread over processes: how many CPUs this process may use, and pools of workers that die
quietly when they are ended. Results never depend on the number of workers."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
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


def helpers(jobs: int) -> ProcessPoolExecutor | None:
    """Up to ``jobs`` forked helper processes, or None where they are not worth it or not safe:
    one job, or not Linux (macOS' GUI libraries must not be forked, Windows cannot fork and
    would re-import everything). A helper that dies makes the waiting caller raise
    ``BrokenProcessPool`` instead of hanging."""
    if jobs <= 1 or not sys.platform.startswith("linux"):
        return None
    try:
        return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=worker_signals)
    except (OSError, ValueError):
        return None
