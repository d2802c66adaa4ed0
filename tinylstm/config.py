"""Global settings: the float type of every new weight and array.

Keras' default is float32; the gradient checks switch to float64 with
``set_floatx("float64")``.
"""
import numpy as np

_FLOATX = "float32"
_VALID_FLOATX = ("float32", "float64")


def floatx():
    """The name of the default float type, ``"float32"`` or ``"float64"``."""
    return _FLOATX


def set_floatx(value):
    """Set the float type used for new weights and for the data given to models."""
    global _FLOATX
    if value not in _VALID_FLOATX:
        raise ValueError(f"set_floatx: expected one of {_VALID_FLOATX}, got {value!r}")
    _FLOATX = value


def dtype():
    """The default float type as a NumPy dtype."""
    return np.dtype(_FLOATX)
