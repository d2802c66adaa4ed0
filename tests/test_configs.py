"""Configs (Keras 3's format) for every layer and model, layer.input / layer.output, signatures.

A config must hold every constructor argument (a layer that forgets one in
``get_config`` would come back from a file as a different layer, silently):
the test reads each exported layer's signature, and its base classes' (an
argument passed on through ``**kwargs`` counts), and checks that its config
names every argument and makes the same layer again. Keras' own configs are
compared in tests/crosscheck/test_keras_files.py.
"""
import inspect
import json

import numpy as np
import pytest

import tinylstm
from tinylstm import layers, model_config
from tinylstm.layers import (GRU, LSTM, Bidirectional, Dense, Dropout, Embedding, Input,
                             InputLayer, Masking, RepeatVector, SimpleRNN, TimeDistributed)
from tinylstm.models import Model, Sequential

EXAMPLES = {     # a layer of each exported class, with arguments off their defaults
    "LSTM": lambda: LSTM(3, activation="relu", recurrent_activation="tanh", use_bias=False,
                         kernel_initializer="he_normal", unit_forget_bias=False, dropout=0.2,
                         recurrent_dropout=0.1, seed=3, return_sequences=True, go_backwards=True,
                         stateful=True, name="l", dtype="float64"),
    "GRU": lambda: GRU(2, reset_after=False, return_state=True, trainable=False, dropout=0.5),
    "SimpleRNN": lambda: SimpleRNN(4, bias_initializer=tinylstm.initializers.Constant(0.5)),
    "Dense": lambda: Dense(5, activation="tanh",
                           kernel_initializer=tinylstm.initializers.Orthogonal(gain=2.0, seed=4)),
    "RepeatVector": lambda: RepeatVector(7),
    "InputLayer": lambda: InputLayer(batch_shape=(3, 5, 2), name="inp"),
    "Embedding": lambda: Embedding(10, 3, embeddings_initializer="glorot_uniform", mask_zero=True),
    "Masking": lambda: Masking(-1.0),
    "Dropout": lambda: Dropout(0.3, noise_shape=(None, 1, 4), seed=2),
    "TimeDistributed": lambda: TimeDistributed(Dense(3, activation="relu")),
    "Bidirectional": lambda: Bidirectional(LSTM(3, return_sequences=True, recurrent_dropout=0.1),
                                           merge_mode="sum"),
}
NOT_IN_CONFIG = {"InputLayer": {"shape", "batch_size"},   # written as Keras' batch_shape
                 "SimpleRNN": {"seed"}}                    # Keras 3's SimpleRNN config leaves it out


def exported_layer_classes():
    return {name: cls for name, cls in vars(layers).items()
            if isinstance(cls, type) and issubclass(cls, layers.Layer) and cls is not layers.Layer}


def test_every_exported_layer_has_an_example():
    assert set(exported_layer_classes()) == set(EXAMPLES), \
        "a new layer needs an entry in EXAMPLES (and a get_config with every argument)"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_config_names_every_argument_and_makes_the_same_layer(name):
    cls = exported_layer_classes()[name]
    layer = EXAMPLES[name]()
    config = layer.get_config()
    params = {p for klass in cls.__mro__ if issubclass(klass, layers.Layer) and klass is not layers.Layer
              for p, v in inspect.signature(klass.__init__).parameters.items()
              if p != "self" and v.kind not in (v.VAR_KEYWORD, v.VAR_POSITIONAL)}   # the bases' too
    missing = set(params) - set(config) - NOT_IN_CONFIG.get(name, set())
    assert not missing, f"{name}.get_config() lacks {sorted(missing)}"
    text = json.dumps(model_config.serialize_layer(layer))           # JSON holds it
    again = model_config.deserialize_layer(json.loads(text))
    assert type(again) is cls and again.get_config() == config


def test_signatures_show_the_real_arguments():
    shown = str(inspect.signature(LSTM))
    assert shown.startswith("(units, activation='tanh', recurrent_activation='sigmoid'")
    for arg in ("return_sequences=False", "return_state=False", "go_backwards=False",
                "unit_forget_bias=True", "kernel_initializer='glorot_uniform'"):
        assert arg in shown
    assert "return_sequences=False" in str(inspect.signature(GRU))
    assert "return_sequences=False" in str(inspect.signature(SimpleRNN))


def test_a_keras_only_argument_at_its_default_is_dropped_else_refused():
    config = LSTM(3).get_config()
    assert LSTM.from_config({**config, "dropout": 0.0, "kernel_regularizer": None}).units == 3
    with pytest.raises(ValueError, match=r"LSTM: tinylstm does not support unroll=True"):
        LSTM.from_config({**config, "unroll": True})
    with pytest.raises(ValueError, match=r"LSTM: unknown config key 'unitz'"):
        LSTM.from_config({**config, "unitz": 3})
    with pytest.raises(ValueError, match=r"tinylstm does not nest models"):
        model_config.deserialize_layer({"class_name": "Sequential", "config": {"name": "inner"}})


def autoencoder():
    return Sequential([LSTM(4, input_shape=(6, 1), return_sequences=True), LSTM(1),
                       RepeatVector(6), LSTM(4, return_sequences=True), Dense(1)])


