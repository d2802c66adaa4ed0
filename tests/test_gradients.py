"""Float64 central-difference gradient checks of every layer, activation and loss.

Weights are random, never constant, and every bias is non-zero: a zero bias or
constant weights can hide swapped gates and wrong index slices. Every check
that runs an LSTM runs twice (the ``backend`` fixture): on the NumPy
specification and on the numba kernels.
"""
import numpy as np
import pytest

from tinylstm import gradcheck, ops
from tinylstm.layers import LSTM, Dense, Input, RepeatVector
from tinylstm.models import Model, Sequential

from helpers import TOL, assert_small, randomize

# B, T, D, H: includes batch 1, one timestep, one unit, more features than units
SHAPES = [(2, 4, 3, 5), (1, 5, 2, 3), (3, 1, 2, 2), (2, 6, 4, 1), (1, 1, 1, 1)]


@pytest.mark.parametrize("B,T,D,H", SHAPES)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_lstm_layer(float64, backend, rng, B, T, D, H, return_sequences):
    layer = LSTM(H, return_sequences=return_sequences)
    layer.build((None, T, D))
    randomize(layer, rng)
    assert_small(gradcheck.check_layer(layer, rng.standard_normal((B, T, D))))


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("go_backwards", [True, False])
def test_lstm_initial_state_and_return_state(float64, backend, rng, return_sequences, go_backwards):
    B, T, D, H = 2, 5, 3, 4
    layer = LSTM(H, return_sequences=return_sequences, return_state=True, go_backwards=go_backwards)
    layer.build([(None, T, D), (None, H), (None, H)])
    randomize(layer, rng)
    inputs = [rng.standard_normal((B, T, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))]
    errors = gradcheck.check_layer(layer, inputs)
    assert {"input_1", "input_2"} <= set(errors)       # dh0 and dc0 were checked
    assert_small(errors)


@pytest.mark.parametrize("activation,recurrent_activation",
                         [("tanh", "sigmoid"), ("relu", "sigmoid"), ("sigmoid", "tanh"),
                          ("linear", "sigmoid"), ("tanh", "hard_sigmoid"),
                          ("tanh", "hard_sigmoid_keras2"), ("softmax", "sigmoid"),
                          ("tanh", "softmax")])
def test_lstm_activations(float64, backend, rng, activation, recurrent_activation):
    """Keras applies each activation to one gate's (B, H) block at a time; softmax too."""
    layer = LSTM(3, activation=activation, recurrent_activation=recurrent_activation,
                 return_sequences=True)
    layer.build((None, 4, 2))
    randomize(layer, rng)
    assert_small(gradcheck.check_layer(layer, rng.standard_normal((2, 4, 2))))


ACTIVATION_FORMULAS = {
    "linear": lambda x: x,
    "sigmoid": lambda x: 0.5 * (1 + np.tanh(x / 2)),
    "hard_sigmoid": lambda x: np.where(x <= -3, 0, np.where(x >= 3, 1, x / 6 + 0.5)),
    "hard_sigmoid_keras2": lambda x: np.where(x <= -2.5, 0, np.where(x >= 2.5, 1, 0.2 * x + 0.5)),
    "tanh": np.tanh,
    "relu": lambda x: np.where(x > 0, x, 0.0),
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True),
}
KINKS = [0.0, 2.5, 3.0]     # where relu and the hard sigmoids have no derivative


@pytest.mark.parametrize("name", sorted(ACTIVATION_FORMULAS))
def test_activation_and_its_derivative(rng, name):
    """forward is the formula; backward(dy, y) is the vector-Jacobian product, by central differences."""
    assert sorted(ops.activations.ACTIVATIONS) == sorted(ACTIVATION_FORMULAS)
    forward, backward = ops.activations.get(name)
    x = rng.uniform(-5, 5, (3, 4, 5))
    for kink in KINKS:                  # keep every input at least 0.01 from a kink
        near = np.abs(np.abs(x) - kink) < 0.01
        x[near] += 0.05
    y = forward(x)
    np.testing.assert_allclose(y, ACTIVATION_FORMULAS[name](x), rtol=1e-13, atol=1e-15)

    dy = rng.standard_normal(y.shape)
    eps = 1e-6                          # numerical[..., j] = d/dx_j sum_k forward(x)_k dy_k
    numerical = np.zeros_like(x)
    for j in range(x.shape[-1]):
        v = np.zeros_like(x)
        v[..., j] = eps
        numerical[..., j] = ((forward(x + v) - forward(x - v)) * dy).sum(axis=-1) / (2 * eps)
    np.testing.assert_allclose(backward(dy, y), numerical, rtol=1e-7, atol=1e-9)


def test_lstm_without_bias(float64, backend, rng):
    layer = LSTM(3, use_bias=False, return_sequences=True)
    layer.build((None, 4, 2))
    randomize(layer, rng)
    assert list(layer.params) == ["kernel", "recurrent_kernel"]
    assert_small(gradcheck.check_layer(layer, rng.standard_normal((2, 4, 2))))


