"""``.keras`` and ``.weights.h5`` files between tinylstm and Keras 3, both ways.

- tinylstm -> Keras: a model saved by tinylstm opens in ``keras.models.load_model``
  and predicts the same (1e-5); a trained one carries its optimizer: Keras'
  loaded variables equal tinylstm's state, and one more epoch in each ends on
  the same weights (1e-4).
- Keras -> tinylstm: a Keras 3 file of LSTM, GRU, SimpleRNN, Dense and
  RepeatVector layers opens in tinylstm and predicts the same; trained in Keras,
  it goes on training in tinylstm as it would have in Keras.
- Configs: every key tinylstm writes for a layer holds Keras' value; every key
  Keras writes that tinylstm lacks holds the default tinylstm drops.
"""
import numpy as np
import pytest

pytest.importorskip("torch", reason="torch (Keras' backend here) is not installed: "
                    "pip install -e .[crosscheck]")
keras = pytest.importorskip("keras", reason="keras 3 is not installed: pip install -e .[crosscheck]")
pytest.importorskip("h5py", reason='Keras files need h5py: pip install -e ".[keras-files]"')

import tinylstm  # noqa: E402
from tinylstm import interop, serialization  # noqa: E402
from tinylstm.gradcheck import relative_error  # noqa: E402
from tinylstm.models import load_model  # noqa: E402

from peer_models import (build_stack, encoder_decoder, given_state, model_inputs,  # noqa: E402
                         random_inputs, random_stack, twin_models)

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"),
    pytest.mark.usefixtures("keras_float32", "float32"),
]

FORWARD_RTOL, TRAINING_RTOL = 1e-5, 1e-4


def rnn_zoo(lib, T=5, D=3):
    """Every layer kind Keras files may bring: LSTM, GRU (both resets), SimpleRNN, Dense,
    RepeatVector, in a Sequential."""
    L = lib.layers
    return lib.Sequential([
        lib.Input((T, D)), L.LSTM(4, return_sequences=True), L.GRU(3, return_sequences=True),
        L.GRU(3, reset_after=False, go_backwards=True), L.RepeatVector(T),
        L.SimpleRNN(4, return_sequences=True, activation="relu"), L.Dense(2, activation="tanh")])


BUILDERS = {"rnn_zoo": rnn_zoo, "encoder_decoder": encoder_decoder, "given_state": given_state,
            **{f"random_stack_{s}": (lambda lib, d=random_stack(s): build_stack(lib, *d))
               for s in (0, 1, 3, 6)}}


def layer_names(tiny_model):
    """tinylstm's layers in the order Keras 3 lists them (``keras_model.layers``)."""
    return [layer.name for layer in tinylstm.keras_weights.keras_layers(tiny_model)]


def assert_predicts_the_same(keras_model, tiny_model, rng, what):
    x = model_inputs(tiny_model, 6, rng)
    expected, got = keras_model.predict(x, verbose=0), tiny_model.predict(x, verbose=0)
    assert np.ptp(expected) > 1e-2, "outputs nearly constant: the comparison would prove little"
    err = relative_error(got, expected)
    assert err < FORWARD_RTOL, f"{what}: predictions differ by {err:.2e}"


@pytest.mark.parametrize("name", list(BUILDERS))
def test_a_tinylstm_file_opens_in_keras(tmp_path, name):
    rng = np.random.default_rng(list(BUILDERS).index(name))
    _, tiny_model = twin_models(BUILDERS[name], rng)
    interop.save_keras(tiny_model, tmp_path / "m.keras")
    keras_model = keras.models.load_model(tmp_path / "m.keras")
    assert [l.name for l in keras_model.layers] == layer_names(tiny_model)
    assert_predicts_the_same(keras_model, tiny_model, rng, name)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_a_keras_file_opens_in_tinylstm(tmp_path, name):
    rng = np.random.default_rng([list(BUILDERS).index(name), 1])
    keras_model, _ = twin_models(BUILDERS[name], rng)
    keras_model.save(tmp_path / "k.keras")
    tiny_model = interop.load_keras(tmp_path / "k.keras")
    assert layer_names(tiny_model) == [l.name for l in keras_model.layers]
    assert_predicts_the_same(keras_model, tiny_model, rng, name)


