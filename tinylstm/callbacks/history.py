"""``History``: the logs of every epoch, the object ``fit`` returns."""
import numpy as np

from .callback import Callback


class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"]``, ``history.epoch``.

    The keys are what ``fit`` logs: ``loss``, the metrics, their ``val_`` twins,
    and ``learning_rate`` when a ``LearningRateScheduler`` or ``ReduceLROnPlateau``
    logs it (as in Keras, plain ``fit`` does not). ``history.nonfinite`` holds
    where the first NaN or infinite loss of the last fit came, or None.
    """

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
