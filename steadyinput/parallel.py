"""Work spread over processes: how many CPUs this process may use, and pools of workers that die
quietly when they are ended. Results never depend on the number of workers."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor, as_completed
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


def completed(workers: ProcessPoolExecutor, fn: Callable, calls: dict[Hashable, tuple]) -> Iterator[tuple[Hashable, object]]:
    """``(key, fn(*args))`` for each ``key: args`` of ``calls``, computed in ``workers`` and
    yielded as each completes. If a helper dies, it yields what the helpers had finished, shuts
    them down and stops; if none can start, or they were shut down by an earlier death, it
    yields nothing. The caller does the rest in its own process. An exception raised by ``fn``
    is raised here."""
    futures: dict = {}
    try:
        for key, args in calls.items():
            futures[workers.submit(fn, *args)] = key
    except (RuntimeError, OSError):  # broken (BrokenExecutor is a RuntimeError) or shut down
        workers.shutdown(wait=False, cancel_futures=True)
        return
    given: set = set()
    try:
        for f in as_completed(futures):
            result = f.result()
            given.add(f)
            yield futures[f], result
    except (BrokenExecutor, OSError):  # a helper died
        workers.shutdown(wait=False, cancel_futures=True)
        for f, key in futures.items():
            if f not in given and f.done() and not f.cancelled() and f.exception() is None:
                yield key, f.result()


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
