"""Whole models in ``.keras`` files, and ``.weights.h5`` weights: tinylstm with itself.

- ``model.save`` + ``load_model`` gives the same predictions, bit for bit, and
  training resumes where it stopped: a loaded model trained one more epoch ends
  with the bytes of the original trained one more epoch (every optimizer, a
  schedule, float32 and float64).
- Every refusal is a ValueError that names the file and what is wrong, and a
  refused load or save changes nothing (the model, the file on disk).
- Without h5py the calls say what to install, and write nothing.

Against Keras 3 itself (Keras opens our files, we open Keras'):
tests/crosscheck/test_keras_files.py.
"""
import io
import json
import sys
import zipfile

import numpy as np
import pytest

pytest.importorskip("h5py", reason='Keras files need h5py: pip install -e ".[keras-files]"')

from helpers import state_of  # noqa: E402
from tinylstm import keras_weights, optimizers, utils  # noqa: E402
from tinylstm.layers import GRU, LSTM, Dense, Input, RepeatVector, SimpleRNN  # noqa: E402
from tinylstm.models import Model, Sequential, load_model  # noqa: E402

T, D = 6, 2


def autoencoder():
    return Sequential([LSTM(5, input_shape=(T, D), return_sequences=True), LSTM(2),
                       RepeatVector(T), GRU(3, return_sequences=True),
                       SimpleRNN(4, return_sequences=True), Dense(D)])


def seq2seq():
    x = Input((T, D))
    h, h_T, c_T = LSTM(4, return_state=True)(x)
    s = LSTM(4, return_sequences=True)(RepeatVector(3)(h), initial_state=[h_T, c_T])
    return Model(x, Dense(D, activation="tanh")(s))


def data(rng, model):
    x = rng.standard_normal((12, T, D))
    y = rng.standard_normal((12,) + model.output_shape[1:])
    return x, y


