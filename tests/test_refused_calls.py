"""A refused call changes nothing: set_weights, load_weights and from_keras check every array
before they write any.

Each case builds a fresh model, snapshots everything a call could change (``state_of``:
weights, what is built, optimizer state, compiled loss and metrics, history, the global
random generator), makes the bad call, and compares.
"""
import numpy as np
import pytest

from tinylstm import interop
from tinylstm.layers import LSTM, Dense
from tinylstm.models import Sequential

from helpers import state_of

T, D = 6, 2
RNG = np.random.default_rng(1234)
X, Y = RNG.standard_normal((8, T, D)), RNG.standard_normal((8, T, 1))


def trained():
    """Built, compiled, one epoch trained: its optimizer has state."""
    model = Sequential([LSTM(4, input_shape=(T, D), return_sequences=True), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, verbose=0)
    return model


def bad_weight_lists(weights):
    """Lists with one bad array among good ones, the bad one last (so a partial write shows)."""
    good = [2 * w + 1 for w in weights]

    def last(value):
        return good[:-1] + [value]

    w = weights[-1]
    return [
        ("wrong count", good[:-1], ValueError, "expects"),
        ("wrong shape", last(np.ones(w.shape + (1,))), ValueError, "expected shape"),
        ("strings", last(np.full(w.shape, "x")), TypeError, "numeric"),
        ("complex", last(np.ones(w.shape) * (1 + 2j)), TypeError, "complex"),
        ("NaN", last(np.full(w.shape, np.nan)), ValueError, "NaN or infinite"),
        ("too large for float32", last(np.full(w.shape, 1e300)), ValueError, "too large for float32"),
    ]


@pytest.mark.parametrize("case", range(6), ids=[c[0] for c in bad_weight_lists([np.zeros(1)])])
def test_refused_set_weights_changes_nothing(case):
    model = trained()
    label, weights, exc, pattern = bad_weight_lists(model.get_weights())[case]
    before = state_of(model)
    with pytest.raises(exc, match=pattern):
        model.set_weights(weights)
    assert state_of(model) == before


@pytest.mark.parametrize("case", range(6), ids=[c[0] for c in bad_weight_lists([np.zeros(1)])])
def test_refused_layer_set_weights_changes_nothing(case):
    model = trained()
    layer = model.layers[0]
    label, weights, exc, pattern = bad_weight_lists(layer.get_weights())[case]
    before = state_of(model)
    with pytest.raises(exc, match=pattern):
        layer.set_weights(weights)
    assert state_of(model) == before


class FakeKerasModel:
    """What from_keras reads from a Keras 3 model: get_weights() and weights[k].path."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.weights = [type("W", (), {"path": f"w{k}"})() for k in range(len(arrays))]

    def get_weights(self):
        return self.arrays


@pytest.mark.parametrize("case", [1, 3, 4, 5], ids=["wrong shape", "complex", "NaN", "too large"])
def test_refused_from_keras_changes_nothing(case):
    model = trained()
    label, weights, exc, pattern = bad_weight_lists(model.get_weights())[case]
    before = state_of(model)
    with pytest.raises(exc):
        interop.from_keras(FakeKerasModel(weights), model)
    assert state_of(model) == before


@pytest.mark.parametrize("value,pattern", [(np.nan, "NaN or infinite"), (1e300, "too large for float32")],
                         ids=["NaN", "float64 that overflows float32"])
def test_refused_load_weights_changes_nothing(tmp_path, value, pattern):
    model = trained()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    arrays = dict(np.load(path))
    last = sorted(arrays)[-1]                       # the model's last weight: a partial load shows
    arrays[last] = np.full(arrays[last].shape, value)
    np.savez(path, **arrays)
    model.set_weights([w + 1 for w in model.get_weights()])
    before = state_of(model)
    with pytest.raises(ValueError, match=pattern) as info:
        model.load_weights(path)
    assert str(path) in str(info.value) and last in str(info.value)
    assert state_of(model) == before
