"""Bad input gets a clear error and changes nothing; numerics, files and seeds are safe."""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinylstm
from tinylstm import gradcheck, initializers, losses, optimizers, saving
from tinylstm.layers import LSTM, Dense, Input, RepeatVector
from tinylstm.models import Sequential

from helpers import randomize, state_of

T, D = 6, 2


def trained_model(rng, optimizer="adam"):
    """A small compiled model that has taken one step, so its optimizer has state."""
    model = Sequential([LSTM(4, input_shape=(T, D), return_sequences=True), Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(rng.standard_normal((8, T, D)), rng.standard_normal((8, T, 1)), verbose=0)
    return model


def test_refused_evaluate_and_predict(rng):
    model = trained_model(rng)
    before = state_of(model)
    with pytest.raises(ValueError, match="expected shape"):
        model.predict(rng.standard_normal((3, T + 1, D)))
    with pytest.raises(ValueError, match="batch_size"):
        model.predict(rng.standard_normal((3, T, D)), batch_size=0)
    with pytest.raises(ValueError, match="same number of samples"):
        model.evaluate(rng.standard_normal((3, T, D)), rng.standard_normal((2, T, 1)), verbose=0)
    assert state_of(model) == before


def test_fit_before_compile():
    model = Sequential([Dense(1, input_shape=(2,))])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 2)), np.zeros((2, 1)))
    with pytest.raises(RuntimeError, match="compile"):
        model.evaluate(np.zeros((2, 2)), np.zeros((2, 1)))


