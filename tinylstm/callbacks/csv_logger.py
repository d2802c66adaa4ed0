"""``CSVLogger``: one row per epoch in a CSV file, as Keras 3 writes it."""
import csv

from .callback import Callback


class CSVLogger(Callback):
    """Write ``epoch`` and the epoch's logs to ``filename``, a row per epoch.

    As Keras 3: the columns are ``epoch`` (from 0) then the log keys of the
    first epoch, sorted, with ``val_`` twins added when there is no validation
    (written ``NA``); floats in full precision (``repr``); ``\\r\\n`` line ends
    (the csv module's default dialect); the file is flushed after each row.
    ``append=True`` continues an existing file, without a second header.

    Example: ``model.fit(x, y, callbacks=[CSVLogger("training.csv")])``.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = str(filename), separator, append
        self.keys, self.writer, self.csv_file = None, None, None

    def on_train_begin(self, logs=None):
        write_header = True
        if self.append:
            try:
                with open(self.filename) as f:
                    write_header = not f.readline()
            except FileNotFoundError:
                pass
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="")
        self.keys, self.writer, self._write_header = None, None, write_header

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep)
            if self._write_header:
                self.writer.writeheader()
        self.writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}})
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
