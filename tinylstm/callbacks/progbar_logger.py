"""``ProgbarLogger``: the progress ``fit`` prints (the drawing is in ``tinylstm/progbar.py``)."""
from ..progbar import Progbar
from .callback import Callback


class ProgbarLogger(Callback):
    """Keras' progress for ``fit``: ``verbose=1`` a bar per epoch (one finished line per
    epoch when the output is not a terminal), ``verbose=2`` a line per epoch.

    ``fit`` adds one unless given; ``Epoch k/N`` heads each epoch when N > 1, as
    in Keras 3. The values shown are the logs exactly (the running means of the
    epoch, then the epoch's logs with validation). ``verbose=None`` takes fit's.
    ``stream`` (``sys.stdout`` by default), ``width`` and ``interval`` (the least
    seconds between two drawings) go to the ``Progbar``.
    """

    def __init__(self, verbose=None, stream=None, width=20, interval=0.1):
        super().__init__()
        self.verbose, self.stream, self.width, self.interval = verbose, stream, width, interval
        self.progbar = None

    def set_params(self, params):
        super().set_params(params)
        if self.verbose is None:
            self.verbose = params.get("verbose", 1)

    def on_epoch_begin(self, epoch, logs=None):
        epochs = self.params.get("epochs", 1)
        self.progbar = Progbar(self.params.get("steps"), width=self.width, verbose=self.verbose,
                               interval=self.interval, stream=self.stream,
                               stateful_metrics=self.params.get("metrics"))
        if self.verbose and epochs > 1:
            self.progbar.stream.write(f"Epoch {epoch + 1}/{epochs}\n")
            self.progbar.stream.flush()

    def on_train_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self.progbar.update(self.params["steps"], list((logs or {}).items()), finalize=True)
