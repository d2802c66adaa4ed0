"""LearningRateScheduler, CSVLogger and ModelCheckpoint's arguments, on their own.

How they train next to Keras 3 (same rates, same rows, same weights) is in
tests/crosscheck/test_keras_training.py.
"""
import pytest

from tinylstm import callbacks
from tinylstm.layers import Dense
from tinylstm.models import Sequential


@pytest.fixture
def data(rng):
    return rng.standard_normal((8, 2)), rng.standard_normal((8, 1))


def small_model():
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_scheduler_sets_each_epoch_and_logs_the_rate_in_force(data):
    seen = []
    record = callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: seen.append(float(model.optimizer.learning_rate)))
    model = small_model()
    scheduler = callbacks.LearningRateScheduler(lambda epoch: 0.5 ** (epoch + 1))   # Keras' old form
    history = model.fit(*data, epochs=3, batch_size=8, callbacks=[scheduler, record], verbose=0)
    assert history.history["learning_rate"] == [0.5, 0.25, 0.125] == seen


def test_scheduler_output_must_be_a_float(data):
    model = small_model()
    with pytest.raises(ValueError, match="should be a float. Got: '0.1'"):
        model.fit(*data, callbacks=[callbacks.LearningRateScheduler(lambda e, lr: "0.1")],
                  verbose=0)
    with pytest.raises(TypeError, match="schedule"):
        callbacks.LearningRateScheduler(0.1)


def test_csv_logger_rows_and_append(tmp_path, data):
    path = tmp_path / "log.csv"
    model = small_model()
    history = model.fit(*data, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(path)])
    lines = path.read_bytes().split(b"\r\n")
    assert lines[0] == b"epoch,loss,val_loss" and lines[-1] == b""
    assert lines[1] == b"0," + repr(history.history["loss"][0]).encode() + b",NA"
    model.fit(*data, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, append=True)])
    lines = path.read_bytes().split(b"\r\n")
    assert len(lines) == 5 and lines.count(b"epoch,loss,val_loss") == 1
    model.fit(*data, epochs=1, verbose=0, validation_data=data,
              callbacks=[callbacks.CSVLogger(path, separator=";")])
    assert path.read_bytes().split(b"\r\n")[0] == b"epoch;loss;val_loss"


def test_checkpoint_of_the_whole_model_needs_a_keras_path(tmp_path):
    with pytest.raises(ValueError, match=r"must end in `.keras`.*save_weights_only=True"):
        callbacks.ModelCheckpoint(str(tmp_path / "m.npz"))
