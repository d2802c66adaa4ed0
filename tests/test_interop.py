"""tinylstm.interop without torch or keras: the NumPy weight mapping and from_keras' checks.

The modules themselves are checked against PyTorch and Keras in tests/crosscheck/.
"""
import subprocess
import sys

import numpy as np
import pytest

from tinylstm import interop
from tinylstm.layers import LSTM, Dense, Input, RepeatVector
from tinylstm.models import Model
from tinylstm.ops import lstm_forward

B, T, D, H = 2, 4, 3, 5


def signed(rng, *shape):
    return rng.uniform(0.1, 0.6, shape) * rng.choice([-1.0, 1.0], shape)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def torch_lstm_equations(x, w_ih, w_hh, b_ih, b_hh):
    """nn.LSTM as its documentation writes it, rows of w_ih stacked (W_ii | W_if | W_ig | W_io):
    i, f, g, o = sigma, sigma, tanh, sigma of x_t w_ih^T + b_ih + h w_hh^T + b_hh;
    c = f c + i g;  h = o tanh(c)."""
    h = c = np.zeros((x.shape[0], w_hh.shape[1]))
    for t in range(x.shape[1]):
        i, f, g, o = np.split(x[:, t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
    return h


def test_weights_from_torch_compute_what_torch_computes():
    rng = np.random.default_rng(0)
    w_ih, w_hh, b_ih, b_hh = signed(rng, 4 * H, D), signed(rng, 4 * H, H), signed(rng, 4 * H), signed(rng, 4 * H)
    x = rng.uniform(-1, 1, (B, T, D))
    W, U, b = interop.lstm_weights_from_torch(w_ih, w_hh, b_ih, b_hh)
    assert (W.shape, U.shape, b.shape) == ((D, 4 * H), (H, 4 * H), (4 * H,))
    _, (h_T, _), _ = lstm_forward(x, W, U, b)
    np.testing.assert_allclose(h_T, torch_lstm_equations(x, w_ih, w_hh, b_ih, b_hh), rtol=1e-12)


def test_round_trip_puts_the_bias_in_bias_ih():
    rng = np.random.default_rng(1)
    W, U, b = signed(rng, D, 4 * H), signed(rng, H, 4 * H), signed(rng, 4 * H)
    w_ih, w_hh, b_ih, b_hh = interop.lstm_weights_to_torch(W, U, b)
    np.testing.assert_array_equal(w_ih, W.T)
    np.testing.assert_array_equal(w_hh, U.T)
    np.testing.assert_array_equal(b_ih, b)
    np.testing.assert_array_equal(b_hh, np.zeros(4 * H))
    for ours, back in zip((W, U, b), interop.lstm_weights_from_torch(w_ih, w_hh, b_ih, b_hh)):
        np.testing.assert_array_equal(ours, back)
    *_, no_bias = interop.lstm_weights_from_torch(w_ih, w_hh)
    assert no_bias is None


@pytest.mark.parametrize("call, message", [
    (lambda: interop.lstm_weights_to_torch(np.ones((D, 3 * H)), np.ones((H, 4 * H))),
     r"kernel: expected 4 gates .* 20 columns, got shape \(3, 15\) \(3 gates of 5\)"),
    (lambda: interop.lstm_weights_from_torch(np.ones((3 * H, D)), np.ones((3 * H, H))),
     r"weight_hh_l0: expected 4 gates .* 20 rows, got shape \(15, 5\) \(3 gates of 5\)"),
    (lambda: interop.lstm_weights_from_torch(np.ones((4 * H, D)), np.ones((4 * H, H)), np.ones(4 * H), np.ones(3)),
     r"bias_hh_l0: expected 4 gates .* got shape \(3,\)"),
    (lambda: interop.lstm_weights_to_torch(np.ones((D, 4 * H)), np.ones((H, 4 * H)), np.ones((1, 4 * H))),
     r"bias: expected shape \(20,\), got \(1, 20\)"),
])
def test_gate_count_and_shape_mismatches_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


class FakeWeight:
    def __init__(self, path, value):
        self.path, self.value = path, value


class FakeKerasModel:
    """What from_keras reads from a Keras 3 model: get_weights() and weights[k].path."""

    def __init__(self, named_arrays):
        self.weights = [FakeWeight(p, a) for p, a in named_arrays]

    def get_weights(self):
        return [w.value for w in self.weights]


def seq2vec():
    x = Input((T, D))
    return Model(x, Dense(2)(RepeatVector(3)(LSTM(H)(x))))


def test_from_keras_sets_the_weights_in_order():
    rng = np.random.default_rng(2)
    model = seq2vec()
    arrays = [signed(rng, *w.shape) for w in model.get_weights()]
    interop.from_keras(FakeKerasModel([(f"w{k}", a) for k, a in enumerate(arrays)]), model)
    for ours, theirs in zip(model.get_weights(), arrays):
        np.testing.assert_array_equal(ours, theirs.astype(ours.dtype))


def test_from_keras_names_both_sides_on_a_mismatch():
    model = seq2vec()
    shapes = [w.shape for w in model.get_weights()]
    with pytest.raises(ValueError, match=r"the Keras model has 4 weight arrays .* has 5"):
        interop.from_keras(FakeKerasModel([("a", np.ones(s)) for s in shapes[:4]]), model)
    gru = [np.ones((D, 3 * H)), np.ones((H, 3 * H)), np.ones(3 * H)] + [np.ones(s) for s in shapes[3:]]
    with pytest.raises(ValueError, match=r"Keras weight 'gru/kernel' has shape \(3, 15\), "
                       r"tinylstm '.*/kernel' expects \(3, 20\): 3 gates where an LSTM has 4"):
        interop.from_keras(FakeKerasModel(zip(["gru/kernel", "gru/rk", "gru/b", "d/k", "d/b"], gru)),
                           model)


def test_importing_tinylstm_does_not_import_torch():
    code = "import sys, tinylstm, tinylstm.interop; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
