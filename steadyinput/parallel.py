"""Work spread over processes: how many CPUs this process may use, and pools of workers that die
quietly when they are ended. Results never depend on the number of workers."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


def cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_signals() -> None:
    """A worker dies quietly when the pool ends it (SIGTERM) and leaves Ctrl-C to the parent:
    it must not inherit the command's handler, which would print a traceback per worker."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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


def stop(workers: ProcessPoolExecutor) -> None:
    """End ``workers`` at once (Ctrl-C or an error in the caller): queued work is dropped and
    helpers still working are terminated, instead of being waited for."""
    procs = list((getattr(workers, "_processes", None) or {}).values())  # shutdown forgets them
    workers.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()


@contextmanager
def helping(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """:func:`helpers` for the length of a ``with``: waited for when it ends normally, stopped at
    once when it ends by an exception (Ctrl-C included)."""
    workers = helpers(jobs)
    try:
        yield workers
    except BaseException:
        if workers is not None:
            stop(workers)
        raise
    if workers is not None:
        workers.shutdown(wait=True)
