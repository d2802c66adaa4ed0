"""SimpleRNN and GRU: float64 gradient checks of every option, and the ops' invariants.

Weights are random N(0, 0.5^2), biases included (never zero, never constant), so
a swapped gate block or a wrong bias row shows up.
"""
import numpy as np
import pytest

from tinylstm import gradcheck
from tinylstm.layers import GRU, Dense, Input, SimpleRNN
from tinylstm.models import Model, Sequential
from tinylstm.ops.gru import gru_backward, gru_forward
from tinylstm.ops.simple_rnn import simple_rnn_backward, simple_rnn_forward

from helpers import assert_small, randomize

# name -> a layer factory; GRU in both of Keras' conventions
KINDS = {
    "simple_rnn": lambda H, **kw: SimpleRNN(H, **kw),
    "gru": lambda H, **kw: GRU(H, **kw),
    "gru_reset_before": lambda H, **kw: GRU(H, reset_after=False, **kw),
}


def built(kind, H, input_shape, rng, **kw):
    layer = KINDS[kind](H, **kw)
    layer.build(input_shape)
    randomize(layer, rng)
    return layer


# B, T, D, H: batch 1, one timestep, one unit, more features than units
SHAPES = [(2, 4, 3, 5), (1, 5, 2, 3), (3, 1, 2, 2), (2, 6, 4, 1)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("B,T,D,H", SHAPES)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_gradients(float64, rng, kind, B, T, D, H, return_sequences):
    layer = built(kind, H, (None, T, D), rng, return_sequences=return_sequences)
    assert_small(gradcheck.check_layer(layer, rng.standard_normal((B, T, D))))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("go_backwards", [True, False])
def test_gradients_initial_and_return_state(float64, rng, kind, return_sequences, go_backwards):
    B, T, D, H = 2, 5, 3, 4
    layer = built(kind, H, [(None, T, D), (None, H)], rng, return_sequences=return_sequences,
                  return_state=True, go_backwards=go_backwards)
    errors = gradcheck.check_layer(layer, [rng.standard_normal((B, T, D)),
                                           rng.standard_normal((B, H))])
    assert "input_1" in errors                           # dh0 was checked
    assert_small(errors)


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_without_bias(float64, rng, kind):
    layer = built(kind, 3, (None, 4, 2), rng, use_bias=False, return_sequences=True)
    assert "bias" not in layer.params
    assert_small(gradcheck.check_layer(layer, rng.standard_normal((2, 4, 2))))


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_simple_rnn_activations(float64, rng, activation):
    layer = built("simple_rnn", 3, (None, 4, 2), rng, activation=activation,
                  return_sequences=True)
    assert_small(gradcheck.check_layer(layer, rng.standard_normal((2, 4, 2))))


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("activation,recurrent_activation",
                         [("relu", "sigmoid"), ("sigmoid", "tanh"), ("linear", "sigmoid")])
def test_gru_activations(float64, rng, reset_after, activation, recurrent_activation):
    layer = built("gru", 3, (None, 4, 2), rng, activation=activation,
                  recurrent_activation=recurrent_activation, reset_after=reset_after,
                  return_sequences=True)
    assert_small(gradcheck.check_layer(layer, rng.standard_normal((2, 4, 2))))


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_in_a_model(float64, rng, kind):
    """Stacked, with a Dense on top: the layer's backward inside the graph."""
    T, D = 5, 2
    model = Sequential([Input((T, D)), KINDS[kind](4, return_sequences=True),
                        KINDS[kind](3), Dense(1)])
    for layer in model.layers:
        randomize(layer, rng)
    model.compile(optimizer="adam", loss="mse")
    assert_small(gradcheck.check_model(model, rng.standard_normal((3, T, D)),
                                       rng.standard_normal((3, 1))))


# -- the ops: invariants a reader can trust -------------------------------------------

def _ops(kind):
    """forward(x, W, U, b, h0), backward(dh_seq, dh_T, cache) for a kind, and the bias shape."""
    if kind == "simple_rnn":
        return (lambda x, W, U, b, h0: simple_rnn_forward(x, W, U, b, h0),
                simple_rnn_backward, lambda H: (H,), 1)
    reset_after = kind == "gru"
    return (lambda x, W, U, b, h0: gru_forward(x, W, U, b, h0, reset_after=reset_after),
            gru_backward, lambda H: (2, 3 * H) if reset_after else (3 * H,), 3)


@pytest.mark.parametrize("kind", KINDS)
def test_sequential_matches_batch(rng, kind):
    """Two halves, passing h forward and dh back, equal one pass over the whole sequence."""
    forward, backward, bias_shape, G = _ops(kind)
    B, T, D, H, t = 2, 7, 3, 4, 3
    x = rng.standard_normal((B, T, D))
    W, U = rng.standard_normal((D, G * H)), 0.5 * rng.standard_normal((H, G * H))
    b, h0 = rng.standard_normal(bias_shape(H)), rng.standard_normal((B, H))
    dh_seq, dh_T = rng.standard_normal((B, T, H)), rng.standard_normal((B, H))

    h_seq, h_T, cache = forward(x, W, U, b, h0)
    dx, dW, dU, db, dh0 = backward(dh_seq, dh_T, cache)

    h1, h_mid, cache1 = forward(x[:, :t], W, U, b, h0)
    h2, h_T2, cache2 = forward(x[:, t:], W, U, b, h_mid)
    dx2, dW2, dU2, db2, dh_mid = backward(dh_seq[:, t:], dh_T, cache2)
    dx1, dW1, dU1, db1, dh0_1 = backward(dh_seq[:, :t], dh_mid, cache1)

    np.testing.assert_allclose(np.concatenate([h1, h2], axis=1), h_seq, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h_T2, h_T, rtol=1e-12, atol=1e-12)
    for got, want in [(np.concatenate([dx1, dx2], axis=1), dx), (dW1 + dW2, dW),
                      (dU1 + dU2, dU), (db1 + db2, db), (dh0_1, dh0)]:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_go_backwards_reads_the_sequence_reversed(rng, kind):
    x = rng.standard_normal((2, 6, 3)).astype("float32")
    fwd = KINDS[kind](4, return_sequences=True)
    bwd = KINDS[kind](4, return_sequences=True, go_backwards=True)
    fwd.build((None, 6, 3))
    bwd.build((None, 6, 3))
    randomize(fwd, rng)
    bwd.set_weights(fwd.get_weights())
    np.testing.assert_array_equal(bwd(x), fwd(x[:, ::-1]))


def test_gru_reset_after_differs_from_reset_before(rng):
    """The two conventions compute different functions (same kernels, b_h = 0)."""
    x = rng.standard_normal((2, 5, 3))
    W, U, b = rng.standard_normal((3, 12)), rng.standard_normal((4, 12)), rng.standard_normal(12)
    after, _, _ = gru_forward(x, W, U, np.stack([b, np.zeros(12)]), reset_after=True)
    before, _, _ = gru_forward(x, W, U, b, reset_after=False)
    assert np.abs(after - before).max() > 1e-3


def test_gru_one_step_by_hand(rng):
    """One step written out from the equations, independently of the loop."""
    B, D, H = 2, 3, 2
    x, h0 = rng.standard_normal((B, 1, D)), rng.standard_normal((B, H))
    W, U, b = rng.standard_normal((D, 3 * H)), rng.standard_normal((H, 3 * H)), rng.standard_normal((2, 3 * H))
    sig = lambda a: 1 / (1 + np.exp(-a))
    xw, hu = x[:, 0] @ W + b[0], h0 @ U + b[1]
    z, r = sig(xw[:, :H] + hu[:, :H]), sig(xw[:, H:2 * H] + hu[:, H:2 * H])
    g = np.tanh(xw[:, 2 * H:] + r * hu[:, 2 * H:])
    _, h1, _ = gru_forward(x, W, U, b, h0)
    np.testing.assert_allclose(h1, z * h0 + (1 - z) * g, rtol=1e-12)


# -- Keras' shapes, defaults and errors --------------------------------------------------

def test_weight_shapes_and_param_counts():
    """Keras' counts: SimpleRNN H(D+H+1), GRU 3H(D+H+2) (reset_after), 3H(D+H+1) (before)."""
    D, H = 5, 7
    cases = [(SimpleRNN(H), [(D, H), (H, H), (H,)], H * (D + H + 1)),
             (GRU(H), [(D, 3 * H), (H, 3 * H), (2, 3 * H)], 3 * H * (D + H + 2)),
             (GRU(H, reset_after=False), [(D, 3 * H), (H, 3 * H), (3 * H,)], 3 * H * (D + H + 1))]
    for layer, shapes, count in cases:
        layer.build((None, 4, D))
        assert [w.shape for w in layer.weights] == shapes
        assert list(layer.params) == ["kernel", "recurrent_kernel", "bias"]
        assert layer.count_params() == count
        assert not layer.params["bias"].any()                 # bias_initializer="zeros"
        U = layer.params["recurrent_kernel"]                   # orthogonal
        np.testing.assert_allclose(U @ U.T, np.eye(H), atol=1e-5)


def test_output_shapes_and_return_state():
    x = Input((6, 3))
    out, h = GRU(4, return_state=True)(x)
    seq, h2 = SimpleRNN(5, return_sequences=True, return_state=True)(x)
    assert out.shape == (None, 4) and h.shape == (None, 4)
    assert seq.shape == (None, 6, 5) and h2.shape == (None, 5)
    model = Model(x, [out, h, seq, h2])
    o, hh, s, hh2 = model.predict(np.ones((2, 6, 3)), verbose=0)
    np.testing.assert_array_equal(o, hh)                     # the last output is h_T
    np.testing.assert_array_equal(s[:, -1], hh2)


def test_keeps_float32():
    layer = GRU(3, return_sequences=True)
    assert layer(np.ones((2, 4, 2), "float32")).dtype == np.float32


@pytest.mark.parametrize("cls", [SimpleRNN, GRU])
def test_errors_say_what_was_expected(cls):
    with pytest.raises(ValueError, match="expected a positive integer, got 0"):
        cls(0)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        cls(3)(Input((4,)))
    with pytest.raises(ValueError, match=r"initial state must have shape \(batch, 3\)"):
        cls(3)(Input((5, 2)), initial_state=Input((4,)))
    with pytest.raises(ValueError, match=r"initial_state must be 1 tensor\(s\)"):
        cls(3)(Input((5, 2)), initial_state=[Input((3,)), Input((3,))])
    with pytest.raises(ValueError, match="unknown activation"):
        cls(3, activation="swish!")
    with pytest.raises(TypeError, match="unexpected keyword"):
        cls(3, unknown_option=1)


def test_gru_bias_shape_error():
    with pytest.raises(ValueError, match=r"must have shape \(2, 6\), got \(6,\)"):
        gru_forward(np.ones((1, 2, 3)), np.ones((3, 6)), np.ones((2, 6)), np.ones(6))
