"""Checks on what users hand to the public API, made before any state changes.

Each check raises the exception Keras would (TypeError for a wrong kind of
thing, ValueError for a wrong value or shape) with a message that says what was
expected, what came, and, for shapes, which layer needs what.
"""
import numpy as np


def positive_int(owner, name, value):
    """``int(value)`` if it is an integer >= 1, else a ValueError naming ``owner`` and ``name``."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner}: `{name}` expected a positive integer, got {value!r}")
    return int(value)


def non_negative_int(owner, name, value):
    """``int(value)`` if it is an integer >= 0, else a ValueError."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{owner}: `{name}` expected a non-negative integer, got {value!r}")
    return int(value)


def verbosity(owner, value):
    """Keras' ``verbose``: "auto" (1), 0 silent, 1 a progress bar, 2 one line; returns the int."""
    if isinstance(value, bool) or value not in ("auto", 0, 1, 2):
        raise ValueError(f"{owner}: `verbose` expected 'auto', 0, 1 or 2, got {value!r}")
    return 1 if value == "auto" else int(value)


def open_fraction(owner, name, value):
    """A number strictly between 0 and 1 (a factor that shrinks and stays positive)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not 0.0 < value < 1.0:
        raise ValueError(f"{owner}: `{name}` expected a number in (0, 1), got {value!r}")
    return float(value)


def non_negative_number(owner, name, value):
    """``float(value)`` if it is a finite number >= 0, else a ValueError."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{owner}: `{name}` expected a finite number >= 0, got {value!r}")
    return float(value)


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
    """``float(value)`` if it is a number in [0, 1), else a ValueError."""
    if not isinstance(value, (int, float, np.floating)) or not 0.0 <= value < 1.0:
        raise ValueError(f"{owner}: `{name}` expected a number in [0, 1), got {value!r}")
    return float(value)


def float_arrays(owner, data, what, dtype, count=None):
    """One numeric, non-empty, finite array of ``dtype`` per entry of ``data``.

    ``data`` is an array, or a list of ``count`` arrays (one per model input or
    output). Values that only overflow in the cast to ``dtype`` are named as such.
    """
    if data is None:
        raise ValueError(f"{owner}: no {what} data was given")
    if isinstance(data, dict):
        raise TypeError(f"{owner}: {what} expected an array, or a list of arrays (one per "
                        f"model {what}), got a dict")
    is_list = isinstance(data, (list, tuple))
    entries = list(data) if is_list else [data]
    if count is not None and len(entries) != count:
        hint = ""
        if count == 1:
            hint = (f"; a list is read as one array per model {what}: if it holds the rows "
                    "of one array, pass np.asarray(x)")
        raise ValueError(f"{owner} expects {count} {what} array(s), got a list of "
                         f"{len(entries)}{hint}")
    return [_float_array(owner, a, what if not is_list else f"{what} {k}", dtype)
            for k, a in enumerate(entries)]


def _float_array(owner, a, label, dtype):
    try:
        arr = np.asarray(a)
    except ValueError as err:      # ragged nested lists
        raise ValueError(f"{owner}: {label} is not a rectangular array ({err})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: {label} must be numeric, got an array of dtype {arr.dtype}")
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"{owner}: {label} is empty (shape {arr.shape})")
    if not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).sum())
        raise ValueError(f"{owner}: {label} contains {bad} NaN or infinite value(s)")
    with np.errstate(over="ignore"):           # an overflow is reported just below
        cast = arr.astype(dtype, copy=False)
    if cast is not arr and not np.isfinite(cast).all():
        raise ValueError(_overflow_message(f"{owner}: {label}", arr, dtype))
    return cast


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


def match_shapes(owner, arrays, shapes, what, producers=None):
    """Each array must fit its shape (batch axis first; None matches any size).

    ``producers`` name what makes each target, e.g. "layer 'dense' (Dense)".
    """
    if len(arrays) != len(shapes):
        raise ValueError(f"{owner} expects {len(shapes)} {what} array(s), got {len(arrays)}")
    for k, (a, shape) in enumerate(zip(arrays, shapes)):
        fits = a.ndim == len(shape) and all(
            s is None or s == d for s, d in zip(shape[1:], a.shape[1:]))
        if fits:
            continue
        message = f"{owner}: {what} expected shape {shape}, got {a.shape}"
        if producers:
            message += f" (the output of {producers[k]})"
        if a.ndim == len(shape) - 1 and None not in shape[1:] and a.size % np.prod(shape[1:]) == 0:
            dims = ", ".join(str(s) for s in shape[1:])
            message += (f". The data has one axis too few: a sequence layer reads "
                        f"(batch, timesteps, features); try x.reshape(-1, {dims})")
        raise ValueError(message)
    lengths = sorted({len(a) for a in arrays})
    if len(lengths) != 1:
        raise ValueError(f"{owner}: {what} arrays have different lengths {lengths}")


def same_length(owner, xs, ys):
    """x and y must have as many samples."""
    if len(xs[0]) != len(ys[0]):
        raise ValueError(
            f"{owner}: x and y must have the same number of samples, got {len(xs[0])} and {len(ys[0])}"
        )
