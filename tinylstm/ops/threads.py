"""tinylstm's own threads: the numba kernels run on plain Python threads.

The kernels release the GIL (``nogil=True``), so Python threads run them in
parallel: a third of the compile time of numba's ``parallel=True``, and no
OpenMP threads left spinning between calls. How many: ``config.num_threads()``.

Work whose pieces add up is cut into pieces whose bounds do not depend on the
thread count (:func:`pieces`), and their sums are added in a fixed order after
they are done; the threads only share the pieces out. (Work on independent rows,
such as the recurrence on slices of the batch, may be cut per thread: each row
is computed alike in any piece.) So the results are the same bits with any
number of threads.

Placement.  On Linux each worker is pinned to a CPU other than the one the
calling thread runs on. Left to the scheduler, on the 2-CPU virtual machine this
was measured on, a worker woken after an idle pause often ran on the caller's CPU
and the two pieces ran one after the other: one CPU did the work of two
(docs/performance.md; likely because a guest's scheduler avoids a virtual CPU
the host has descheduled, which an idle one is).
"""
import ctypes
import os
import threading

import numpy as np

from .. import config


def pieces(n, count, multiple=1):
    """Rows (start, stop, p) of a (P, 3) int64 array: range(n) cut into ``count``
    nearly equal pieces [start, stop) (fewer if n is small), each start a multiple
    of ``multiple``; p numbers the pieces (where a kernel keeps a sum per piece)."""
    count = max(1, min(count, n // multiple))
    cuts = sorted({0, n} | {multiple * round(k * n / count / multiple) for k in range(1, count)})
    return np.array([(a, b, p) for p, (a, b) in enumerate(zip(cuts[:-1], cuts[1:]))],
                    np.int64).reshape(-1, 3)


def run(kernel, args, work):
    """kernel(*args, group) for contiguous groups of the rows of ``work`` (pieces, as
    :func:`pieces` makes them), one group per thread, all at once. (A call made while
    another one runs, from another Python thread, does its groups one after another.)"""
    n = min(config.num_threads(), len(work))
    if n <= 1:
        if len(work):
            kernel(*args, work)
        return
    groups = [work[k * len(work) // n:(k + 1) * len(work) // n] for k in range(n)]
    if not _lock.acquire(blocking=False):
        for group in groups:
            kernel(*args, group)
        return
    try:
        workers = _workers(n - 1)
        _place(workers)
        for worker, group in zip(workers, groups[1:]):
            worker.start(kernel, args, group)
        kernel(*args, groups[0])
        for worker in workers:
            worker.wait()
    finally:
        _lock.release()


class _Worker:
    """A thread that runs one job at a time: ``start`` hands it over, ``wait`` returns
    when it is done (raising what the job raised)."""

    def __init__(self, name):
        self.job = self.error = self.cpu = None
        self.posted, self.ready = threading.Event(), threading.Event()
        thread = threading.Thread(target=self._loop, name=name, daemon=True)
        thread.start()
        self.ready.wait()

    def start(self, kernel, args, group):
        self.job, self.error = (kernel, args, group), None
        self.ready.clear()
        self.posted.set()

    def wait(self):
        self.ready.wait()
        if self.error is not None:
            raise self.error

    def _loop(self):
        self.tid = threading.get_native_id()
        self.ready.set()
        while True:
            self.posted.wait()
            self.posted.clear()
            kernel, args, group = self.job
            try:
                kernel(*args, group)
            except BaseException as error:       # raised in the caller by wait()
                self.error = error
            self.ready.set()


_lock = threading.Lock()
_pool = []                  # the workers: the calling thread is the other one
_pool_pid = None
_cpus = []                  # the CPUs the process could use when the workers started


def _workers(count):
    """``count`` workers, started on first use (and again in a forked child, which has
    none of its parent's threads)."""
    global _pool_pid, _cpus
    if _pool_pid != os.getpid():
        _pool.clear()
        _pool_pid = os.getpid()
        _cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    while len(_pool) < count:
        _pool.append(_Worker(f"tinylstm-{len(_pool)}"))
    return _pool[:count]


def _sched_getcpu():
    """The CPU the calling thread runs on, as a function (None where there is none)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    try:
        getcpu = ctypes.CDLL(None, use_errno=True).sched_getcpu
    except (OSError, AttributeError):
        return None
    getcpu.restype, getcpu.argtypes = ctypes.c_int, []
    return getcpu


_getcpu = _sched_getcpu()


def _place(workers):
    """Pin the workers to CPUs the process may use other than the one the caller is on
    (Linux; a system call only when that CPU changed)."""
    if _getcpu is None:
        return
    here = _getcpu()
    if all(w.cpu is not None and w.cpu != here for w in workers):
        return
    try:
        others = [cpu for cpu in _cpus if cpu != here]
        for k, worker in enumerate(workers):
            cpu = others[k % len(others)] if others else here
            if worker.cpu != cpu:
                os.sched_setaffinity(worker.tid, {cpu})
                worker.cpu = cpu
    except OSError:             # not allowed here: leave the placement to the scheduler
        pass
