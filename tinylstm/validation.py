"""Checks on what users hand to the public API, made before any state changes.

Each check raises the exception Keras would (TypeError for a wrong kind of
thing, ValueError for a wrong value or shape) with a message that says what was
expected, what came, and, for shapes, which layer needs what.
"""
import numpy as np


def positive_int(owner, name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner}: `{name}` expected a positive integer, got {value!r}")
    return int(value)


def non_negative_int(owner, name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{owner}: `{name}` expected a non-negative integer, got {value!r}")
    return int(value)


def boolean(owner, name, value):
    """True or False (NumPy's bool too); a string such as "False" is refused, not read as truthy."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: `{name}` expected True or False, got {value!r}")
    return bool(value)


def shape(owner, name, value):
    """A shape without the batch axis: a tuple of positive integers (None for any size)."""
    dims = tuple(value) if isinstance(value, (tuple, list)) else None
    if dims is None or any(d is not None and (not isinstance(d, (int, np.integer))
                                              or isinstance(d, bool) or d < 1) for d in dims):
        raise ValueError(f"{owner}: `{name}` expected a tuple of positive integers, such as "
                         f"(timesteps, features) or (features,), got {value!r}")
    return tuple(None if d is None else int(d) for d in dims)


def fraction(owner, name, value):
    if not isinstance(value, (int, float, np.floating)) or not 0.0 <= value < 1.0:
        raise ValueError(f"{owner}: `{name}` expected a number in [0, 1), got {value!r}")
    return float(value)


def float_arrays(owner, data, what, dtype):
    """One numeric, non-empty, finite array of ``dtype`` per entry of ``data``."""
    if data is None:
        raise ValueError(f"{owner}: no {what} data was given")
    out = []
    for k, a in enumerate(data if isinstance(data, (list, tuple)) else [data]):
        label = what if not isinstance(data, (list, tuple)) else f"{what} {k}"
        try:
            arr = np.asarray(a)
        except ValueError as err:      # ragged nested lists
            raise ValueError(f"{owner}: {label} is not a rectangular array ({err})") from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{owner}: {label} must be numeric, got an array of dtype {arr.dtype}")
        if arr.ndim == 0 or arr.size == 0:
            raise ValueError(f"{owner}: {label} is empty (shape {arr.shape})")
        arr = arr.astype(dtype, copy=False)
        if not np.isfinite(arr).all():
            bad = int((~np.isfinite(arr)).sum())
            raise ValueError(f"{owner}: {label} contains {bad} NaN or infinite value(s)")
        out.append(arr)
    return out


def _overflow_message(where, arr, dtype):
    return (f"{where} holds finite values too large for {np.dtype(dtype).name} (largest "
            f"magnitude {float(np.abs(arr).max()):.3g}, {np.dtype(dtype).name} reaches "
            f"{float(np.finfo(dtype).max):.3g}): rescale the data, or work in float64 "
            "(tinylstm.config.set_floatx('float64'))")


def weight_values(owner, labels, targets, values):
    """Each of ``values`` as a new array of its target's shape and dtype, checked whole.

    Nothing is assigned here: callers write the result only once every array
    passed, so a refused ``set_weights`` or ``load_weights`` changes nothing.
    """
    values = list(values)
    out = []
    for label, target, value in zip(labels, targets, values):
        try:
            arr = np.asarray(value)
        except ValueError as err:
            raise ValueError(f"{owner} weight {label} is not a rectangular array ({err})") from None
        if arr.dtype.kind == "c":
            raise TypeError(f"{owner} weight {label} is complex ({arr.dtype}): weights are "
                            "real, and casting would drop the imaginary part; pass np.real(w) "
                            "if that is what you mean")
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{owner} weight {label} must be numeric, got dtype {arr.dtype}")
        if arr.shape != target.shape:
            raise ValueError(f"{owner} weight {label}: expected shape {target.shape}, "
                             f"got {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{owner} weight {label} holds {int((~np.isfinite(arr)).sum())} "
                             "NaN or infinite value(s)")
        with np.errstate(over="ignore"):       # a copy, checked just below
            cast = arr.astype(target.dtype)
        if not np.isfinite(cast).all():
            raise ValueError(_overflow_message(f"{owner} weight {label}", arr, target.dtype))
        out.append(cast)
    return out


def _producer(tensor):
    node = tensor.node
    if node is None or not node.inputs:
        return "the model's input"
    return f"layer '{node.layer.name}' ({type(node.layer).__name__})"


def match_shapes(owner, arrays, tensors, what):
    """Each array must fit its symbolic tensor's shape (None matches any size)."""
    if len(arrays) != len(tensors):
        raise ValueError(f"{owner} expects {len(tensors)} {what} array(s), got {len(arrays)}")
    for a, t in zip(arrays, tensors):
        fits = a.ndim == len(t.shape) and all(
            s is None or s == d for s, d in zip(t.shape[1:], a.shape[1:]))
        if fits:
            continue
        message = f"{owner}: {what} expected shape {t.shape}, got {a.shape}"
        if what == "target":
            message += f" (the output of {_producer(t)})"
        if a.ndim == len(t.shape) - 1 and a.size % np.prod(t.shape[1:]) == 0:
            dims = ", ".join(str(s) for s in t.shape[1:])
            message += (f". The data has one axis too few: a sequence layer reads "
                        f"(batch, timesteps, features); try x.reshape(-1, {dims})")
        raise ValueError(message)
    lengths = sorted({len(a) for a in arrays})
    if len(lengths) != 1:
        raise ValueError(f"{owner}: {what} arrays have different lengths {lengths}")


def same_length(owner, xs, ys):
    if len(xs[0]) != len(ys[0]):
        raise ValueError(
            f"{owner}: x and y must have the same number of samples, got {len(xs[0])} and {len(ys[0])}"
        )
