"""The post's Keras code, with only its import lines changed, runs on tinylstm.

The snippets below are copied from the post (../shared/seed); the data sizes are
smaller so that the tests are quick.
"""
import io
import re

import numpy as np
import pytest

from tinylstm import callbacks, gradcheck, utils
from tinylstm.layers import Input, Dense, LSTM, RepeatVector       # was: keras.layers
from tinylstm.models import Model, Sequential                       # was: keras.models
from tinylstm.initializers import RandomNormal, lecun_normal        # was: keras.initializers

from helpers import randomize

timesteps = 100
input_dim = 1
batch_size = 50


def sine_data(n, rng):
    x = np.linspace(0, 1, timesteps)
    phase = rng.uniform(0, 0.1 * np.pi / 2, size=(n, 1))
    return np.sin(2 * np.pi * x + phase).reshape(-1, timesteps, input_dim)


# --- the post's first snippet: the 4-layer Sequential autoencoder -----------------
def get_model(latent_dim=1):
    model = Sequential()
    model.add(LSTM(32, input_shape=(timesteps, input_dim), return_sequences=True))
    model.add(LSTM(latent_dim, return_sequences=False))
    # repeat the latent vector in order to
    # feed it to the next lstm
    model.add(RepeatVector(timesteps))
    model.add(LSTM(32, input_shape=(timesteps, latent_dim), return_sequences=True))
    model.add(LSTM(1, return_sequences=True))
    print(model.summary())
    return model


# --- the post's functional snippet: 3+3-layer autoencoder, decoder and encoder ------
def get_functional_model(latent_dim=1):
    inputs = Input(shape=(timesteps, input_dim))
    encoded = LSTM(32, input_shape=(timesteps, input_dim), return_sequences=True)(inputs)
    encoded = LSTM(32, input_shape=(timesteps, input_dim), return_sequences=True)(encoded)
    encoded = LSTM(latent_dim, input_shape=(timesteps, input_dim), return_sequences=False)(encoded)
    latent_state = RepeatVector(timesteps)(encoded)
    decoded = LSTM(32, input_shape=(timesteps, input_dim), return_sequences=True)(latent_state)
    decoded = LSTM(32, input_shape=(timesteps, input_dim), return_sequences=True)(decoded)
    decoded = LSTM(1, input_shape=(timesteps, input_dim), return_sequences=True)(decoded)
    autoencoder = Model(inputs, decoded)
    # decoder
    encoded_input = Input(shape=(latent_dim,))
    deco = autoencoder.layers[-4](encoded_input)
    deco = autoencoder.layers[-3](deco)
    deco = autoencoder.layers[-2](deco)
    deco = autoencoder.layers[-1](deco)
    # create the decoder model
    decoder = Model(encoded_input, deco)
    # encoder
    encoder = Model(inputs, encoded)
    print(autoencoder.summary())
    return autoencoder, decoder, encoder


def test_post_sequential_autoencoder_summary_and_training(capsys, rng):
    model = get_model(latent_dim=1)
    table = capsys.readouterr().out
    for text in ["Layer (type)", "Output Shape", "Param #", "(None, 100, 32)", "(None, 1)",
                 "(None, 100, 1)", "4,352", "136", "Total params: 8,976",
                 "Trainable params: 8,976", "Non-trainable params: 0"]:
        assert text in table, text
    rows = [line for line in table.splitlines() if "(LSTM)" in line or "(RepeatVector)" in line]
    assert [r.split()[-1] for r in rows] == ["4,352", "136", "0", "4,352", "136"]
    assert model.count_params() == 8976

    x_train, x_val = sine_data(60, rng), sine_data(10, rng)
    model.compile(loss='mean_squared_error', optimizer='rmsprop')
    history = model.fit(x_train, x_train, epochs=2, batch_size=batch_size, shuffle=True,
                        validation_data=(x_val, x_val), verbose=0)
    assert set(history.history) == {"loss", "val_loss"}
    assert history.epoch == [0, 1]
    assert all(len(v) == 2 for v in history.history.values())
    # the last epoch's validation loss is the trained model's loss on x_val
    np.testing.assert_allclose(history.history["val_loss"][-1], model.evaluate(x_val, x_val),
                               rtol=1e-6)
    training_sample = x_train[np.random.randint(x_train.shape[0])]
    predicted = model.predict(training_sample.reshape(1, timesteps, input_dim))
    assert predicted.shape == (1, timesteps, 1)


def test_post_functional_autoencoder_shares_weights(rng):
    autoencoder, decoder, encoder = get_functional_model(latent_dim=1)
    assert [type(l).__name__ for l in autoencoder.layers] == (
        ["InputLayer"] + ["LSTM"] * 3 + ["RepeatVector"] + ["LSTM"] * 3)
    assert decoder.layers[1:] == autoencoder.layers[-4:]
    assert encoder.layers == autoencoder.layers[:4]
    assert encoder.output_shape == (None, 1) and decoder.input_shape == (None, 1)

    x = sine_data(8, rng)
    before = autoencoder.predict(x)
    np.testing.assert_allclose(decoder.predict(encoder.predict(x)), before, rtol=1e-6)

    autoencoder.compile(loss='mean_squared_error', optimizer='adam')
    autoencoder.fit(x, x, epochs=1, batch_size=4, verbose=0)
    after = autoencoder.predict(x)
    assert np.abs(after - before).max() > 1e-5            # training moved the autoencoder ...
    np.testing.assert_allclose(decoder.predict(encoder.predict(x)), after, rtol=1e-6)  # ... and its parts