@pytest.mark.parametrize("make,exc,pattern", [
    (lambda: LSTM(0), ValueError, "positive integer, got 0"),
    (lambda: Dense(-2), ValueError, "positive integer, got -2"),
    (lambda: RepeatVector(0), ValueError, "positive integer"),
    (lambda: LSTM(3, activation="tanhh"), ValueError, "'tanhh'.*'relu'"),
    (lambda: Dense(3, kernel_initializer="glorot"), ValueError, "glorot_uniform"),
    (lambda: LSTM(3, dropuot=0.1), TypeError, "dropuot"),
    (lambda: optimizers.get("adamax"), ValueError, "rmsprop"),
    (lambda: losses.get("mean_square_error"), ValueError, "mean_squared_error"),
    (lambda: initializers.get("gaussian"), ValueError, "lecun_normal"),
])
def test_bad_arguments_are_named(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()


def test_unknown_loss_in_compile_leaves_model_uncompiled():
    model = Sequential([Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match="mean_squared_error"):
        model.compile(optimizer="adam", loss="msee")
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0)


def test_shape_errors_trace_the_layers():
    model = Sequential()
    model.add(LSTM(8, input_shape=(T, D)))
    with pytest.raises(ValueError) as info:
        model.add(LSTM(4))
    text = str(info.value)
    assert "expected ndim=3, found ndim=2" in text
    assert "return_sequences=True" in text
    assert "'lstm" in text and "gives shape (None, 8)" in text
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3.*return_sequences=False"):
        RepeatVector(3)(Input((T, D)))


def test_saturating_inputs_give_no_warnings_and_finite_outputs(rng):
    layer = LSTM(3, return_sequences=True)
    x = 1e4 * rng.standard_normal((2, 5, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer(x)
    assert np.isfinite(out).all() and np.abs(out).max() <= 1.0


def test_nonfinite_loss_stops_and_keeps_last_finite_weights(rng):
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer=optimizers.SGD(learning_rate=1e3), loss="mse")
    x, y = 1e3 * rng.standard_normal((64, 2)), rng.standard_normal((64, 1))
    after_each_batch = []
    spy = tinylstm.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: after_each_batch.append((logs["loss"], model.get_weights())))
    with pytest.warns(RuntimeWarning, match="last finite step"):
        history = model.fit(x, y, epochs=100, batch_size=4, callbacks=[spy], verbose=0)
    assert history.nonfinite is not None and not np.isfinite(history.nonfinite["loss"])
    assert not np.isfinite(history.history["loss"][-1])
    assert len(history.epoch) == history.nonfinite["epoch"] + 1 < 100
    losses = [loss for loss, _ in after_each_batch]
    assert not np.isfinite(losses[-1]) and np.isfinite(losses[-2])      # stopped at the first
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    for a, b in zip(weights, after_each_batch[-2][1]):     # the weights after the last finite step
        np.testing.assert_array_equal(a, b)


# -- weight files --------------------------------------------------------------

def test_save_is_atomic(tmp_path, rng, monkeypatch):
    model = trained_model(rng)
    path = tmp_path / "w.npz"
    model.save_weights(path)
    good = path.read_bytes()

    def crash(f, **arrays):
        f.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(saving.np, "savez", crash)
    model.set_weights([w + 1 for w in model.get_weights()])
    with pytest.raises(KeyboardInterrupt):
        model.save_weights(path)
    assert path.read_bytes() == good                      # the old file is intact
    assert os.listdir(tmp_path) == ["w.npz"]              # and no temporary file is left


def foreign_files(tmp_path, model, rng):
    good = tmp_path / "good.npz"
    model.save_weights(good)
    data = good.read_bytes()
    (tmp_path / "truncated.npz").write_bytes(data[: len(data) // 2])
    (tmp_path / "text.npz").write_text("not weights")
    np.save(tmp_path / "single.npy", np.zeros(3))
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    arrays = dict(np.load(good))
    first = sorted(arrays)[0]
    np.savez(tmp_path / "shape.npz", **{**arrays, first: np.zeros((1, 1))})
    np.savez(tmp_path / "ints.npz", **{k: v.astype(np.int64) for k, v in arrays.items()})
    return ["truncated.npz", "text.npz", "single.npy", "other.npz", "shape.npz", "ints.npz"]


def test_load_refuses_foreign_files_and_changes_nothing(tmp_path, rng):
    model = trained_model(rng)
    names = foreign_files(tmp_path, model, rng)
    before = state_of(model)
    for name in names:
        with pytest.raises(ValueError, match=str(tmp_path / name)):
            model.load_weights(tmp_path / name)
        assert state_of(model) == before
    other = Sequential([LSTM(4, input_shape=(T, D), return_sequences=True),
                        LSTM(1, use_bias=False, return_sequences=True)])   # 5 weights, like the model
    with pytest.raises(ValueError, match="is .0003/Dense/kernel., .* expects .0003/LSTM/kernel."):
        other.load_weights(tmp_path / "good.npz")
    with open(tmp_path / "good.npz", "rb") as f:
        assert f.read(2) == b"PK"                         # a plain zip of .npy files, no pickle


# -- reproducibility -------------------------------------------------------------

RUN = """
import hashlib, json, numpy as np
from tinylstm import utils
from tinylstm.layers import LSTM, Dense
from tinylstm.models import Sequential
utils.set_random_seed({seed})
x = np.sin(np.linspace(0, 3, 60)).reshape(10, 6, 1)
model = Sequential([LSTM(4, input_shape=(6, 1), return_sequences=True), Dense(1)])
model.compile(optimizer="adam", loss="mse")
h = model.fit(x, x, epochs=3, batch_size=4, verbose=0)
digest = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())
                        + model.predict(x).tobytes()).hexdigest()
print(json.dumps({{"loss": h.history["loss"], "digest": digest}}))
"""


def run_in_process(seed):
    out = subprocess.run([sys.executable, "-c", RUN.format(seed=seed)], capture_output=True,
                         text=True, check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_same_seed_is_bit_identical_across_processes():
    a, b, c = run_in_process(3), run_in_process(3), run_in_process(4)
    assert a == b
    assert a["digest"] != c["digest"] and a["loss"] != c["loss"]


# -- property-based ------------------------------------------------------------

@st.composite
def architectures(draw):
    """A random small stack: LSTMs (any return_sequences), maybe RepeatVector, Dense."""
    steps = draw(st.integers(1, 4))
    features = draw(st.integers(1, 3))
    layers, seq = [], True
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["lstm", "dense"] + (["repeat"] if not seq else [])))
        units = draw(st.integers(1, 3))
        if kind == "lstm":
            if not seq:
                layers.append(("repeat", steps))
            rs = draw(st.booleans())
            layers.append(("lstm", units, rs))
            seq = rs
        elif kind == "repeat":
            layers.append(("repeat", steps))
            seq = True
        else:
            layers.append(("dense", units, draw(st.sampled_from([None, "tanh", "sigmoid"]))))
    return steps, features, layers


def build(steps, features, spec):
    model = Sequential()
    model.add(Input((steps, features)))
    for item in spec:
        if item[0] == "lstm":
            model.add(LSTM(item[1], return_sequences=item[2]))
        elif item[0] == "repeat":
            model.add(RepeatVector(item[1]))
        else:
            model.add(Dense(item[1], activation=item[2]))
    return model


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(arch=architectures(), batch=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_random_architectures_pass_the_gradient_check(float64, backend, arch, batch, seed):
    steps, features, spec = arch
    model = build(steps, features, spec)
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(seed)
    randomize(model, rng)
    x = rng.standard_normal((batch, steps, features))
    y = rng.standard_normal((batch,) + model.output_shape[1:])
    errors = gradcheck.check_model(model, x, y)
    assert max(errors.values()) < 1e-6, errors


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=4),
       poison=st.sampled_from([None, np.nan, np.inf, "text"]),
       batch_size=st.integers(-2, 3))
def test_malformed_inputs_raise_and_change_nothing(rng, shape, poison, batch_size):
    model = trained_model(np.random.default_rng(0))
    x = np.ones(shape) if poison != "text" else np.full(shape, "t")
    if poison in (np.nan, np.inf) and x.size:
        x.reshape(-1)[0] = poison
    valid = (tuple(shape[1:]) == (T, D) and shape[0] > 0 and poison is None and batch_size >= 1)
    y = np.zeros((shape[0] if shape else 1, T, 1))
    before = state_of(model)
    if valid:
        model.fit(x, y, batch_size=batch_size, verbose=0)
        return
    with pytest.raises((ValueError, TypeError)):
        model.fit(x, y, batch_size=batch_size, verbose=0)
    assert state_of(model) == before
