"""The reused arrays of both LSTM paths: an array in use is never handed out twice.

Every test here would fail if ``tinylstm.ops.buffers`` gave out an array that
something still refers to (the LSTM's output, a cache kept for backward).
"""
import importlib

import numpy as np
import pytest

from tinylstm.ops import buffers


@pytest.fixture(params=["lstm", "lstm_numba"])
def impl(request):
    """The NumPy specification, then the numba path (skipped without numba)."""
    if request.param == "lstm_numba":
        pytest.importorskip("numba", reason="numba is not installed")
    return importlib.import_module("tinylstm.ops." + request.param)


@pytest.fixture(autouse=True)
def empty_pool():
    buffers.clear()
    yield
    buffers.clear()


def address(a):
    return a.__array_interface__["data"][0]


def test_an_array_in_use_is_not_handed_out_again():
    a = buffers.empty((3, 4), np.float64)
    first = address(a)
    view = a[1:].T                              # only a view of it survives
    del a
    b = buffers.empty((3, 4), np.float64)
    assert address(b) != first                  # still in use through the view
    del view                                    # now nothing else refers to it
    assert address(buffers.empty((3, 4), np.float64)) == first
    assert address(buffers.empty((3, 4), np.float64)) == first   # (discarded at once)
    assert address(b) != first


def test_the_array_itself_held_is_in_use():
    a = buffers.empty((4, 4), np.float32)
    assert address(buffers.empty((4, 4), np.float32)) != address(a)


@pytest.mark.parametrize("shape", [(1,), (3, 5), (7, 3, 13)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_arrays_start_on_a_cache_line(shape, dtype):
    kept = [buffers.empty(shape, dtype) for _ in range(3)]
    assert all(address(a) % buffers.ALIGN == 0 for a in kept)
    assert all(a.flags["C_CONTIGUOUS"] and a.shape == shape and a.dtype == dtype for a in kept)


def test_shape_and_dtype_must_match():
    first = address(buffers.empty((2, 8), np.float32))
    assert address(buffers.empty((2, 8), np.float64)) != first
    assert address(buffers.empty((8, 2), np.float32)) != first
    assert address(buffers.empty((2, 8), np.float32)) == first


def test_zeros_are_zero_even_when_reused():
    a = buffers.empty((5, 6), np.float32)
    a.fill(3.0)
    del a
    assert not buffers.zeros((5, 6), np.float32).any()


def problem(rng, B=20, T=6, D=3, H=5):
    x = rng.standard_normal((B, T, D))
    W, U = 0.5 * rng.standard_normal((D, 4 * H)), 0.5 * rng.standard_normal((H, 4 * H))
    b = 0.3 * rng.standard_normal(4 * H)
    return x, W, U, b


def test_a_kept_output_survives_the_next_call(rng, impl):
    x, W, U, b = problem(rng)
    h_seq, (h_T, c_T), _ = impl.lstm_forward(x, W, U, b)
    kept = [h_seq.copy(), h_T.copy(), c_T.copy()]
    impl.lstm_forward(rng.standard_normal(x.shape), W, U, b)      # same shapes
    for before, now in zip(kept, [h_seq, h_T, c_T]):
        np.testing.assert_array_equal(now, before)


def test_a_kept_cache_survives_another_forward_pass(rng, impl):
    """Backward from a cache after a second forward pass of the same shapes gives what
    it gives right after its own forward pass."""
    x, W, U, b = problem(rng)
    dh_seq = rng.standard_normal((x.shape[0], x.shape[1], U.shape[0]))
    _, _, cache = impl.lstm_forward(x, W, U, b)
    expected = [g.copy() for g in impl.lstm_backward(dh_seq, None, None, cache)]
    _, _, cache = impl.lstm_forward(x, W, U, b)
    _, _, other = impl.lstm_forward(rng.standard_normal(x.shape), W, U, b)
    impl.lstm_backward(rng.standard_normal(dh_seq.shape), None, None, other)
    for name, e, g in zip(["dx", "dkernel", "drecurrent_kernel", "dbias", "dh0", "dc0"], expected,
                          impl.lstm_backward(dh_seq, None, None, cache)):
        np.testing.assert_array_equal(g, e, err_msg=name)


def test_free_arrays_are_bounded(monkeypatch):
    monkeypatch.setattr(buffers, "MAX_FREE_BYTES", 10_000)
    for n in range(1, 60):                      # 59 shapes, each used once and let go
        buffers.empty((n, 10), np.float64)
    assert buffers.free_bytes() <= 10_000 + 59 * 10 * 8
    kept = buffers.empty((500, 10), np.float64)  # 40 kB in use: not counted, not dropped
    assert any(a is kept for a in buffers._arrays)
    assert buffers.free_bytes() <= 10_000 + 59 * 10 * 8
