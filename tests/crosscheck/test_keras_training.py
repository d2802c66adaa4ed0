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

from peer_models import (assert_weights_trained_alike, encoder_decoder,  # noqa: E402
                         random_inputs, twin_models)

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
    keras_model, tiny_model = twin_models(encoder_decoder, rng)
    x = random_inputs([tiny_model.input_shape[1:]], N, rng)[0]
    x[..., 0] *= 1e-3                 # small gradients for the first feature: epsilon shows
    y = random_inputs([tiny_model.output_shape[1:]], N, rng)[0]
    return keras_model, tiny_model, x, y


def fit_both(make_optimizer, seed=0, make_callbacks=lambda lib: [], **fit):
    """Fit both twins with ``make_optimizer(lib)`` and ``make_callbacks(lib)``; returns
    (keras history, tiny history, keras model, tiny model, the starting weights)."""
    keras_model, tiny_model, x, y = twins(seed)
    w0 = tiny_model.get_weights()
    keras_model.compile(optimizer=make_optimizer(keras), loss="mse")
    tiny_model.compile(optimizer=make_optimizer(tinylstm), loss="mse")
    kw = dict(dict(batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0), **fit)
    expected = keras_model.fit(x, y, callbacks=make_callbacks(keras), **kw).history
    got = tiny_model.fit(x, y, callbacks=make_callbacks(tinylstm), **kw).history
    return expected, got, keras_model, tiny_model, w0


def assert_same_training(expected, got, keras_model, tiny_model, w0, what):
    assert sorted(got) == sorted(expected), f"{what}: logged {sorted(got)}, Keras {sorted(expected)}"
    for key in expected:
        assert len(got[key]) == len(expected[key])
        err = max(abs(a - b) / max(abs(b), 1e-12) for a, b in zip(got[key], expected[key]))
        assert err < RTOL, f"{what}: {key} {got[key]} differs from Keras' {expected[key]}"
    assert_weights_trained_alike(keras_model, tiny_model, w0, RTOL, what)


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


# -- callbacks ------------------------------------------------------------------------------

def sgd(lib):
    return lib.optimizers.SGD(learning_rate=0.05, momentum=0.5)


def test_learning_rate_scheduler_matches_keras():
    def callbacks(lib):
        return [lib.callbacks.LearningRateScheduler(lambda epoch, lr: 0.2 if epoch == 0 else lr * 0.3)]
    expected, got, *rest = fit_both(sgd, make_callbacks=callbacks, epochs=3)
    assert got["learning_rate"] == expected["learning_rate"]      # float32 rates, bit for bit
    assert expected["learning_rate"][1] == float(np.float32(np.float32(0.2) * 0.3))
    assert_same_training(expected, got, *rest, what="LearningRateScheduler")


def test_reduce_lr_on_plateau_logs_the_rate_of_the_epoch_as_keras():
    def callbacks(lib):     # min_delta larger than any gain: no epoch improves, every one reduces
        return [lib.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.45, patience=1,
                                                min_delta=100.0)]
    expected, got, *rest = fit_both(sgd, make_callbacks=callbacks, epochs=3)
    assert got["learning_rate"] == expected["learning_rate"]
    assert len(set(expected["learning_rate"])) == 2               # it did reduce, once
    assert_same_training(expected, got, *rest, what="ReduceLROnPlateau")


def test_early_stopping_restores_the_best_weights_without_stopping_as_keras():
    """mode="max" on the loss makes the first epoch the best: both restore its weights at
    the end, though neither stopped."""
    stops = {}

    def callbacks(lib):
        stops[lib.__name__] = lib.callbacks.EarlyStopping(
            monitor="loss", mode="max", patience=10, restore_best_weights=True)
        return [stops[lib.__name__]]
    expected, got, keras_model, tiny_model, w0 = fit_both(sgd, make_callbacks=callbacks, epochs=3)
    k, t = stops["keras"], stops["tinylstm"]
    assert (t.stopped_epoch, t.best_epoch) == (k.stopped_epoch, k.best_epoch) == (0, 0)
    assert_same_training(expected, got, keras_model, tiny_model, w0, what="EarlyStopping")
    _, _, twin_keras, twin_tiny, _ = fit_both(sgd, epochs=1)      # one epoch, no callback
    for a, b in zip(tiny_model.get_weights(), twin_tiny.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_stops_where_keras_stops():
    stops = {}

    def callbacks(lib):
        stops[lib.__name__] = lib.callbacks.EarlyStopping(monitor="loss", min_delta=100.0,
                                                          patience=1)
        return [stops[lib.__name__]]
    expected, got, *rest = fit_both(sgd, make_callbacks=callbacks, epochs=5)
    assert stops["tinylstm"].stopped_epoch == stops["keras"].stopped_epoch == 1
    assert_same_training(expected, got, *rest, what="EarlyStopping")


def test_csv_logger_writes_what_keras_writes(tmp_path):
    def callbacks(lib):
        return [lib.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5),
                lib.callbacks.CSVLogger(str(tmp_path / f"{lib.__name__}.csv"))]
    fit_both(sgd, make_callbacks=callbacks)
    ours = (tmp_path / "tinylstm.csv").read_bytes()
    theirs = (tmp_path / "keras.csv").read_bytes()
    assert ours.count(b"\r\n") == theirs.count(b"\r\n") == 3
    our_rows = [line.split(b",") for line in ours.split(b"\r\n")[:-1]]
    their_rows = [line.split(b",") for line in theirs.split(b"\r\n")[:-1]]
    assert our_rows[0] == their_rows[0] == [b"epoch", b"learning_rate", b"loss",
                                            b"val_learning_rate", b"val_loss"]
    for mine, keras_row in zip(our_rows[1:], their_rows[1:]):
        assert mine[0] == keras_row[0] and mine[1] == keras_row[1]     # epoch, the rate exactly
        assert float(mine[2]) == pytest.approx(float(keras_row[2]), rel=RTOL)
        assert mine[3:] == keras_row[3:] == [b"NA", b"NA"]
        assert len(mine[2]) > 12                                       # full precision