@pytest.mark.parametrize("activation", [None, "linear", "tanh", "sigmoid", "relu", "softmax"])
@pytest.mark.parametrize("shape", [(3, 4), (2, 5, 4), (1, 1, 4)])
def test_dense(float64, rng, activation, shape):
    layer = Dense(3, activation=activation)
    layer.build((None,) + shape[1:])
    randomize(layer, rng)
    x = rng.standard_normal(shape)
    if activation == "relu":
        x += np.sign(x) * 0.1   # keep inputs off relu's kink, where no derivative exists
    assert_small(gradcheck.check_layer(layer, x))


def test_repeat_vector(float64, rng):
    assert_small(gradcheck.check_layer(RepeatVector(4), rng.standard_normal((3, 2))))


@pytest.mark.parametrize("loss", ["mean_squared_error", "mse", "mean_absolute_error", "mae"])
def test_stacked_lstm_repeat_vector_dense(float64, backend, rng, loss):
    T, D = 5, 2
    model = Sequential([
        LSTM(4, input_shape=(T, D), return_sequences=True),
        LSTM(3),
        RepeatVector(T),
        LSTM(4, return_sequences=True),
        Dense(2, activation="tanh"),
    ])
    model.compile(optimizer="sgd", loss=loss)
    randomize(model, rng)
    x, y = rng.standard_normal((3, T, D)), rng.standard_normal((3, T, 2))
    assert_small(gradcheck.check_model(model, x, y))


def test_functional_model_with_state_and_two_outputs(float64, backend, rng):
    T, D, H = 4, 3, 2
    inputs = Input((T, D))
    seq, h, c = LSTM(H, return_sequences=True, return_state=True)(inputs)
    top = LSTM(H)(seq, initial_state=[h, c])
    out = Dense(1)(top)
    model = Model(inputs, [out, seq])
    model.compile(optimizer="adam", loss="mse")
    randomize(model, rng)
    x = rng.standard_normal((2, T, D))
    assert_small(gradcheck.check_model(model, x, [rng.standard_normal((2, 1)),
                                                 rng.standard_normal((2, T, H))]))


def test_chunked_sequence_equals_one_pass(float64, backend, rng):
    """Two halves, passing (h, c) forward and (dh, dc) back, equal one pass over the whole."""
    B, T, D, H = 3, 8, 2, 4
    x = rng.standard_normal((B, T, D))
    W, U, b = (rng.standard_normal(s) * 0.5 for s in [(D, 4 * H), (H, 4 * H), (4 * H,)])
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    dh_seq = rng.standard_normal((B, T, H))

    full, _, cache = ops.lstm_forward(x, W, U, b, h0, c0)
    dx, dW, dU, db, dh0, dc0 = ops.lstm_backward(dh_seq, None, None, cache)

    k = T // 2
    first, (h_k, c_k), cache1 = ops.lstm_forward(x[:, :k], W, U, b, h0, c0)
    second, _, cache2 = ops.lstm_forward(x[:, k:], W, U, b, h_k, c_k)
    dx2, dW2, dU2, db2, dh_k, dc_k = ops.lstm_backward(dh_seq[:, k:], None, None, cache2)
    dx1, dW1, dU1, db1, dh0_1, dc0_1 = ops.lstm_backward(dh_seq[:, :k], dh_k, dc_k, cache1)

    np.testing.assert_allclose(np.concatenate([first, second], axis=1), full, rtol=1e-12)
    np.testing.assert_allclose(np.concatenate([dx1, dx2], axis=1), dx, rtol=1e-10, atol=1e-13)
    for one, a, b_ in [(dW, dW1, dW2), (dU, dU1, dU2), (db, db1, db2)]:
        np.testing.assert_allclose(a + b_, one, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(dh0_1, dh0, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(dc0_1, dc0, rtol=1e-10, atol=1e-13)


def test_gradcheck_catches_a_wrong_gradient(float64, backend, rng):
    """The checker itself must be able to fail: a corrupted backward pass is reported."""
    layer = LSTM(3, return_sequences=True)
    layer.build((None, 4, 2))
    randomize(layer, rng)
    original = layer.backward

    def broken(d_outputs, cache):
        dx = original(d_outputs, cache)
        layer.grads["recurrent_kernel"][0, 0] += 1e-3
        return dx

    layer.backward = broken
    errors = gradcheck.check_layer(layer, rng.standard_normal((2, 4, 2)))
    assert errors["recurrent_kernel"] > 1e-4
    assert errors["kernel"] < TOL


def test_gradcheck_refuses_float32(rng):
    layer = LSTM(2)
    with pytest.raises(TypeError, match="float64"):
        gradcheck.check_layer(layer, rng.standard_normal((1, 2, 2)).astype(np.float32))
