"""Callbacks that stop training: ``TerminateOnNaN`` (always part of ``fit``) and ``EarlyStopping``."""
import warnings

import numpy as np

from .callback import Callback
from .monitor import monitor_op, monitored


class TerminateOnNaN(Callback):
    """Stops training when the loss becomes NaN or infinite; ``fit`` always has one.

    The step that gave the non-finite loss (or a non-finite gradient or update,
    logged as a NaN loss) was not applied, so the weights stay those of the last
    finite step. Keras prints a line; tinylstm warns (RuntimeWarning), since the
    callback is part of every fit.
    """

    def __init__(self):
        super().__init__()
        self._current_epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            where = f"batch {batch + 1}" if self._current_epoch is None else \
                f"epoch {self._current_epoch + 1}, batch {batch + 1}"
            warnings.warn(
                f"Model '{self.model.name}': the loss or the weight update became {loss} at "
                f"{where}; TerminateOnNaN stopped training and the weights are those of the "
                "last finite step (try a smaller learning_rate, or clipnorm in the optimizer)",
                RuntimeWarning, stacklevel=2)
            self.model.stop_training = True


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    After training, ``stopped_epoch`` is the (0-based) epoch at which it stopped
    training, 0 if it did not, and ``best_epoch`` the epoch of the best value.
    With ``restore_best_weights=True`` the weights of the best epoch are put back
    when training ends, early or not (Keras 3's behaviour).

    Example: ``EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)``.
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = monitor_op(monitor, mode)
        # an improvement must beat the reference by min_delta, in the monitor's direction
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def _is_improvement(self, value, reference):
        return reference is None or bool(self.monitor_op(value - self.min_delta, reference))

    def on_epoch_end(self, epoch, logs=None):
        current = monitored(self, logs, "Early stopping conditioned on metric")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
