"""``ModelCheckpoint``: save the model or its weights as training goes."""
import warnings

from .callback import Callback
from .monitor import monitor_op


class ModelCheckpoint(Callback):
    """Save the model (``.keras``) or its weights after every epoch, or only when ``monitor``
    improves.

    ``filepath`` may hold Keras' placeholders, e.g. ``"w-{epoch:02d}-{val_loss:.3f}.npz"``.
    With ``save_weights_only=True`` it calls ``model.save_weights(path)`` (an
    ``.npz`` or ``.weights.h5`` path), else ``model.save(path)`` (a ``.keras``
    path, optimizer state included).
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto"):
        super().__init__()
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        if not save_weights_only and not self.filepath.endswith(".keras"):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). Received: "
                f"filepath={self.filepath}; to save weights only, pass save_weights_only=True")
        self.monitor_op = monitor_op(monitor, mode)
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
            what = "model weights" if self.save_weights_only else "model"
            print(f"Epoch {epoch + 1}: saving {what} to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
