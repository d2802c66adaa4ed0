"""The reused arrays of the numba kernels: an array in use is never handed out twice,
and the module never keeps more than its cap.

The first tests would fail if ``tinylstm.ops.buffers`` gave out an array that
something still refers to (the LSTM's output, a cache kept for backward).
"""
import numpy as np
import pytest

from tinylstm import config, utils
from tinylstm.layers import LSTM, Dense, Input
from tinylstm.models import Sequential
from tinylstm.ops import buffers


@pytest.fixture(params=["small", "large"])
def impl(request, monkeypatch):
    """The numba path, on its loop kernels and on its BLAS kernels."""
    pytest.importorskip("numba", reason="numba is not installed")
    from tinylstm.ops import lstm_numba
    monkeypatch.setattr(lstm_numba, "uses_large", lambda B, T, D, H: request.param == "large")
    return lstm_numba


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


def test_the_pool_never_holds_more_than_its_cap(monkeypatch):
    monkeypatch.setattr(buffers, "MAX_BYTES", 10_000)
    kept = []
    for n in range(1, 60):                      # 59 shapes, some kept in use, most let go
        a = buffers.empty((n, 10), np.float64)
        if n % 7 == 0:
            kept.append(a)
        assert buffers.held_bytes() <= 10_000
    big = buffers.empty((500, 10), np.float64)  # 40 kB: more than the cap, not kept
    assert big.shape == (500, 10) and big.ctypes.data % buffers.ALIGN == 0
    assert not any(a is big for a in buffers._arrays)
    assert buffers.held_bytes() <= 10_000


def test_arrays_in_use_are_never_dropped_to_make_room(monkeypatch):
    monkeypatch.setattr(buffers, "MAX_BYTES", 10_000)
    in_use = buffers.empty((100, 10), np.float64)   # 8 kB, kept
    other = buffers.empty((50, 10), np.float64)     # 4 kB more would pass the cap: not kept
    assert any(a is in_use for a in buffers._arrays)
    assert not any(a is other for a in buffers._arrays)
    del other
    assert buffers.held_bytes() == in_use.nbytes


def test_memory_held_after_fit_returns_is_within_the_cap(monkeypatch, impl):
    """fit at a size whose arrays pass the cap several times over (the issue: batch
    1000, T = 1000 kept 1.4 GB after fit returned, the cap 1 GiB): afterwards, and
    after every request during it, the module keeps at most MAX_BYTES."""
    cap = 2 << 20
    monkeypatch.setattr(buffers, "MAX_BYTES", cap)
    held = []
    empty = buffers.empty

    def watched(shape, dtype):
        out = empty(shape, dtype)
        held.append(buffers.held_bytes())
        return out
    monkeypatch.setattr(buffers, "empty", watched)
    old = config.backend()
    config.set_backend("numba")
    try:
        utils.set_random_seed(0)
        model = Sequential([Input((150, 1)), LSTM(32, return_sequences=True), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        x = np.random.default_rng(0).standard_normal((400, 150, 1))
        model.fit(x, x, batch_size=200, epochs=1, verbose=0)   # gates (150, 128, 208) float32: 16 MB
    finally:
        config.set_backend(old)
    assert held, "the numba path took no arrays from the module"
    assert max(held) <= cap
    assert buffers.held_bytes() <= cap


def test_every_array_handed_out_has_the_shape_asked_for_after_drops(monkeypatch):
    """Dropping free arrays to make room renumbers the rest: what ``empty`` finds by
    shape and dtype must follow, and it still reuses a free array of that shape."""
    monkeypatch.setattr(buffers, "MAX_BYTES", 10_000)
    rng = np.random.default_rng(0)
    kept = []
    for _ in range(300):
        shape = (int(rng.integers(1, 40)), 10)
        dtype = [np.float32, np.float64][int(rng.integers(2))]
        a = buffers.empty(shape, dtype)
        assert a.shape == shape and a.dtype == dtype
        assert not any(a is k for k in kept)
        kept.append(a)
        if len(kept) > 3:
            kept.pop(int(rng.integers(len(kept))))
    free = buffers.empty((5, 10), np.float64)
    address_of_free = address(free)
    del free
    assert address(buffers.empty((5, 10), np.float64)) == address_of_free
