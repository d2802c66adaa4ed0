"""A refused call changes nothing: fit, train_on_batch, set_weights, load_weights, compile and
the callbacks check everything they are given before they change anything.

Each case builds a fresh model, snapshots everything a call could change (``state_of``:
weights, what is built, optimizer state, compiled loss and metrics, history, the global
random generator), makes the bad call, and compares.
"""
import numpy as np
import pytest

from tinylstm import callbacks, interop, optimizers
from tinylstm.layers import LSTM, Dense, Input
from tinylstm.models import Model, Sequential

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


def unbuilt():
    """Compiled, no input shape: built by the first data it is given."""
    model = Sequential([LSTM(4, return_sequences=True), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def poked(a, index, value):
    a = a.copy()
    a[index] = value
    return a


def checkpoint(path):
    return callbacks.ModelCheckpoint(path, save_weights_only=True)


# (label, make model, bad keyword arguments of fit, exception, message pattern)
BAD_FITS = [
    ("2-D data to an LSTM", trained, dict(x=X[:, :, 0], y=Y), ValueError, "reshape"),
    ("wrong feature count", trained, dict(x=RNG.standard_normal((8, T, 3)), y=Y), ValueError, r"\(None, 6, 2\)"),
    ("wrong target shape", trained, dict(x=X, y=Y[:, :, 0]), ValueError, "target expected shape"),
    ("x and y lengths differ", trained, dict(x=X, y=Y[:5]), ValueError, "same number of samples"),
    ("non-numeric x", trained, dict(x=np.full(X.shape, "a"), y=Y), TypeError, "numeric"),
    ("empty x", trained, dict(x=np.zeros((0, T, D)), y=Y[:0]), ValueError, "empty"),
    ("NaN in x", trained, dict(x=poked(X, (0, 0, 0), np.nan), y=Y), ValueError, "NaN"),
    ("inf in y", trained, dict(x=X, y=poked(Y, (1, 2, 0), np.inf)), ValueError, "NaN or infinite"),
    ("x too large for float32", trained, dict(x=X * 1e300, y=Y), ValueError, "too large for float32"),
    ("a dict as x", trained, dict(x={"x": X}, y=Y), TypeError, "got a dict"),
    ("batch_size 0", trained, dict(x=X, y=Y, batch_size=0), ValueError, "batch_size.*positive integer, got 0"),
    ("epochs -1", trained, dict(x=X, y=Y, epochs=-1), ValueError, "epochs.*non-negative"),
    ("verbose 5", trained, dict(x=X, y=Y, verbose=5), ValueError, "verbose"),
    ("shuffle 'no'", trained, dict(x=X, y=Y, shuffle="no"), TypeError, "shuffle.*True or False"),
    ("validation_split 1.5", trained, dict(x=X, y=Y, validation_split=1.5), ValueError, "validation_split"),
    ("validation_split leaves no training rows", trained, dict(x=X[:1], y=Y[:1], validation_split=0.5),
     ValueError, "not sufficient to split"),
    ("bad validation_data", trained, dict(x=X, y=Y, validation_data=(X, Y[:, :, 0])), ValueError, "target"),
    ("a callback that is not one", trained, dict(x=X, y=Y, callbacks=[object()]), TypeError, "Callback instances"),
    ("a checkpoint placeholder fit does not log", trained,
     dict(x=X, y=Y, callbacks=[checkpoint("w-{val_loss:.2f}.npz")]), ValueError, r"\{val_loss\}.*logs epoch, loss"),
    ("a checkpoint format the logs cannot fill", trained,
     dict(x=X, y=Y, callbacks=[checkpoint("w-{epoch:s}.npz")]), ValueError, "cannot be formatted"),
    ("unbuilt: targets the stack cannot give", unbuilt, dict(x=X, y=RNG.standard_normal((8, T, 2))),
     ValueError, r"target expected shape \(None, 6, 1\).*dense"),
    ("unbuilt: 2-D data to its LSTM", unbuilt, dict(x=X[:, :, 0], y=Y), ValueError, "expected ndim=3"),
    ("unbuilt: a bad callback", unbuilt, dict(x=X, y=Y, callbacks=[checkpoint("{nope}.npz")]),
     ValueError, r"\{nope\}"),
]


@pytest.mark.parametrize("label,make,kwargs,exc,pattern", BAD_FITS, ids=[c[0] for c in BAD_FITS])
def test_refused_fit_changes_nothing(label, make, kwargs, exc, pattern):
    model = make()
    before = state_of(model)
    with pytest.raises(exc, match=pattern):
        model.fit(**{"verbose": 0, **kwargs})
    assert state_of(model) == before


def test_unbuilt_sequential_refused_on_bad_data_then_trains_on_good_data():
    model = unbuilt()
    with pytest.raises(ValueError):
        model.fit(RNG.standard_normal((8, T, 3)), RNG.standard_normal((8, T, 2)), verbose=0)
    model.fit(X, Y, verbose=0)
    assert model.input_shape == (None, T, D) and model.output_shape == (None, T, 1)


BAD_BATCHES = [
    ("NaN in x", dict(x=poked(X, (3, 1, 1), np.nan), y=Y), ValueError, "NaN"),
    ("wrong target shape", dict(x=X, y=Y[:, :-1]), ValueError, "target expected shape"),
    ("a list of rows as x", dict(x=X.tolist(), y=Y), ValueError, r"np\.asarray"),
]


@pytest.mark.parametrize("label,kwargs,exc,pattern", BAD_BATCHES, ids=[c[0] for c in BAD_BATCHES])
@pytest.mark.parametrize("make", [trained, unbuilt])
def test_refused_train_on_batch_changes_nothing(make, label, kwargs, exc, pattern):
    model = make()
    before = state_of(model)
    with pytest.raises(exc, match=pattern):
        model.train_on_batch(**kwargs)
    assert state_of(model) == before


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


def two_output_model():
    x = Input((T, D))
    return Model(x, [Dense(1, name="a")(x), Dense(1, name="b")(x)])


BAD_COMPILES = [
    ("unknown loss", trained, dict(optimizer="adam", loss="msee"), ValueError, "mean_squared_error"),
    ("two losses for one output", trained, dict(optimizer="adam", loss=["mse", "mae"]), ValueError,
     r"1 output\(s\) and compile got 2 losses"),
    ("metrics as a string", trained, dict(optimizer="adam", loss="mse", metrics="mae"), ValueError,
     r"metrics. to be a list such as \['mae'\]"),
    ("a flat metrics list for two outputs", two_output_model, dict(optimizer="adam", loss="mse", metrics=["mae"]),
     ValueError, r"one list per output, e\.g\. \[\['mae'\], \['mae'\]\]"),
    ("unknown optimizer", trained, dict(optimizer="adamax", loss="mse"), ValueError, "rmsprop"),
]


@pytest.mark.parametrize("label,make,kwargs,exc,pattern", BAD_COMPILES, ids=[c[0] for c in BAD_COMPILES])
def test_refused_compile_changes_nothing(label, make, kwargs, exc, pattern):
    model = make()
    before = state_of(model)
    with pytest.raises(exc, match=pattern):
        model.compile(**kwargs)
    assert state_of(model) == before


def test_an_optimizer_trains_one_model_only():
    """Keras 3 refuses it too ("Unknown variable"): the moments belong to model a's weights."""
    a, b = trained(), trained()
    before = state_of(b)
    with pytest.raises(ValueError, match="create a new optimizer"):
        b.compile(optimizer=a.optimizer, loss="mse")
    assert state_of(b) == before
    shared = optimizers.Adam()
    a.compile(optimizer=shared, loss="mse")
    b.compile(optimizer=shared, loss="mse")         # allowed while shared has no moments yet
    a.fit(X, Y, verbose=0)
    before = state_of(b)
    with pytest.raises(ValueError, match="create a new optimizer"):
        b.fit(X, Y, verbose=0)
    with pytest.raises(ValueError, match="create a new optimizer"):
        b.train_on_batch(X, Y)
    assert state_of(b) == before
    a.compile(optimizer=shared, loss="mae")         # the same model again: fine


def test_refused_set_state_arrays_changes_nothing():
    model = trained()
    opt = model.optimizer
    saved = opt.state_arrays()
    before = state_of(model)
    with pytest.raises(ValueError, match="needs 10 slot arrays, got 8"):
        opt.set_state_arrays(saved[:-2])
    with pytest.raises(ValueError, match="slot has shape"):
        opt.set_state_arrays(saved[:1] + [np.zeros(3)] + saved[2:])
    assert state_of(model) == before


def test_refused_callback_arguments():
    with pytest.raises(ValueError, match=r"factor. expected a number in \(0, 1\), got 0"):
        callbacks.ReduceLROnPlateau(factor=0)
    with pytest.raises(ValueError, match="factor"):
        callbacks.ReduceLROnPlateau(factor=-1.0)
    with pytest.raises(ValueError, match="min_lr"):
        callbacks.ReduceLROnPlateau(min_lr=float("nan"))
