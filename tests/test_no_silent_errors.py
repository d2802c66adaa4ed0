"""No silent wrong results: what used to give a plausible but wrong answer now gives the right
one, or an error that says what was expected."""
import numpy as np
import pytest

from tinylstm import callbacks, config, losses, utils
from tinylstm.layers import LSTM, Dense, Input
from tinylstm.models import Model, Sequential

RNG = np.random.default_rng(3)


def test_a_layer_twice_in_a_sequential_is_one_set_of_weights():
    """As in Keras: 6 parameters, and one optimizer step moves them once, as in the
    functional model that calls the layer twice."""
    utils.set_random_seed(0)
    shared = Dense(2, activation="tanh")
    seq = Sequential([Input((2,)), shared, shared])
    x_in = Input((2,))
    functional = Model(x_in, shared(shared(x_in)))
    assert seq.count_params() == functional.count_params() == 6
    assert len(seq.get_weights()) == 2
    x, y = RNG.standard_normal((5, 2)), RNG.standard_normal((5, 2))
    start = seq.get_weights()
    results = []
    for model in (seq, functional):
        model.set_weights(start)
        model.compile(optimizer="sgd", loss="mse")
        model.train_on_batch(x, y)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(results[0][0], start[0])


def two_output_model():
    x = Input((3,))
    return Model(x, [Dense(1, name="first")(x), Dense(2, name="second")(x)])


def test_metrics_of_a_two_output_model_are_computed_on_each_output():
    model = two_output_model()
    model.compile(optimizer="sgd", loss="mse", metrics=[["mae"], ["mae", "mse"]])
    x, y = RNG.standard_normal((6, 3)), [RNG.standard_normal((6, 1)), RNG.standard_normal((6, 2))]
    got = model.evaluate(x, y, return_dict=True)
    p = model.predict(x)
    assert got == pytest.approx({
        "loss": losses.mse(y[0], p[0]) + losses.mse(y[1], p[1]),
        "first_mae": losses.mae(y[0], p[0]),
        "second_mae": losses.mae(y[1], p[1]),
        "second_mse": losses.mse(y[1], p[1])}, rel=1e-6)
    history = model.fit(x, y, epochs=1, verbose=0, validation_split=0.5)
    assert set(history.history) == {"loss", "first_mae", "second_mae", "second_mse",
                                    "val_loss", "val_first_mae", "val_second_mae", "val_second_mse"}


def test_one_loss_per_output_is_used_per_output():
    model = two_output_model()
    model.compile(optimizer="sgd", loss=["mse", "mae"])
    x, y = RNG.standard_normal((6, 3)), [RNG.standard_normal((6, 1)), RNG.standard_normal((6, 2))]
    p = model.predict(x)
    assert model.evaluate(x, y) == pytest.approx(losses.mse(y[0], p[0]) + losses.mae(y[1], p[1]))


def test_validation_split_takes_rows_as_keras_does():
    """Keras splits at floor(n * (1 - split)): any split > 0 validates on at least one row."""
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = RNG.standard_normal((10, 2)), RNG.standard_normal((10, 1))
    history = model.fit(x, y, validation_split=0.01, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[9:], y[9:]), rel=1e-6)


@pytest.mark.parametrize("make,message", [
    (lambda: callbacks.EarlyStopping(monitor="val_los"), "Early stopping conditioned on metric `val_los`"),
    (lambda: callbacks.ReduceLROnPlateau(monitor="val_los"), "Learning rate reduction is conditioned"),
    (lambda: callbacks.ModelCheckpoint("w.npz", monitor="val_los", save_best_only=True,
                                       save_weights_only=True), "Can save best model only with val_los"),
], ids=["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"])
def test_a_monitor_that_fit_does_not_log_is_warned_about(make, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.warns(UserWarning, match=message):
        model.fit(RNG.standard_normal((8, 2)), RNG.standard_normal((8, 1)), epochs=2,
                  validation_split=0.25, callbacks=[make()], verbose=0)


def test_an_initial_state_of_another_batch_size_is_refused(backend):
    x, h0, c0 = np.ones((5, 4, 2)), np.zeros((3, 3)), np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"initial state h0 must have shape \(5, 3\).*got \(3, 3\)"):
        LSTM(3)(x, initial_state=[h0, c0])


@pytest.mark.parametrize("make,name", [
    (lambda: LSTM(3, return_sequences="no"), "return_sequences"),
    (lambda: LSTM(3, use_bias="False"), "use_bias"),
    (lambda: Dense(3, use_bias="False"), "use_bias"),
    (lambda: LSTM(3, return_state=1), "return_state"),
    (lambda: LSTM(3, go_backwards="yes"), "go_backwards"),
], ids=["LSTM return_sequences", "LSTM use_bias", "Dense use_bias", "return_state", "go_backwards"])
def test_flags_given_as_strings_are_refused_not_read_as_true(make, name):
    with pytest.raises(TypeError, match=f"`{name}` expected True or False"):
        make()


def test_set_floatx_takes_a_name_and_floatx_gives_a_name():
    with pytest.raises(ValueError, match=r"np\.dtype\(\.\.\.\)\.name"):
        config.set_floatx(np.dtype("float64"))
    assert config.floatx() == "float32" and isinstance(config.floatx(), str)


def test_two_layers_of_one_name_are_refused():
    """Keras' own messages."""
    model = Sequential([Input((2,)), Dense(2, name="a")])
    with pytest.raises(ValueError, match="Name 'a' is already the name of a layer in this model"):
        model.add(Dense(2, name="a"))
    assert len(model.layers) == 1
    x = Input((2,))
    with pytest.raises(ValueError, match='The name "b" is used 2 times in the model'):
        Model(x, Dense(2, name="b")(Dense(2, name="b")(x)))


def test_a_refused_add_leaves_the_sequential_as_it_was():
    model = Sequential([LSTM(3, input_shape=(4, 2))])
    with pytest.raises(ValueError, match="expected ndim=3"):
        model.add(LSTM(2))
    assert len(model.layers) == 1 and model.output_shape == (None, 3)
    model.add(Dense(1))
    assert model.output_shape == (None, 1)
