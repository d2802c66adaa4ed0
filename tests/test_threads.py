"""tinylstm's threads (``tinylstm/ops/threads.py``): pieces, hand-offs, errors, placement."""
import os
import threading

import numpy as np
import pytest

from tinylstm import config
from tinylstm.ops import threads


@pytest.fixture
def three_threads():
    old = config.num_threads()
    config.set_num_threads(3)
    yield
    config.set_num_threads(old)


def record(out, barrier, work):
    """Each row's piece number, written at its rows, and which thread did it."""
    for start, stop, p in work:
        out[start:stop] = p
    barrier.append(threading.current_thread().name)


def test_pieces_cover_the_range_whatever_the_count():
    for n, count, multiple in [(10, 3, 1), (100, 8, 16), (5, 8, 1), (0, 2, 1), (64, 2, 16)]:
        work = threads.pieces(n, count, multiple)
        assert work[:, 0].tolist() == sorted(work[:, 0].tolist())
        covered = [i for start, stop, _ in work for i in range(start, stop)]
        assert covered == list(range(n))
        assert all(start % multiple == 0 for start, _, _ in work)
        assert work[:, 2].tolist() == list(range(len(work)))


def test_every_piece_runs_once_on_the_threads(three_threads):
    out = np.full(90, -1)
    names = []
    threads.run(record, (out, names), threads.pieces(90, 6))
    assert np.array_equal(out, np.repeat(np.arange(6), 15))
    assert len(names) == 3 and len(set(names)) == 3


def fail_in_the_last_group(out, work):
    if work[-1, 1] == len(out):
        raise ValueError("piece failed")
    out[work[0, 0]:work[-1, 1]] = 1


def test_a_worker_error_reaches_the_caller_and_the_workers_go_on(three_threads):
    out = np.zeros(30)
    with pytest.raises(ValueError, match="piece failed"):
        threads.run(fail_in_the_last_group, (out,), threads.pieces(30, 3))
    names = []
    threads.run(record, (np.zeros(30), names), threads.pieces(30, 3))
    assert len(names) == 3


def test_calls_from_two_python_threads_both_finish(three_threads):
    outs = [np.full(60, -1) for _ in range(4)]

    def call(out):
        for _ in range(50):
            threads.run(record, (out, []), threads.pieces(60, 3))
    callers = [threading.Thread(target=call, args=(out,)) for out in outs]
    for t in callers:
        t.start()
    for t in callers:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in callers)
    for out in outs:
        assert np.array_equal(out, np.repeat(np.arange(3), 20))


@pytest.mark.skipif(threads._getcpu is None, reason="no sched_getcpu / sched_setaffinity here")
def test_workers_are_pinned_away_from_the_caller(three_threads):
    cpus = os.sched_getaffinity(0)
    if len(cpus) < 2:
        pytest.skip("one CPU: nothing to place")
    for here in sorted(cpus)[:2]:              # the caller held on one CPU, then another
        os.sched_setaffinity(0, {here})
        try:
            where = []

            def note_cpu(work):
                where.append((threading.current_thread().name, threads._getcpu()))
            threads.run(note_cpu, (), threads.pieces(3, 3))
        finally:
            os.sched_setaffinity(0, cpus)
        assert len(where) == 3
        assert dict(where)[threading.current_thread().name] == here
        for k, worker in enumerate(threads._pool[:2]):
            assert worker.cpu in cpus and worker.cpu != here
            assert os.sched_getaffinity(worker.tid) == {worker.cpu}
            assert dict(where)[f"tinylstm-{k}"] == worker.cpu