def test_post_training_loop_and_evaluation(rng):
    """The post's 'Code autoencoder' section: data, get_model(latent_dim=5), the fit loop, Evaluate."""
    x = np.linspace(0, 1, timesteps)
    x_train = np.array([np.random.random() * x for _ in range(40)]).reshape(-1, timesteps, input_dim)
    x_val = np.array([np.random.random() * x for _ in range(4)]).reshape(-1, timesteps, input_dim)
    model = get_model(latent_dim=5)
    model.compile(loss='mean_squared_error', optimizer='rmsprop')
    for i in range(2):
        model.fit(x_train, x_train, epochs=1, batch_size=batch_size, shuffle=True,
                  validation_data=(x_val, x_val), verbose=0)
    for m, t in [(0.1, 0.0), (1.0, 0.0)]:
        lin_x = m * x + t
        seq = model.predict(lin_x.reshape(1, timesteps, input_dim))
        assert seq.reshape(-1, input_dim).shape == (timesteps, 1)


def test_input_shape_is_ignored_after_the_first_layer():
    model = Sequential()
    model.add(LSTM(3, input_shape=(7, 2), return_sequences=True))
    model.add(LSTM(2, input_shape=(99, 99)))       # the post does this; Keras ignores it
    assert model.output_shape == (None, 2)
    assert model.layers[1].params["kernel"].shape == (3, 8)


def test_sequential_without_input_shape_builds_on_first_data(rng):
    model = Sequential([LSTM(3), Dense(2)])
    assert model.weights == []
    model.compile(optimizer="sgd", loss="mse")
    model.fit(rng.standard_normal((5, 4, 2)), rng.standard_normal((5, 2)), verbose=0)
    assert model.input_shape == (None, 4, 2)
    assert model.predict(rng.standard_normal((3, 4, 2))).shape == (3, 2)


def test_shared_layer_gradients_in_two_models(float64, rng):
    """A layer used in two models, and twice in one graph, gets the sum of its uses' gradients."""
    shared = Dense(3, activation="tanh", bias_initializer="random_normal")
    a_in = Input((3,))
    model_a = Model(a_in, Dense(2)(shared(a_in)))
    b_in = Input((5, 3))
    seq = LSTM(3, return_sequences=True)(b_in)
    model_b = Model(b_in, shared(shared(seq)))          # shared twice in one graph
    for model, x, y in [(model_a, rng.standard_normal((3, 3)), rng.standard_normal((3, 2))),
                        (model_b, rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 3)))]:
        model.compile(optimizer="sgd", loss="mse")
        randomize(model, rng)
        errors = gradcheck.check_model(model, x, y)
        assert f"{shared.name}/kernel" in errors
        assert max(errors.values()) < 1e-6, errors


def test_return_state_and_multiple_outputs(rng):
    inputs = Input((6, 2))
    seq, h, c = LSTM(4, return_sequences=True, return_state=True)(inputs)
    out = Dense(1)(LSTM(4)(seq, initial_state=[h, c]))
    model = Model(inputs, [out, seq, h, c])
    preds = model.predict(rng.standard_normal((5, 6, 2)))
    assert [p.shape for p in preds] == [(5, 1), (5, 6, 4), (5, 4), (5, 4)]
    np.testing.assert_array_equal(preds[2], preds[1][:, -1])      # h_T is the last output
    assert not np.allclose(preds[3], preds[2])                    # c_T is not h_T


