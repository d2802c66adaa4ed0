"""Issue 18's model API: "accuracy" as Keras 3 resolves it, metrics over masked epochs,
class-index targets, dropout in fit only, stateful layers and Input(batch_shape), and
weight files of the new layers."""
import warnings

import numpy as np
import pytest

from tinylstm import metrics
from tinylstm.layers import (LSTM, Bidirectional, Dense, Dropout, Embedding, Input, Masking,
                             RepeatVector, SimpleRNN, TimeDistributed)
from tinylstm.models import Model, Sequential

from helpers import state_of

B, T, V, K = 6, 5, 7, 4


@pytest.mark.parametrize("y_true,y_pred,expected", [
    ((8, 1), (8, 1), "binary_accuracy"),            # a last axis of 1: binary
    ((8, 5, 1), (8, 5, 1), "binary_accuracy"),
    ((8,), (8, 3), "sparse_categorical_accuracy"),   # fewer axes: class indices
    ((8, 5), (8, 5, 3), "sparse_categorical_accuracy"),
    ((8, 1), (8, 3), "sparse_categorical_accuracy"),  # a last axis of 1 against 3 classes
    ((8, 3), (8, 3), "categorical_accuracy"),
    ((8, 5, 3), (8, 5, 3), "categorical_accuracy"),
])
def test_accuracy_is_chosen_by_shapes_as_keras_3_does(y_true, y_pred, expected):
    assert metrics.accuracy_for(y_true, y_pred).__name__ == expected


def test_accuracy_values():
    np.testing.assert_array_equal(metrics.binary_accuracy([[1.0], [0.0], [1.0]], [[0.7], [0.6], [0.5]]),
                                  [1.0, 0.0, 0.0])           # 0.5 is not above the threshold
    np.testing.assert_array_equal(metrics.categorical_accuracy([[0, 1, 0], [1, 0, 0]],
                                                               [[0.2, 0.5, 0.3], [0.4, 0.4, 0.2]]),
                                  [1.0, 1.0])                # ties: the first maximum
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy([[2], [0]], [[0, 1, 3], [0, 2, 1]]),
                                  [1.0, 0.0])


