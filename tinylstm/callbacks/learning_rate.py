"""Callbacks that set the learning rate: ``LearningRateScheduler`` and ``ReduceLROnPlateau``.

Both log the rate as ``learning_rate`` at each epoch end, a Python float of the
optimizer's float32 rate, as Keras 3 does; a ``History`` after them in the list
(``fit``'s own is last) records it.
"""
import numpy as np

from .. import validation
from .callback import Callback
from .monitor import monitor_op, monitored


def _rate(model):
    """The optimizer's current learning rate as Keras logs it: a Python float."""
    return float(model.optimizer.learning_rate)


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to ``schedule(epoch, lr)``.

    ``schedule`` takes the epoch (0-based) and the current rate and returns the
    new rate (a float); a schedule of the epoch alone, ``schedule(epoch)``, works
    too, as in Keras. The rate in force during the epoch is logged as
    ``learning_rate``.

    Example: ``LearningRateScheduler(lambda epoch, lr: lr if epoch < 10 else lr * 0.9)``.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: `schedule` expected a function "
                            f"schedule(epoch, lr) -> lr, got {schedule!r}")
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        try:
            lr = self.schedule(epoch, _rate(self.model))
        except TypeError:           # Keras' older form: schedule(epoch)
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.floating)):
            raise ValueError(f"The output of the `schedule` function should be a float. "
                             f"Got: {lr!r}")
        self.model.optimizer.learning_rate = lr
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _rate(self.model)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement.

    At each epoch end the rate of that epoch is logged as ``learning_rate``,
    then, if ``monitor`` has not improved by ``min_delta`` for ``patience``
    epochs (outside a ``cooldown``), the rate becomes ``max(lr * factor, min_lr)``.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        validation.open_fraction("ReduceLROnPlateau", "factor", factor)
        validation.non_negative_number("ReduceLROnPlateau", "min_lr", min_lr)
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        op = monitor_op(monitor, mode)
        if op is np.less:
            self.better = lambda a, b: a < b - self.min_delta
        else:
            self.better = lambda a, b: a > b + self.min_delta
        self.wait, self.cooldown_counter, self.best = 0, 0, None

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter, self.best = 0, 0, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _rate(self.model)
        current = monitored(self, logs, "Learning rate reduction is conditioned on metric")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.best is None or self.better(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            old = _rate(self.model)
            if self.wait >= self.patience and old > np.float32(self.min_lr):
                new_lr = max(old * self.factor, self.min_lr)      # in Python floats, as Keras
                self.model.optimizer.learning_rate = new_lr
                if self.verbose:
                    print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                          f"to {new_lr}.")
                self.cooldown_counter, self.wait = self.cooldown, 0
