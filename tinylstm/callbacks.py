"""Callbacks with Keras' hook names, the History that ``fit`` returns, and the progress bar."""
import sys
import time

import numpy as np


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
    """Stops training when the loss becomes NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
