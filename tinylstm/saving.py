"""Weights on disk: an ``.npz`` file, written atomically, read without pickle.

Each array is stored under ``"{k:04d}/{LayerType}/{weight}"`` (for example
``0001/LSTM/recurrent_kernel``), in the model's weight order. Loading checks
the count, the layer types, the weight names and the shapes of everything
before it assigns anything, so a refused file leaves the model unchanged.
"""
import os
import pickle
import tempfile
import zipfile

import numpy as np


def _entries(model):
    return [(f"{type(layer).__name__}/{name}", w)
            for layer in model._weight_layers() for name, w in layer.params.items()]


def save_weights(model, filepath):
    """Write to a temporary file beside ``filepath``, then rename it into place."""
    arrays = {f"{k:04d}/{key}": w for k, (key, w) in enumerate(_entries(model))}
    folder = os.path.dirname(os.path.abspath(filepath))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tinylstm-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, filepath)
    except BaseException:
        os.unlink(tmp)
        raise


def read_weights(filepath):
    """{key: array} from a weights file, or a ValueError that says what is wrong with it."""
    try:
        data = np.load(filepath, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not named weights")
        with data:
            return {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, pickle.UnpicklingError) as err:
        raise ValueError(f"{filepath} is not a complete tinylstm weights file: {err}") from None


def load_weights(model, filepath):
    stored = read_weights(filepath)
    expected = _entries(model)
    if len(stored) != len(expected):
        raise ValueError(f"{filepath} holds {len(stored)} arrays; model '{model.name}' "
                         f"has {len(expected)} weights")
    keys = sorted(stored)
    for k, (key, (want, w)) in enumerate(zip(keys, expected)):
        if key != f"{k:04d}/{want}":
            raise ValueError(f"{filepath}: weight {k} is '{key}', model '{model.name}' expects "
                             f"'{k:04d}/{want}'")
        a = stored[key]
        if a.shape != w.shape:
            raise ValueError(f"{filepath}: weight '{key}' has shape {a.shape}, model "
                             f"'{model.name}' expects {w.shape}")
        if a.dtype.kind != "f":
            raise ValueError(f"{filepath}: weight '{key}' has dtype {a.dtype}, expected a float type")
    for key, (_, w) in zip(keys, expected):
        w[...] = stored[key]
