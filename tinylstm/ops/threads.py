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
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import config

_pool = None            # (workers, ThreadPoolExecutor): the main thread is the other one


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
    :func:`pieces` makes them), one group per thread, all at once."""
    n = min(config.num_threads(), len(work))
    if n <= 1:
        if len(work):
            kernel(*args, work)
        return
    groups = [work[k * len(work) // n:(k + 1) * len(work) // n] for k in range(n)]
    futures = [_executor(n - 1).submit(kernel, *args, group) for group in groups[1:]]
    kernel(*args, groups[0])
    for future in futures:
        future.result()


def _executor(workers):
    global _pool
    if _pool is None or _pool[0] < workers:
        if _pool is not None:
            _pool[1].shutdown(wait=False)
        _pool = (workers, ThreadPoolExecutor(workers, "tinylstm"))
    return _pool[1]
