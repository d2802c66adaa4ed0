"""Callbacks with Keras' hook names, the History that ``fit`` returns, and the progress bar."""
import sys
import time
import warnings

import numpy as np

from . import validation


class Callback:
    """Base class: override any hook. ``self.model`` is set before training starts."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass


class CallbackList:
    """Calls a hook on every callback in turn."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook):
        def call(*args, **kwargs):
            for cb in self.callbacks:
                getattr(cb, hook)(*args, **kwargs)
        return call


class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"]``, ``history.epoch``."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        self.nonfinite = None   # {"epoch", "batch", "loss"}: the first NaN/inf loss of the last fit
        self._current_epoch = None

    def on_train_begin(self, logs=None):
        self.nonfinite = None

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if self.nonfinite is None and loss is not None and not np.isfinite(loss):
            self.nonfinite = {"epoch": self._current_epoch, "batch": batch, "loss": loss}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


def format_logs(logs):
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())


class ProgbarLogger(Callback):
    """Keras-style progress: ``verbose=1`` a bar per epoch, ``verbose=2`` a line per epoch."""

    def __init__(self, verbose=1, stream=None, width=20):
        super().__init__()
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.width = width

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
        self.stream.write(f"Epoch {epoch + 1}/{self.params.get('epochs')}\n")
        self.stream.flush()

    def _step_text(self, step, steps, logs):
        elapsed = time.perf_counter() - self.start
        per_step = elapsed / max(step, 1)
        text = f"{step}/{steps}"
        if self.verbose == 1:
            done = int(self.width * step / steps)
            bar = "\u2501" * done + " " * (self.width - done)
            timing = f"{elapsed:.0f}s" if step == steps else f"ETA {per_step * (steps - step):.0f}s"
            text += f" {bar} {timing} {per_step * 1000:.0f}ms/step"
        else:
            text += f" - {elapsed:.0f}s - {per_step * 1000:.0f}ms/step"
        if logs:
            text += " - " + format_logs(logs)
        return text

    def on_train_batch_end(self, batch, logs=None):
        # the bar moves in place on a terminal; a log file gets the epoch's last line only
        if self.verbose == 1 and self.stream.isatty():
            steps = self.params.get("steps")
            self.stream.write("\r" + self._step_text(batch + 1, steps, logs))
            self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        steps = self.params.get("steps")
        prefix = "\r" if self.verbose == 1 and self.stream.isatty() else ""
        self.stream.write(prefix + self._step_text(steps, steps, logs) + "\n")
        self.stream.flush()


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None):
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for hook, fn in given.items():
            if fn is not None:
                setattr(self, hook, fn)


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


def _monitored(callback, logs, message):
    """logs[callback.monitor], or None with Keras' warning when fit does not log it."""
    value = (logs or {}).get(callback.monitor)
    if value is None:
        warnings.warn(f"{message} `{callback.monitor}` which is not available. Available "
                      f"metrics are: {','.join(logs or {})}", stacklevel=3)
    return value


def _monitor_op(monitor, mode):
    """np.less for losses, np.greater for accuracies, as Keras' mode="auto" decides."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode: expected 'auto', 'min' or 'max', got {mode!r}")
    if mode == "max" or (mode == "auto" and "acc" in monitor):
        return np.greater
    return np.less


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    With ``restore_best_weights=True`` the weights of the best epoch are put back when
    training ends, early or not (Keras 3's behaviour).
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = _monitor_op(monitor, mode)
        # an improvement must beat the reference by min_delta, in the monitor's direction
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def _is_improvement(self, value, reference):
        return reference is None or bool(self.monitor_op(value - self.min_delta, reference))

    def on_epoch_end(self, epoch, logs=None):
        current = _monitored(self, logs, "Early stopping conditioned on metric")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
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


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        validation.open_fraction("ReduceLROnPlateau", "factor", factor)
        validation.non_negative_number("ReduceLROnPlateau", "min_lr", min_lr)
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        op = _monitor_op(monitor, mode)
        if op is np.less:
            self.better = lambda a, b: a < b - self.min_delta
        else:
            self.better = lambda a, b: a > b + self.min_delta

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter, self.best = 0, 0, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = _monitored(self, logs, "Learning rate reduction is conditioned on metric")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.best is None or self.better(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience and self.model.optimizer.learning_rate > self.min_lr:
                new_lr = max(self.model.optimizer.learning_rate * self.factor, self.min_lr)
                self.model.optimizer.learning_rate = new_lr
                if self.verbose:
                    print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                self.cooldown_counter, self.wait = self.cooldown, 0


class ModelCheckpoint(Callback):
    """Save the weights (``.npz``) after every epoch, or only when ``monitor`` improves.

    ``filepath`` may hold Keras' placeholders, e.g. ``"w-{epoch:02d}-{val_loss:.3f}.npz"``.
    tinylstm saves weights only, so ``save_weights_only=True`` is required.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto"):
        super().__init__()
        if not save_weights_only:
            raise ValueError("ModelCheckpoint: tinylstm saves weights only (.npz); "
                             "pass save_weights_only=True")
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only = save_best_only
        self.monitor_op = _monitor_op(monitor, mode)
        self.best = None

    def set_params(self, params):
        """Check the filepath's placeholders against what fit will log, before training starts."""
        super().set_params(params)
        names = params.get("metrics")
        if names is None:
            return
        try:
            self.filepath.format(epoch=1, **{name: 0.0 for name in names})
        except KeyError as err:
            raise ValueError(
                f"ModelCheckpoint: filepath {self.filepath!r} has the placeholder "
                f"{{{err.args[0]}}}, which this fit does not log; it logs epoch, "
                f"{', '.join(names)}") from None
        except (ValueError, IndexError) as err:
            raise ValueError(f"ModelCheckpoint: filepath {self.filepath!r} cannot be formatted "
                             f"with the logs of this fit ({err})") from None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available, "
                              "skipping.", stacklevel=2)
                return
            if self.best is not None and not self.monitor_op(current, self.best):
                return
            self.best = current
        if self.verbose:
            print(f"Epoch {epoch + 1}: saving model weights to {path}")
        self.model.save_weights(path)
