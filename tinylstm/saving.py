"""Weights on disk, written atomically, read without pickle.

The file's name says its format: ``.npz`` (tinylstm's own, NumPy only) or
``.h5`` / ``.hdf5`` (Keras 3's weights file, ``*.weights.h5``, through
``keras_weights.py``; h5py needed). A whole model goes to ``.keras`` with
``model.save``, not here.

In an ``.npz`` file each array is stored under ``"{k:04d}/{LayerType}/{weight}"``
(for example ``0001/LSTM/recurrent_kernel``), in the model's weight order.

Saving (every format, ``model.save`` too) writes a temporary file beside the
destination (beside its target, for a symlink), flushes it to disk, gives it
the destination's permissions (or the usual umask mode for a new file) and
renames it into place: a reader sees the old file or the new one, never half
of one.

Loading trusts nothing in the file. It reads the zip's table of contents and
each member's ``.npy`` header (shape, dtype, size) and checks them against the
model before it reads any data, so a small file that claims or inflates to
gigabytes is refused at once; then it checks the values (finite, and within
the model's float type). Every refusal is a ValueError naming the file and the
member, and a refused file leaves the model unchanged.
"""
import io
import os
import secrets
import stat
import zipfile
import zlib

import numpy as np

from . import atomic, validation

NPY_MAGIC = b"\x93NUMPY"


def _entries(model):
    return [(f"{type(layer).__name__}/{name}", w)
            for layer in model._weight_layers() for name, w in layer.params.items()]


# -- saving -------------------------------------------------------------------------
def weights_format(filepath):
    """"npz" or "h5", from the file's name; a ``.keras`` name is refused with what to call."""
    name = os.fspath(filepath).lower()
    if name.endswith(".keras"):
        raise ValueError(f"{filepath}: a .keras file holds a whole model: use model.save() and "
                         "tinylstm.models.load_model(); weights go to .npz or .weights.h5")
    return "h5" if name.endswith((".h5", ".hdf5")) else "npz"


def save_weights(model, filepath):
    """Write every weight of a built model to ``filepath`` (see the module docstring)."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it first (give the "
                         "first layer an input_shape, or call fit or predict once)")
    if weights_format(filepath) == "h5":
        from . import keras_weights
        write_atomically(filepath, keras_weights.weights_file_bytes(model))
        return
    arrays = {f"{k:04d}/{key}": w for k, (key, w) in enumerate(_entries(model))}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomically(filepath, buffer.getvalue())


def write_atomically(filepath, data):
    """Put ``data`` (bytes) at ``filepath`` as one step: a reader sees the old file or the new."""
    target = os.path.realpath(filepath)         # through a symlink, to the file it names
    if os.path.exists(target):
        with open(target, "ab"):                # refused where open() would refuse to write
            pass
    fd, tmp = _create_beside(target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())                # the data is on disk before the name points at it
        if os.path.exists(target):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    _fsync_folder(os.path.dirname(target))


def _create_beside(target):
    """A new file in ``target``'s folder, opened for writing with the umask's mode (as open())."""
    folder, name = os.path.split(target)
    while True:
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def _fsync_folder(folder):
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- loading ------------------------------------------------------------------------
def load_weights(model, filepath):
    """Assign every weight from ``filepath``, or none (see the module docstring)."""
    if weights_format(filepath) == "h5":
        from . import keras_weights
        keras_weights.load_weights_file(model, filepath)
        return
    expected = _entries(model)
    stored = read_weights(filepath, [(f"{k:04d}/{key}", w) for k, (key, w) in enumerate(expected)],
                          model.name)
    targets = [w for _, w in expected]
    new = validation.weight_values(f"{filepath}:", [f"'{key}'" for key, _ in stored], targets,
                                   [a for _, a in stored])
    atomic.assign(zip(targets, new))


def read_weights(filepath, expected, model_name):
    """[(key, array)] in ``expected``'s order, after checking the file's table of contents and
    every header against ``expected`` ([(key, array of the wanted shape)])."""
    try:
        with open(filepath, "rb") as f:
            if f.read(len(NPY_MAGIC)) == NPY_MAGIC:
                raise ValueError(f"{filepath} holds a single array, not named weights")
        with zipfile.ZipFile(filepath) as archive:
            members = _check_contents(filepath, archive, expected, model_name)
            return [(key, _read_member(filepath, archive, info, w.shape))
                    for (key, w), info in zip(expected, members)]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as err:
        raise ValueError(f"{filepath} is not a complete tinylstm weights file: {err}") from None


def _check_contents(filepath, archive, expected, model_name):
    """The zip members for ``expected``, in its order, checked by name only."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(infos) != len(expected) or len(set(names)) != len(names):
        raise ValueError(f"{filepath} holds {len(infos)} arrays; model '{model_name}' "
                         f"has {len(expected)} weights")
    by_name = sorted(infos, key=lambda info: info.filename)
    for k, (info, (key, _)) in enumerate(zip(by_name, expected)):
        if info.filename != key + ".npy":
            raise ValueError(f"{filepath}: weight {k} is '{info.filename.removesuffix('.npy')}', "
                             f"model '{model_name}' expects '{key}'")
    return by_name


def _read_member(filepath, archive, info, shape):
    """The array of one member, after its header says it is a float array of ``shape``
    whose data fills the member exactly."""
    where = f"{filepath}: member '{info.filename}'"
    with archive.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                header = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                header = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f".npy format version {version}, expected 1.0 or 2.0")
        except ValueError as err:
            raise ValueError(f"{where} has no valid .npy header ({err})") from None
        stored_shape, fortran_order, dtype = header
        if dtype.kind != "f" or dtype.hasobject:
            raise ValueError(f"{where} has dtype {dtype}, expected a float type")
        if stored_shape != shape:
            raise ValueError(f"{where} has shape {stored_shape}, the model expects {shape}")
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if info.file_size != f.tell() + nbytes:
            raise ValueError(f"{where} is {info.file_size} bytes, its header promises "
                             f"{f.tell() + nbytes}")
        data = f.read(nbytes)
        if len(data) != nbytes or f.read(1):
            raise ValueError(f"{where} does not hold the {nbytes} bytes of data its header promises")
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran_order else "C")