def tagger(**compile_args):
    model = Sequential([Input((T,)), Embedding(V, 3, mask_zero=True), LSTM(4, return_sequences=True),
                        Dense(K, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", **compile_args)
    return model


def padded(rng, n=B):
    x = rng.integers(1, V, (n, T))
    for row, length in enumerate(rng.integers(0, T + 1, n)):
        x[row, length:] = 0
    return x


def test_epoch_accuracy_counts_the_real_steps_of_the_whole_epoch(rng):
    """Keras 3 keeps totals: right real steps / real steps, not a mean of batch accuracies."""
    model = tagger(metrics=["accuracy", "acc"])
    x, y = padded(rng, 11), rng.integers(0, K, (11, T))
    logs = model.evaluate(x, y, batch_size=4, return_dict=True)
    assert list(logs) == ["loss", "accuracy", "acc"]
    right = (model.predict(x).argmax(-1) == y) & (x != 0)
    assert logs["accuracy"] == pytest.approx(right.sum() / (x != 0).sum(), abs=1e-12)
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    assert list(history) == ["loss", "accuracy", "acc"]


def test_class_indices_may_have_a_last_axis_of_one_and_must_be_in_range(rng):
    model = tagger()
    x, y = padded(rng), rng.integers(0, K, (B, T))
    assert model.evaluate(x, y[..., None]) == pytest.approx(model.evaluate(x, y))
    before = state_of(model)
    with pytest.raises(ValueError, match=rf"class indices.*\[0, {K}\).*from 1 to {K}"):
        model.fit(x, np.where(y == 0, K, y), verbose=0)
    with pytest.raises(ValueError, match=r"target expected shape \(None, 5\)"):
        model.fit(x, y[:, :3], verbose=0)
    assert state_of(model) == before


def test_dropout_runs_in_fit_only(rng):
    model = Sequential([Input((T, 2)), LSTM(8, dropout=0.5, recurrent_dropout=0.5),
                        Dropout(0.5), Dense(1)])
    model.compile("sgd", "mse")
    x, y = rng.standard_normal((B, T, 2)), rng.standard_normal((B, 1))
    assert model.evaluate(x, y) == model.evaluate(x, y)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
    model.compile("sgd", "mse")
    model.optimizer.learning_rate = 0.0       # train_on_batch sees dropout, and moves nothing
    losses = {model.train_on_batch(x, y) for _ in range(3)}
    assert len(losses) == 3 and model.evaluate(x, y) not in losses


def stateful_model(batch=2):
    model = Sequential([Input(batch_shape=(batch, None, 1)), SimpleRNN(3, stateful=True),
                        Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_a_stateful_layer_needs_a_fixed_batch():
    with pytest.raises(ValueError, match=r"stateful=True.*batch size must be static.*batch_shape"):
        Sequential([Input((None, 1)), LSTM(3, stateful=True)])


def test_stateful_state_carries_between_calls_until_reset(rng):
    model = stateful_model()
    layer = model.layers[0]
    x = rng.standard_normal((2, 4, 1))
    first, second = model.predict(x), model.predict(x)
    assert np.abs(first - second).max() > 1e-4
    layer.reset_state()
    np.testing.assert_array_equal(model.predict(x), first)
    assert np.all(layer.states[0] != 0)
    layer.reset_states()
    assert np.all(layer.states[0] == 0)


def test_stateful_batches_of_another_size_are_refused_before_anything_runs(rng):
    model = stateful_model()
    layer = model.layers[0]
    model.predict(rng.standard_normal((2, 4, 1)))
    kept = layer.states[0].copy()
    before = state_of(model)
    for call in (lambda: model.predict(rng.standard_normal((3, 4, 1)), batch_size=2),
                 lambda: model.predict(rng.standard_normal((4, 4, 1))),
                 lambda: model.fit(rng.standard_normal((4, 4, 1)), np.zeros((4, 1)), batch_size=4,
                                   verbose=0),
                 lambda: model.train_on_batch(rng.standard_normal((1, 4, 1)), np.zeros((1, 1)))):
        with pytest.raises(ValueError, match="stateful, built for batches of 2"):
            call()
    np.testing.assert_array_equal(layer.states[0], kept)
    assert state_of(model) == before
    model.predict(rng.standard_normal((4, 4, 1)), batch_size=2)       # two batches of 2: fine


def test_fit_carries_the_state_across_batches(rng):
    """Batch 2 of an epoch starts from batch 1's final state (no gradient flows across)."""
    model = stateful_model()
    model.optimizer.learning_rate = 0.0
    x, y = rng.standard_normal((4, 3, 1)), np.zeros((4, 1))
    model.fit(x, y, batch_size=2, shuffle=False, epochs=1, verbose=0)
    after_fit = model.layers[0].states[0].copy()
    model.layers[0].reset_state()
    model.predict(x[:2], batch_size=2)
    model.predict(x[2:], batch_size=2)
    np.testing.assert_allclose(model.layers[0].states[0], after_fit, rtol=1e-6)


def test_input_batch_shape():
    t = Input(batch_shape=(4, 10, 3))
    assert t.shape == (4, 10, 3)
    assert Input((10, 3), batch_size=4).shape == (4, 10, 3)
    with pytest.raises(ValueError, match="not both"):
        Input((10, 3), batch_shape=(4, 10, 3))
    with pytest.raises(ValueError, match="give `shape`"):
        Input()
    with pytest.raises(ValueError, match="positive integer"):
        Input(batch_shape=(0, 10, 3))


def test_weights_of_the_new_layers_save_and_load(tmp_path, rng):
    def build():
        x = Input((T,))
        y = Embedding(V, 3, mask_zero=True)(x)
        y = Bidirectional(LSTM(4, return_sequences=True), merge_mode="sum")(y)
        y = TimeDistributed(Dense(2))(Dropout(0.1)(y))
        return Model(x, y)
    a, b = build(), build()
    a.save_weights(tmp_path / "w.npz")
    b.load_weights(tmp_path / "w.npz")
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)
    assert len(a.get_weights()) == 1 + 6 + 2
    x = padded(rng)
    np.testing.assert_array_equal(a.predict(x), b.predict(x))


def test_a_layer_that_does_not_support_masking_drops_the_mask_with_a_warning(rng):
    model = Sequential([Input(()), Embedding(V, 3, mask_zero=True), RepeatVector(2)])
    with pytest.warns(UserWarning, match="does not support masking"):
        model.predict(np.array([0, 2]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # a layer that passes the mask on is silent
        Sequential([Input((T, 2)), Masking(), Dense(1)]).predict(rng.standard_normal((2, T, 2)))