def assert_same_bytes(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        assert u.dtype == v.dtype and u.shape == v.shape
        np.testing.assert_array_equal(u, v)


OPTIMIZERS = {
    "sgd-nesterov": lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop-centered": lambda: optimizers.RMSprop(momentum=0.5, centered=True),
    "adam-amsgrad": lambda: optimizers.Adam(amsgrad=True),
    "adamw": lambda: optimizers.AdamW(weight_decay=0.1),
    "adagrad": lambda: optimizers.Adagrad(0.05),
    "nadam": lambda: optimizers.Nadam(),
    "adam-schedule": lambda: optimizers.Adam(
        optimizers.schedules.ExponentialDecay(0.01, decay_steps=2, decay_rate=0.5)),
}


@pytest.mark.parametrize("build", [autoencoder, seq2seq])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_save_load_round_trip_and_resume_bit_for_bit(tmp_path, rng, build, name):
    model = build()
    model.compile(optimizer=OPTIMIZERS[name](), loss="mse", metrics=["mae"])
    x, y = data(rng, model)
    model.fit(x, y, epochs=2, batch_size=5, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")

    assert type(loaded) is type(model) and loaded.get_config() == model.get_config()
    assert_same_bytes(loaded.get_weights(), model.get_weights())
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert_same_bytes(loaded.optimizer.state_arrays(), model.optimizer.state_arrays())
    assert loaded.optimizer.get_config() == model.optimizer.get_config()

    utils.set_random_seed(7)
    more = model.fit(x, y, epochs=1, batch_size=5, verbose=0).history
    utils.set_random_seed(7)
    more_loaded = loaded.fit(x, y, epochs=1, batch_size=5, verbose=0).history
    assert more_loaded == more
    assert_same_bytes(loaded.get_weights(), model.get_weights())
    assert_same_bytes(loaded.optimizer.state_arrays(), model.optimizer.state_arrays())


def test_float64_and_an_uncompiled_model(tmp_path, rng, float64):
    model = seq2seq()
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.optimizer is None and loaded.weights[0].dtype == np.float64
    assert_same_bytes(loaded.get_weights(), model.get_weights())


def test_a_model_never_trained_resumes_from_a_fresh_optimizer(tmp_path, rng):
    model = autoencoder()
    model.compile(optimizer="adagrad", loss="mse")
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    x, y = data(rng, model)
    for m in (model, loaded):
        utils.set_random_seed(3)
        m.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert_same_bytes(loaded.get_weights(), model.get_weights())


def test_the_same_model_gives_the_same_bytes(tmp_path):
    model = seq2seq()
    model.compile(optimizer="adam", loss="mae")
    model.save(tmp_path / "a.keras")
    model.save(tmp_path / "b.keras")
    assert (tmp_path / "a.keras").read_bytes() == (tmp_path / "b.keras").read_bytes()


def test_the_file_is_keras_layout(tmp_path):
    import h5py
    model = autoencoder()
    model.compile(optimizer="rmsprop", loss="mse")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        config = json.loads(archive.read("config.json"))
        weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")))
    assert config["class_name"] == "Sequential"
    assert [l["class_name"] for l in config["config"]["layers"]] == [
        "InputLayer", "LSTM", "LSTM", "RepeatVector", "GRU", "SimpleRNN", "Dense"]
    assert config["compile_config"]["loss"] == "mse"
    assert weights["layers/lstm_1/cell/vars/1"].shape == (2, 8)       # the second LSTM's U
    assert weights["layers/simple_rnn/cell/vars/0"].shape == (3, 4)
    assert weights["layers/dense/vars/0"].shape == (4, D)
    assert weights["layers/repeat_vector/vars"].attrs["name"] == model.layers[2].name
    assert int(weights["optimizer/vars/0"][()]) == 0                  # iterations
    assert len(weights["optimizer/vars"]) == 2 + len(model.weights)   # + lr, a velocity each


def test_save_weights_to_h5_is_hdf5_and_reads_back(tmp_path, rng):
    model = autoencoder()
    model.save_weights(tmp_path / "w.weights.h5")
    assert (tmp_path / "w.weights.h5").read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
    other = autoencoder()
    other.load_weights(tmp_path / "w.weights.h5")
    assert_same_bytes(other.get_weights(), model.get_weights())
    with pytest.raises(ValueError, match=r"a \.keras file holds a whole model: use model.save"):
        model.save_weights(tmp_path / "w.keras")


# -- refusals --------------------------------------------------------------------------

def saved(tmp_path, model=None):
    model = model or autoencoder()
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "m.keras")
    return tmp_path / "m.keras"


def rewritten(path, member, change):
    """A copy of the .keras file at ``path`` with ``member``'s bytes passed through ``change``."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = change(members[member])
    out = path.with_name("bad.keras")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            if data is not None:
                archive.writestr(name, data)
    return out


def h5_changed(edit):
    """``change`` for ``rewritten``: edit the HDF5 weights file with h5py."""
    import h5py

    def change(data):
        buffer = io.BytesIO(data)
        with h5py.File(buffer, "r+") as f:
            edit(f)
        return buffer.getvalue()
    return change


def config_changed(edit):
    def change(data):
        config = json.loads(data)
        edit(config)
        return json.dumps(config).encode()
    return change


def set_dataset(path, value):
    def edit(f):
        del f[path]
        f[path] = value
    return edit


BAD_FILES = [
    ("not a zip", lambda p: p.with_name("bad.keras").write_bytes(b"PK nothing") and
     p.with_name("bad.keras"), r"not a \.keras file \(a zip archive\)"),
    ("no weights", lambda p: rewritten(p, "model.weights.h5", lambda d: None),
     r"has no model.weights.h5"),
    ("no config", lambda p: rewritten(p, "config.json", lambda d: None), r"has no config.json"),
    ("config not JSON", lambda p: rewritten(p, "config.json", lambda d: b"{"),
     r"config.json is not valid JSON"),
    ("a weight of another shape", lambda p: rewritten(p, "model.weights.h5", h5_changed(
        set_dataset("layers/lstm/cell/vars/1", np.zeros((5, 8), np.float32)))),
     r"layers/lstm/cell/vars/1 has shape \(5, 8\), the model expects \(5, 20\)"),
    ("a weight missing", lambda p: rewritten(p, "model.weights.h5", h5_changed(
        lambda f: f.__delitem__("layers/dense/vars/1"))),
     r"layers/dense/vars holds \['0'\]; the model expects 2 weight\(s\)"),
    ("a NaN weight", lambda p: rewritten(p, "model.weights.h5", h5_changed(
        set_dataset("layers/dense/vars/1", np.full(D, np.nan, np.float32)))),
     r"layers/dense/vars/1 holds 2 NaN"),
    ("strings for weights", lambda p: rewritten(p, "model.weights.h5", h5_changed(
        set_dataset("layers/dense/vars/1", np.array([b"a", b"b"])))),
     r"layers/dense/vars/1 has dtype \|S1, expected numbers"),
    ("an unknown layer", lambda p: rewritten(p, "config.json", config_changed(
        lambda c: c["config"]["layers"][1].update(class_name="ConvLSTM2D"))),
     r"unknown layer class 'ConvLSTM2D'"),
    ("a feature tinylstm lacks", lambda p: rewritten(p, "config.json", config_changed(
        lambda c: c["config"]["layers"][1]["config"].update(unroll=True))),
     r"LSTM: tinylstm does not support unroll=True"),
    ("an unknown optimizer", lambda p: rewritten(p, "config.json", config_changed(
        lambda c: c["compile_config"]["optimizer"].update(class_name="Lion"))),
     r"compile_config: unknown optimizer class 'Lion'"),
    ("optimizer state of another size", lambda p: rewritten(p, "model.weights.h5", h5_changed(
        lambda f: f.__delitem__("optimizer/vars/1"))),
     r"optimizer/vars holds .*; the model expects"),
]


@pytest.mark.parametrize("make,pattern", [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_is_refused_with_what_is_wrong(tmp_path, make, pattern):
    bad = make(saved(tmp_path))
    with pytest.raises(ValueError, match=pattern) as err:
        load_model(bad)
    assert "bad.keras" in str(err.value)


def test_a_refused_weights_file_changes_nothing(tmp_path):
    path = saved(tmp_path)
    bad = rewritten(path, "model.weights.h5", h5_changed(
        set_dataset("layers/dense/vars/1", np.full(D, np.inf, np.float32))))
    with zipfile.ZipFile(bad) as archive:
        (tmp_path / "bad.weights.h5").write_bytes(archive.read("model.weights.h5"))
    model = autoencoder()
    model.compile(optimizer="adam", loss="mse")
    before = state_of(model)
    with pytest.raises(ValueError, match="infinite"):
        model.load_weights(tmp_path / "bad.weights.h5")
    assert state_of(model) == before


def test_a_refused_save_leaves_the_old_file(tmp_path):
    path = saved(tmp_path)
    old = path.read_bytes()
    model = autoencoder()
    model.compile(optimizer="adam", loss=(lambda y, p: 0.0, lambda y, p: 0 * p))
    with pytest.raises(ValueError, match="your own .loss, gradient. pair"):
        model.save(path)
    with pytest.raises(ValueError, match=r"expected a `\.keras` extension"):
        model.save(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="has no weights yet"):
        Sequential([Dense(1)]).save(tmp_path / "unbuilt.keras")
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]


def test_without_h5py_the_call_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)            # import h5py fails
    model = autoencoder()
    for call in (lambda: model.save(tmp_path / "m.keras"),
                 lambda: model.save_weights(tmp_path / "w.weights.h5"),
                 lambda: load_model(tmp_path / "m.keras")):
        with pytest.raises(ImportError, match=r'pip install "tinylstm\[keras-files\]"'):
            call()
    assert list(tmp_path.iterdir()) == []


def test_keras_order_of_a_functional_model():
    """Keras lists layers by depth from the outputs, ties in depth-first order; tinylstm's
    own order (inputs first, then each node after what it reads) may differ."""
    a, b = Input((3,), name="a"), Input((4,), name="b")
    da = Dense(2, name="da")(a)
    db = Dense(2, name="db")(Dense(5, name="deep")(b))
    out = Dense(1, name="out")(LSTM(2, name="lstm")(RepeatVector(2, name="rep")(da)))
    model = Model([a, b], [out, db])
    order = [layer.name for layer in keras_weights.keras_layers(model)]
    assert order == ["a", "da", "rep", "b", "lstm", "deep", "out", "db"]


def test_model_checkpoint_saves_whole_models(tmp_path, rng):
    from tinylstm.callbacks import ModelCheckpoint
    model = autoencoder()
    model.compile(optimizer="adam", loss="mse")
    x, y = data(rng, model)
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"), monitor="loss")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1.keras", "m-2.keras"]
    last = load_model(tmp_path / "m-2.keras")
    assert_same_bytes(last.get_weights(), model.get_weights())
    assert last.optimizer.iterations == model.optimizer.iterations == 2


class Twice(Dense):
    """A wrapper in Keras' manner: its weights are its inner layer's, kept under ``layer``."""

    def __init__(self, layer, **kwargs):
        super().__init__(layer.units, **kwargs)
        self.layer = layer

    def build(self, input_shape):
        self.layer.build(input_shape)
        self.params, self.grads = self.layer.params, self.layer.grads
        self.built = True


def test_a_wrapper_keeps_its_inner_layers_weights_under_their_attribute(tmp_path):
    import h5py
    model = Sequential([Input((3,)), Twice(Dense(2)), Dense(1)])
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:
        assert sorted(k for k in f["layers/twice"]) == ["layer", "vars"]
        assert len(f["layers/twice/vars"]) == 0 and f["layers/twice/layer/vars/0"].shape == (3, 2)
    other = Sequential([Input((3,)), Twice(Dense(2)), Dense(1)])
    other.load_weights(tmp_path / "w.weights.h5")
    assert_same_bytes(other.get_weights(), model.get_weights())