def seq2seq():
    x = Input((5, 2))
    h, h_T, c_T = LSTM(3, return_state=True)(x)
    s = LSTM(3, return_sequences=True)(RepeatVector(4)(h), initial_state=[h_T, c_T])
    shared = Dense(2)                                              # a layer called twice,
    first = shared(s)
    second = Dense(1)(shared(RepeatVector(4)(h_T)))                # its second call read on
    return Model(x, [first, second])


@pytest.mark.parametrize("build", [autoencoder, seq2seq])
def test_model_config_round_trip(build, rng):
    model = build()
    config = json.loads(json.dumps(model.get_config()))
    again = type(model).from_config(config)
    assert again.get_config() == model.get_config()
    assert [l.name for l in again.layers] == [l.name for l in model.layers]
    again.set_weights(model.get_weights())
    x = rng.standard_normal((3,) + model.input_shape[1:])
    ours, theirs = again.predict(x, verbose=0), model.predict(x, verbose=0)
    for a, b in zip(*(o if isinstance(o, list) else [o] for o in (ours, theirs))):
        np.testing.assert_array_equal(a, b)


def test_a_shared_layer_has_one_entry_and_two_nodes():
    config = seq2seq().get_config()
    dense = [entry for entry in config["layers"] if entry["class_name"] == "Dense"
             and entry["config"]["units"] == 2]
    assert len(dense) == 1 and len(dense[0]["inbound_nodes"]) == 2
    second = dense[0]["inbound_nodes"][1]["args"][0]["config"]["keras_history"]
    assert second[0].startswith("repeat_vector") and config["output_layers"][0][1:] == [0, 0]
    reader = [e for e in config["layers"] if e["name"] == config["output_layers"][1][0]][0]
    assert reader["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == [dense[0]["name"], 1, 0]


# -- layer.input and layer.output ----------------------------------------------------------

def test_the_encoder_of_a_trained_sequential(rng):
    """The post: Model(model.inputs, model.layers[1].output) is the encoder of the autoencoder."""
    model = Sequential([LSTM(32, return_sequences=True), LSTM(1), RepeatVector(100),
                        LSTM(32, return_sequences=True), LSTM(1, return_sequences=True)])
    model.compile(optimizer="rmsprop", loss="mse")
    x = rng.standard_normal((4, 100, 1))
    model.fit(x, x, epochs=1, verbose=0)                 # built on its first data
    assert model.layers[0].output.shape == (None, 100, 32)
    assert model.layers[1].input is model.layers[0].output
    encoder = Model(model.inputs, model.layers[1].output)
    assert encoder.output_shape == (None, 1)
    h = model.layers[0](x)
    np.testing.assert_allclose(encoder.predict(x, verbose=0), model.layers[1](h), rtol=1e-6)


def test_input_and_output_are_those_of_the_first_call():
    x, z = Input((3,)), Input((3,))
    dense = Dense(2)
    y1, y2 = dense(x), dense(z)
    assert dense.input is x and dense.output is y1 and y2 is not y1
    assert x.node.layer.output is x
    lstm = LSTM(2, return_state=True)
    outputs = lstm(Input((4, 3)))
    assert lstm.output == outputs and len(outputs) == 3


def test_a_layer_never_called_has_no_output():
    with pytest.raises(AttributeError, match="The layer d has never been called and thus has "
                                             "no defined output"):
        Dense(1, name="d").output


# -- the package's face ------------------------------------------------------------------

def test_optional_modules_load_on_first_use():
    import subprocess
    import sys
    code = ("import sys, tinylstm; before = {m for m in ('numba', 'matplotlib', 'h5py', 'torch') "
            "if m in sys.modules}; tinylstm.gradcheck.check_layer; tinylstm.interop.save_keras; "
            "tinylstm.inspect.record; tinylstm.plotting.gate_heatmaps; print(sorted(before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tinylstm.__path__[0] + "/..", check=True).stdout
    assert out.strip() == "[]"
    with pytest.raises(AttributeError, match="no attribute 'gradchek'"):
        tinylstm.gradchek


def public_objects():
    """Every public class and function of tinylstm's modules, and the public methods of the
    classes."""
    import importlib
    import pkgutil
    seen = {}
    for info in pkgutil.walk_packages(tinylstm.__path__, "tinylstm."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                seen[f"{module.__name__}.{name}"] = obj
                if inspect.isclass(obj):
                    for meth, fn in vars(obj).items():
                        if not meth.startswith("_") and (inspect.isfunction(fn) or isinstance(
                                fn, (classmethod, property))):
                            seen[f"{module.__name__}.{name}.{meth}"] = fn
    return seen


DOCUMENTED_ELSEWHERE = {   # hooks and small overrides whose meaning the base class documents
    "build", "forward", "backward", "compute_output_shape", "check_input_shape", "get_config",
    "from_config", "update_step", "initial_slot", "initial_scalar", "next_scalars", "run",
    "run_backward", "sample", "set_model", "set_params", "on_train_begin", "on_train_end",
    "on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end", "grad"}


def test_every_public_class_and_function_has_a_docstring():
    missing = []
    for name, obj in public_objects().items():
        fn = obj.__func__ if isinstance(obj, classmethod) else getattr(obj, "fget", obj)
        if name.rsplit(".", 1)[-1] in DOCUMENTED_ELSEWHERE and "." in name[len("tinylstm."):]:
            continue
        if not (fn.__doc__ or "").strip():
            missing.append(name)
    assert not missing, f"no docstring: {missing}"
