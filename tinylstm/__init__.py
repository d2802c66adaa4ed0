"""tinylstm: an LSTM library written from scratch in NumPy, with the Keras API.

    from tinylstm.layers import LSTM, Dense, RepeatVector, Input
    from tinylstm.models import Sequential, Model, load_model

The math lives in ``tinylstm.ops`` (pure functions, forward and backward);
layers hold weights and call it; models wire layers into graphs and train them.
``tinylstm.gradcheck``, ``.inspect``, ``.interop`` and ``.plotting`` load when
first used, so that numba, matplotlib and the rest load only when needed.
"""
import importlib

__version__ = "0.1.0"

from . import (callbacks, config, initializers, layers, losses, metrics, models,  # noqa: E402
               ops, optimizers, sampling, utils)
from .layers import Input  # noqa: E402
from .models import Model, Sequential, load_model  # noqa: E402

_LAZY = ("gradcheck", "inspect", "interop", "plotting")

__all__ = ["Input", "Model", "Sequential", "callbacks", "config", "initializers", "layers",
           "load_model", "losses", "metrics", "models", "ops", "optimizers", "sampling", "utils",
           *_LAZY]


def __getattr__(name):
    """``tinylstm.gradcheck`` and the other optional modules, imported on first use."""
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tinylstm' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