OPTIMIZERS = {
    "adam": lambda lib: lib.optimizers.Adam(learning_rate=0.01, amsgrad=True),
    "rmsprop": lambda lib: lib.optimizers.RMSprop(momentum=0.5, centered=True),
    "sgd": lambda lib: lib.optimizers.SGD(learning_rate=0.1, momentum=0.9),
    "nadam": lambda lib: lib.optimizers.Nadam(learning_rate=0.01),
    "adagrad": lambda lib: lib.optimizers.Adagrad(learning_rate=0.1),
    "adamw": lambda lib: lib.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1),
    "schedule": lambda lib: lib.optimizers.SGD(
        lib.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)),
}


def train(model, x, y, epochs):
    return model.fit(x, y, batch_size=4, epochs=epochs, shuffle=False, verbose=0).history


def assert_same_weights(a, b, what):
    for k, (u, v) in enumerate(zip(a, b)):
        err = relative_error(u, v)
        assert err < TRAINING_RTOL, f"{what}: weight {k} differs by {err:.2e}"


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("name", ["encoder_decoder", "rnn_zoo"])
def test_trained_in_tinylstm_goes_on_in_keras(tmp_path, name, optimizer):
    rng = np.random.default_rng([list(OPTIMIZERS).index(optimizer), 2])
    keras_twin, tiny_model = twin_models(BUILDERS[name], rng)
    x, y = model_inputs(tiny_model, 10, rng), random_inputs([tiny_model.output_shape[1:]], 10, rng)[0]
    tiny_model.compile(optimizer=OPTIMIZERS[optimizer](tinylstm), loss="mse")
    train(tiny_model, x, y, 2)
    tiny_model.save(tmp_path / "m.keras")
    keras_model = keras.models.load_model(tmp_path / "m.keras")
    assert int(keras_model.optimizer.iterations) == tiny_model.optimizer.iterations == 6
    theirs = [keras.ops.convert_to_numpy(v) for v in keras_model.optimizer.variables]
    ours = tinylstm.keras_weights.optimizer_arrays(tiny_model)
    assert len(theirs) == len(ours)
    for k, (a, b) in enumerate(zip(theirs[1:], ours[1:])):
        np.testing.assert_array_equal(a, b, err_msg=f"optimizer variable {k + 1}")
    train(tiny_model, x, y, 1)
    train(keras_model, x, y, 1)
    assert_same_weights(tiny_model.get_weights(), keras_model.get_weights(), f"{name}, {optimizer}")


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("name", ["encoder_decoder", "rnn_zoo"])
def test_trained_in_keras_goes_on_in_tinylstm(tmp_path, name, optimizer):
    rng = np.random.default_rng([list(OPTIMIZERS).index(optimizer), 3])
    keras_model, tiny_twin = twin_models(BUILDERS[name], rng)
    x, y = model_inputs(tiny_twin, 10, rng), random_inputs([tiny_twin.output_shape[1:]], 10, rng)[0]
    keras_model.compile(optimizer=OPTIMIZERS[optimizer](keras), loss="mse")
    train(keras_model, x, y, 2)
    keras_model.save(tmp_path / "k.keras")
    tiny_model = load_model(tmp_path / "k.keras")
    assert tiny_model.optimizer.iterations == 6
    assert_same_weights(tiny_model.get_weights(), keras_model.get_weights(), "loaded")
    expected = train(keras_model, x, y, 1)["loss"]
    got = train(tiny_model, x, y, 1)["loss"]
    assert got == pytest.approx(expected, rel=TRAINING_RTOL)
    assert_same_weights(tiny_model.get_weights(), keras_model.get_weights(), f"{name}, {optimizer}")


def test_weights_files_both_ways(tmp_path):
    rng = np.random.default_rng(5)
    keras_model, tiny_model = twin_models(BUILDERS["rnn_zoo"], rng)
    tiny_model.save_weights(tmp_path / "t.weights.h5")
    fresh = rnn_zoo(keras)
    fresh.load_weights(tmp_path / "t.weights.h5")
    assert_predicts_the_same(fresh, tiny_model, rng, "Keras reads tinylstm's .weights.h5")
    keras_model.save_weights(tmp_path / "k.weights.h5")
    fresh = rnn_zoo(tinylstm)
    fresh.load_weights(tmp_path / "k.weights.h5")
    assert_predicts_the_same(keras_model, fresh, rng, "tinylstm reads Keras' .weights.h5")


