"""Schedules, the newer optimizers and the training callbacks against Keras 3.

The same seq2seq model (LSTM -> RepeatVector -> LSTM with the encoder's state
-> Dense) with the same random weights is trained for two epochs in Keras and
in tinylstm (float32, shuffle=False, 11 samples in batches of 4: three steps
an epoch, the last one partial). Loss histories, learning rates and weights
must agree to 1e-4 of the largest entry. The hyperparameters are chosen so
that a wrong rule shows: rates that change within the run, a weight decay
that moves the weights visibly, gradients small enough for epsilon to count.
"""
import numpy as np
import pytest

pytest.importorskip("torch", reason="torch (Keras' backend here) is not installed: "
                    "pip install -e .[crosscheck]")
keras = pytest.importorskip("keras", reason="keras 3 is not installed: pip install -e .[crosscheck]")

import tinylstm  # noqa: E402
from tinylstm import interop  # noqa: E402
from tinylstm.gradcheck import relative_error  # noqa: E402

from peer_models import encoder_decoder, random_inputs, random_weights  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")

RTOL = 1e-4
N, BATCH, EPOCHS = 11, 4, 2


@pytest.fixture(autouse=True)
def keras_float32(float32):
    old = keras.config.floatx()
    keras.config.set_floatx("float32")
    yield
    keras.config.set_floatx(old)


def twins(seed):
    """Keras' and tinylstm's seq2seq with the same random weights, and data for them."""
    rng = np.random.default_rng(seed)
    keras_model, tiny_model = encoder_decoder(keras), encoder_decoder(tinylstm)
    keras_model.set_weights(random_weights([w.shape for w in tiny_model.get_weights()], rng))
    interop.from_keras(keras_model, tiny_model)
    x = random_inputs([tiny_model.input_shape[1:]], N, rng)[0]
    x[..., 0] *= 1e-3                 # small gradients for the first feature: epsilon shows
    y = random_inputs([tiny_model.output_shape[1:]], N, rng)[0]
    return keras_model, tiny_model, x, y


def fit_both(make_optimizer, seed=0, keras_callbacks=(), tiny_callbacks=(), **fit):
    """Fit both twins with ``make_optimizer(lib)``; returns (keras history, tiny history,
    keras model, tiny model, the starting weights)."""
    keras_model, tiny_model, x, y = twins(seed)
    w0 = tiny_model.get_weights()
    keras_model.compile(optimizer=make_optimizer(keras), loss="mse")
    tiny_model.compile(optimizer=make_optimizer(tinylstm), loss="mse")
    kw = dict(batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0, **fit)
    expected = keras_model.fit(x, y, callbacks=list(keras_callbacks), **kw).history
    got = tiny_model.fit(x, y, callbacks=list(tiny_callbacks), **kw).history
    return expected, got, keras_model, tiny_model, w0


def assert_same_training(expected, got, keras_model, tiny_model, w0, what):
    assert sorted(got) == sorted(expected), f"{what}: logged {sorted(got)}, Keras {sorted(expected)}"
    for key in expected:
        assert len(got[key]) == len(expected[key])
        err = max(abs(a - b) / max(abs(b), 1e-12) for a, b in zip(got[key], expected[key]))
        assert err < RTOL, f"{what}: {key} {got[key]} differs from Keras' {expected[key]}"
    moved = max(relative_error(w, v) for w, v in zip(tiny_model.get_weights(), w0))
    assert moved > 1e-4, f"{what}: training barely changed the weights"
    for path, a, b in zip([w.path for w in keras_model.weights], tiny_model.get_weights(),
                          keras_model.get_weights()):
        err = relative_error(a, b)
        assert err < RTOL, f"{what}: weight {path} differs from Keras' by {err:.2e}"


OPTIMIZERS = {
    "AdamW": lambda lib: lib.optimizers.AdamW(learning_rate=0.01, weight_decay=0.5),
    "AdamW-amsgrad": lambda lib: lib.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1,
                                                      amsgrad=True),
    "Adagrad": lambda lib: lib.optimizers.Adagrad(learning_rate=0.1),
    "Adagrad-small-start": lambda lib: lib.optimizers.Adagrad(
        learning_rate=0.05, initial_accumulator_value=1e-3, epsilon=1e-3),
    "Nadam": lambda lib: lib.optimizers.Nadam(learning_rate=0.01),
    "SGD-weight_decay": lambda lib: lib.optimizers.SGD(learning_rate=0.1, momentum=0.5,
                                                       weight_decay=0.2),
    "RMSprop-weight_decay": lambda lib: lib.optimizers.RMSprop(weight_decay=0.3, centered=True),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_new_optimizers_match_keras(name):
    assert_same_training(*fit_both(OPTIMIZERS[name]), what=name)


SCHEDULES = {
    "ExponentialDecay": lambda s: s.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.3),
    "ExponentialDecay-staircase": lambda s: s.ExponentialDecay(0.05, 2, 0.3, staircase=True),
    "PiecewiseConstantDecay": lambda s: s.PiecewiseConstantDecay([1, 3], [0.05, 0.01, 0.002]),
    "CosineDecay": lambda s: s.CosineDecay(0.05, decay_steps=4, alpha=0.1),
    "CosineDecay-warmup": lambda s: s.CosineDecay(0.001, decay_steps=3, warmup_target=0.05,
                                                  warmup_steps=2),
}


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedules_match_keras(name, optimizer):
    def make(lib):
        return getattr(lib.optimizers, optimizer)(
            learning_rate=SCHEDULES[name](lib.optimizers.schedules))
    expected, got, keras_model, tiny_model, w0 = fit_both(make)
    assert_same_training(expected, got, keras_model, tiny_model, w0, f"{name} with {optimizer}")
    steps = EPOCHS * -(-N // BATCH)
    assert tiny_model.optimizer.iterations == int(keras_model.optimizer.iterations) == steps
    assert float(tiny_model.optimizer.learning_rate) == pytest.approx(
        float(keras_model.optimizer.learning_rate), rel=1e-6)


@pytest.mark.parametrize("name", ["ExponentialDecay", "PiecewiseConstantDecay",
                                  "CosineDecay-warmup"])
def test_schedule_values_match_keras_step_by_step(name):
    ours = SCHEDULES[name](tinylstm.optimizers.schedules)
    theirs = SCHEDULES[name](keras.optimizers.schedules)
    for step in range(12):
        a, b = float(ours(step)), float(keras.ops.convert_to_numpy(theirs(step)))
        assert a == pytest.approx(b, rel=1e-6), f"{name} at step {step}: {a} != {b}"
