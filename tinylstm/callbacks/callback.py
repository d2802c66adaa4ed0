"""The ``Callback`` base class, the list ``fit`` calls, and ``LambdaCallback``."""


class Callback:
    """Base class: override any hook. ``self.model`` and ``self.params`` are set before
    training starts (``params``: ``epochs``, ``steps``, ``verbose``, ``metrics``).

    ``fit`` calls, in this order: ``on_train_begin``; per epoch ``on_epoch_begin``,
    per batch ``on_train_batch_begin`` / ``on_train_batch_end`` (with the running
    logs), ``on_epoch_end`` (with the epoch's logs, validation included);
    ``on_train_end``. A callback may add to the logs it is given (Keras'
    ``LearningRateScheduler`` adds ``learning_rate``); later callbacks see it.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        """Called once, before the first epoch."""

    def on_train_end(self, logs=None):
        """Called once, after the last epoch (also after an early stop)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with its logs (``loss``, metrics, ``val_*``)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before training step ``batch`` (0-based within the epoch)."""

    def on_train_batch_end(self, batch, logs=None):
        """Called after a training step with the epoch's running mean logs."""


class CallbackList:
    """Calls each hook on every callback in turn, always with ``logs`` (None when there are
    none), as Keras does: ``LambdaCallback(on_train_begin=lambda logs: ...)`` works."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def _call(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)


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