def test_fit_history_metrics_validation_split(rng):
    model = Sequential([LSTM(3, input_shape=(4, 1)), Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(rng.standard_normal((20, 4, 1)), rng.standard_normal((20, 1)),
                        epochs=3, batch_size=6, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert history.epoch == [0, 1, 2]
    x, y = rng.standard_normal((7, 4, 1)), rng.standard_normal((7, 1))
    loss, mae = model.evaluate(x, y, verbose=0)
    p = model.predict(x)
    np.testing.assert_allclose([loss, mae], [np.mean((p - y) ** 2), np.mean(np.abs(p - y))], rtol=1e-6)


def test_epoch_loss_is_the_batch_size_weighted_mean(rng):
    """Keras logs the epoch loss as the mean over samples of the batch losses."""
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.standard_normal((10, 3)), rng.standard_normal((10, 1))
    before = model.get_weights()
    batch_losses = [model.train_on_batch(x[s:s + 4], y[s:s + 4]) for s in (0, 4, 8)]
    model.set_weights(before)
    model.optimizer = type(model.optimizer)()
    history = model.fit(x, y, batch_size=4, shuffle=False, verbose=0)
    expected = (4 * batch_losses[0] + 4 * batch_losses[1] + 2 * batch_losses[2]) / 10
    np.testing.assert_allclose(history.history["loss"][0], expected, rtol=1e-6)


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_verbose_levels(monkeypatch, rng, verbose):
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(rng.standard_normal((8, 2)), rng.standard_normal((8, 1)), epochs=2,
              validation_split=0.25, verbose=verbose)
    lines = out.getvalue().splitlines()
    if verbose == 0:
        assert lines == []
        return
    assert [l for l in lines if l.startswith("Epoch")] == ["Epoch 1/2", "Epoch 2/2"]
    epoch_lines = [l for l in lines if " - loss: " in l]
    assert len(epoch_lines) == 2
    assert all("val_loss: " in l and re.search(r" \d+(\.\d)?(s|ms|us)/step ", l) and
               l.startswith("1/1") for l in epoch_lines)
    assert all(("\u2501" in l) == (verbose == 1) for l in epoch_lines)   # the bar only at verbose=1


def test_weights_roundtrip_in_keras_order(tmp_path, rng):
    model = get_model(latent_dim=1)
    shapes = [w.shape for w in model.get_weights()]
    assert shapes[:3] == [(1, 128), (32, 128), (128,)]       # kernel, recurrent_kernel, bias
    new = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    model.set_weights(new)
    path = tmp_path / "w.npz"
    model.save_weights(path)
    other = get_model(latent_dim=1)
    other.load_weights(path)
    for a, b in zip(other.get_weights(), new):
        np.testing.assert_array_equal(a, b)


def test_set_random_seed_gives_identical_runs(rng):
    x = rng.standard_normal((12, 5, 1))

    def run(seed):
        utils.set_random_seed(seed)
        model = Sequential([LSTM(3, input_shape=(5, 1), return_sequences=True), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, x, epochs=2, batch_size=5, verbose=0)
        return model.get_weights(), history.history["loss"]

    (w1, h1), (w2, h2), (w3, _) = run(7), run(7), run(8)
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(w1, w3))


def test_early_stopping_restores_best_weights(rng):
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.standard_normal((16, 2)), rng.standard_normal((16, 1))
    seen = []
    cb = callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    spy = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append((logs["loss"], model.get_weights())))
    model.optimizer.learning_rate = 5.0                   # diverges: the loss rises after a while
    history = model.fit(x, y, epochs=30, batch_size=16, callbacks=[spy, cb], verbose=0)
    losses = [loss for loss, _ in seen]
    # patience=1: training stops at the first epoch that does not beat the best so far
    first_worse = next(e for e in range(1, len(losses)) if losses[e] >= min(losses[:e]))
    assert history.epoch == list(range(first_worse + 1)) and first_worse < 29
    best_loss, best_weights = min(seen, key=lambda s: s[0])
    for a, b in zip(model.get_weights(), best_weights):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_restores_best_weights_when_training_runs_to_the_end(rng):
    """Keras 3 restores at the end of training, whether it stopped early or not."""
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    model.optimizer.learning_rate = 1.2                   # improves, then diverges
    x, y = rng.standard_normal((16, 2)), rng.standard_normal((16, 1))
    seen = []
    cb = callbacks.EarlyStopping(monitor="loss", patience=100, restore_best_weights=True)
    spy = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append((logs["loss"], model.get_weights())))
    history = model.fit(x, y, epochs=8, batch_size=16, callbacks=[spy, cb], verbose=0)
    assert history.epoch == list(range(8))
    best = min(range(8), key=lambda e: seen[e][0])
    assert best < 7
    for a, b in zip(model.get_weights(), seen[best][1]):
        np.testing.assert_array_equal(a, b)


def test_reduce_lr_on_plateau_and_checkpoint(tmp_path, rng):
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.standard_normal((16, 2)), rng.standard_normal((16, 1))
    model.optimizer.learning_rate = 5.0
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
    ckpt = callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}.npz"), monitor="loss",
                                     save_weights_only=True)
    history = model.fit(x, y, epochs=6, batch_size=16, callbacks=[reduce, ckpt], verbose=0)
    lr, best, expected = 5.0, None, []           # Keras' rule, patience 1: halve on no improvement
    for loss in history.history["loss"]:
        expected.append(lr)                      # logged before the epoch's reduction, as Keras
        if best is None or loss < best - 1e-4:
            best = loss
        else:
            lr *= 0.5
    assert history.history["learning_rate"] == expected and expected[-1] < 5.0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"w-{e:02d}.npz" for e in range(1, 7)]
    last = Sequential([Dense(1, input_shape=(2,))])
    last.load_weights(tmp_path / "w-06.npz")
    for a, b in zip(last.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_initializer_imports_of_the_post():
    assert RandomNormal()((2, 2)).shape == (2, 2)
    assert lecun_normal()((3, 2)).shape == (3, 2)
