"""Dense on an LSTM's output in the small kernels' layout (``ops/dense_numba.py``).

On the numba path a Dense that reads an LSTM's sequence output computes on the
LSTM's feature-major array, without copying it into rows, and hands dx back in
that layout. It must compute what ``ops/dense.py`` specifies: to 1e-12 in float64,
and in float32 to within 1e-5 of the float64 result on the same inputs.
"""
import numpy as np
import pytest

pytest.importorskip("numba", reason="numba is not installed")

from tinylstm import config, gradcheck, ops  # noqa: E402
from tinylstm.layers import LSTM, Dense, Input  # noqa: E402
from tinylstm.models import Sequential  # noqa: E402
from tinylstm.ops import dense, dense_numba  # noqa: E402
from tinylstm.ops import lstm_numba_small as small  # noqa: E402

ACTIVATIONS = [None, "tanh", "relu", "sigmoid", "hard_sigmoid"]


def lstm_output(rng, B, T, D, H, dtype):
    """An LSTM's h_seq from the small kernels: a (B, T, H) view of their (T, H, Bp) array."""
    x = rng.standard_normal((B, T, D)).astype(dtype)
    W, U = (0.5 * rng.standard_normal(shape).astype(dtype) for shape in [(D, 4 * H), (H, 4 * H)])
    b = 0.3 * rng.standard_normal(4 * H).astype(dtype)
    h_seq, _, cache = ops.lstm_forward(x, W, U, b)
    assert not cache.large and small.shown_array(h_seq) is not None
    return h_seq


def relative(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("units", [1, 3, 9])
def test_readout_on_the_lstm_layout_equals_the_specification(numba_backend, dtype, activation, units):
    rng = np.random.default_rng([units, len(ACTIVATIONS), dtype().itemsize])
    h_seq = lstm_output(rng, 37, 6, 4, 5, dtype)
    W = rng.standard_normal((5, units)).astype(dtype)
    bias = rng.standard_normal(units).astype(dtype)
    dy = rng.standard_normal((37, 6, units)).astype(dtype)
    y, cache = ops.dense_forward(h_seq, W, bias, activation)
    assert isinstance(cache, dense_numba.FeatureMajorDenseCache)
    got = [y, *ops.dense_backward(dy, cache)]
    inputs = [np.ascontiguousarray(a, np.float64) for a in (h_seq, W, bias, dy)]
    y64, cache64 = dense.dense_forward(*inputs[:3], activation)
    want = [y64, *dense.dense_backward(inputs[3], cache64)]
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    for name, g, w in zip(["y", "dx", "dkernel", "dbias"], got, want):
        assert g.shape == w.shape and g.dtype == dtype, name
        assert relative(g, w) < tolerance, f"{name}: relative error {relative(g, w):.1e}"


def test_readout_copies_neither_way(numba_backend, monkeypatch):
    """The specification is not called, y and dx are views of feature-major arrays, and
    the LSTM's backward pass takes dx as it is."""
    monkeypatch.setattr(dense, "dense_forward", lambda *a: pytest.fail("copied into rows"))
    rng = np.random.default_rng(3)
    h_seq = lstm_output(rng, 20, 5, 2, 4, np.float32)
    y, cache = ops.dense_forward(h_seq, rng.standard_normal((4, 2)).astype(np.float32), None, None)
    dx, _, _ = ops.dense_backward(np.ones(y.shape, np.float32), cache)
    for view in (y, dx):
        behind = small.shown_array(view)
        assert behind is not None and np.shares_memory(behind, view)
    assert small.feature_major(dx, small.padded(20), np.float32) is small.shown_array(dx)


@pytest.mark.parametrize("case", ["softmax", "other dtype", "plain array", "numpy backend"])
def test_other_inputs_take_the_specification(case):
    rng = np.random.default_rng(4)
    old = config.backend()
    config.set_backend("numba")
    try:
        h_seq = lstm_output(rng, 20, 5, 2, 4, np.float32)
        W, activation = rng.standard_normal((4, 3)).astype(np.float32), None
        if case == "softmax":
            activation = "softmax"
        elif case == "other dtype":
            W = W.astype(np.float64)
        elif case == "plain array":
            h_seq = np.ascontiguousarray(h_seq)
        else:
            config.set_backend("numpy")
        _, cache = ops.dense_forward(h_seq, W, None, activation)
    finally:
        config.set_backend(old)
    assert isinstance(cache, dense.DenseCache)


@pytest.mark.parametrize("activation,loss", [(None, "mse"), ("tanh", "mse"),
                                             ("sigmoid", "binary_crossentropy")])
def test_lstm_and_dense_on_the_numba_path_pass_the_gradient_check(float64, numba_backend, activation,
                                                                   loss):
    """(The cross-entropy takes the sigmoid's logits: ``dense_backward_from_logits``.)"""
    rng = np.random.default_rng(5)
    model = Sequential([Input((4, 3)), LSTM(5, return_sequences=True), Dense(2, activation=activation)])
    model.compile(optimizer="adam", loss=loss)
    x, y = rng.standard_normal((18, 4, 3)), rng.uniform(0.0, 1.0, (18, 4, 2))
    model.set_weights([0.5 * rng.standard_normal(w.shape) for w in model.weights])
    _, trace = model._forward([x])
    assert isinstance(trace.caches[-1], dense_numba.FeatureMajorDenseCache)
    errors = gradcheck.check_model(model, x, y)
    assert max(errors.values()) < 1e-6, errors