def without_ids(value):
    """A config without Keras' shared_object_id (an id() of the moment)."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


LAYERS = {
    "LSTM": dict(units=3, activation="relu", recurrent_activation="tanh", use_bias=False,
                 kernel_initializer="lecun_normal", unit_forget_bias=False,
                 return_sequences=True, return_state=True, go_backwards=True),
    "GRU": dict(units=2, reset_after=False, recurrent_initializer="glorot_normal"),
    "SimpleRNN": dict(units=4, bias_initializer="ones", return_sequences=True),
    "Dense": dict(units=5, activation="sigmoid",
                  kernel_initializer={"class_name": "RandomNormal",
                                      "config": {"mean": 0.5, "stddev": 2.0, "seed": 3}}),
    "RepeatVector": dict(n=7),
}


def assert_keras_config(ours, theirs, where):
    """Every key of ours holds Keras' value; every key only Keras has holds the default that
    tinylstm drops (recursively: initializers' configs too)."""
    if not isinstance(ours, dict):
        assert ours == theirs, f"{where}: {ours!r} != Keras' {theirs!r}"
        return
    assert isinstance(theirs, dict), f"{where}: {ours!r} != Keras' {theirs!r}"
    for key, value in ours.items():
        assert key in theirs, f"{where}: tinylstm writes {key!r}, Keras does not"
        assert_keras_config(value, theirs[key], f"{where}.{key}")
    for key in set(theirs) - set(ours):
        assert key in serialization.KERAS_DEFAULTS and serialization._same(
            theirs[key], serialization.KERAS_DEFAULTS[key]), \
            f"{where}: Keras' {key}={theirs[key]!r} is not a default tinylstm may drop"


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_configs_are_keras_configs(name):
    kwargs = dict(LAYERS[name], name=f"my_{name.lower()}")
    keras_layer = getattr(keras.layers, name)(**{
        k: keras.initializers.get(v) if isinstance(v, dict) else v for k, v in kwargs.items()})
    tiny_layer = getattr(tinylstm.layers, name)(**kwargs)
    theirs, ours = without_ids(keras_layer.get_config()), tiny_layer.get_config()
    assert_keras_config(ours, theirs, name)
    assert getattr(tinylstm.layers, name).from_config(theirs).get_config() == ours


def test_keras_order_matches_keras_on_a_branching_graph():
    def build(lib):
        L = lib.layers
        a, b = lib.Input((3,), name="a"), lib.Input((4, 2), name="b")
        h, h_T, c_T = L.LSTM(3, return_state=True, name="enc")(b)
        da = L.Dense(3, name="da")(a)
        s = L.LSTM(3, return_sequences=True, name="dec")(L.RepeatVector(4, name="rep")(da),
                                                          initial_state=[h_T, c_T])
        return lib.Model([a, b], [L.Dense(1, name="out")(s), L.Dense(2, name="side")(h)])
    keras_model, tiny_model = build(keras), build(tinylstm)
    assert layer_names(tiny_model) == [l.name for l in keras_model.layers]


def test_a_keras_model_compiled_but_never_trained(tmp_path):
    """Keras writes an optimizer that never stepped as iterations and learning rate only."""
    rng = np.random.default_rng(8)
    keras_model, _ = twin_models(BUILDERS["encoder_decoder"], rng)
    keras_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02),
                        loss=keras.losses.MeanSquaredError(), metrics=["mae"])
    keras_model.save(tmp_path / "k.keras")
    tiny_model = load_model(tmp_path / "k.keras")
    assert type(tiny_model.loss) is tinylstm.losses.MeanSquaredError
    assert tiny_model.optimizer.iterations == 0
    assert float(tiny_model.optimizer.learning_rate) == float(np.float32(0.02))
    x = model_inputs(tiny_model, 10, rng)
    y = random_inputs([tiny_model.output_shape[1:]], 10, rng)[0]
    expected, got = train(keras_model, x, y, 2), train(tiny_model, x, y, 2)
    assert got["mae"] == pytest.approx(expected["mae"], rel=TRAINING_RTOL)
    assert_same_weights(tiny_model.get_weights(), keras_model.get_weights(), "fresh Adam")
