"""CPU-bound work (the offline model, text extraction) in a pool of processes, off the event loop.

A thread would not do: pure-Python work holds the GIL, so the loop (signals, cancel notices,
claims) would still crawl while it runs, and a thread cannot be stopped. A process can be: on
shutdown, work still running past the grace period is killed with its process, and the job it
belonged to is put back by the worker.

The pool starts on first use ("spawn": forking a process that runs threads and an event loop is
unsafe) and its processes are reused, so only the first call pays the start-up (~1 s). Work of a
few milliseconds is not worth the hop; callers run it inline (see their thresholds). As with
any "spawn" pool, a script that embeds Raypx must guard its entry with `if __name__ ==
"__main__":` (the `raypx` command and `python -m raypx` do).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger("raypx.offload")
# Recycled now and then: a parser's memory high-water mark does not stay with the process.
TASKS_PER_PROCESS = 200

_pool: ProcessPoolExecutor | None = None
# Work submitted and not finished, even if its caller was cancelled and went away.
_pending: set[Future[Any]] = set()


def pool_size() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            pool_size(),
            mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=TASKS_PER_PROCESS,
            initializer=exit_with_parent,
        )
    return _pool


def exit_with_parent() -> None:
    """In each pool process: exit when the parent dies. A parent killed with SIGKILL (or leaving
    through os._exit) runs no cleanup, and its pool processes would otherwise idle forever."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="raypx-exit-with-parent", daemon=True).start()


async def run(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in a pool process; `function` and `args` must be picklable."""
    global _pool
    pool = _get_pool()
    future = pool.submit(function, *args)
    _pending.add(future)
    future.add_done_callback(_pending.discard)
    try:
        return await asyncio.wrap_future(future)
    except BrokenProcessPool:
        # A process died (OOM killer, kill -9): start afresh next time rather than fail forever.
        if _pool is pool:
            _pool = None
        raise


def stop_running() -> None:
    """Kill the pool if work is still in it (abandoned by cancelled callers), so the process
    can exit now instead of waiting for that work at interpreter exit. An idle pool is kept."""
    global _pool
    pool = _pool
    if pool is None or not _pending:
        return
    _pool = None
    log.warning("stopping: killing %d unfinished CPU-bound task(s)", len(_pending))
    _pending.clear()
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()
