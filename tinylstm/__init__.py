"""tinylstm: an LSTM library written from scratch in NumPy, with the Keras API.

    from tinylstm.layers import LSTM, Dense, RepeatVector, Input
    from tinylstm.models import Sequential, Model

The math lives in ``tinylstm.ops`` (pure functions, forward and backward);
layers hold weights and call it; models wire layers into graphs and train them.
"""
from . import (callbacks, config, initializers, layers, losses, metrics, models, ops,
               optimizers, sampling, utils)
from .layers import Input
from .models import Model, Sequential

__version__ = "0.1.0"

__all__ = ["Input", "Model", "Sequential", "callbacks", "config", "initializers",
           "layers", "losses", "metrics", "models", "ops", "optimizers", "sampling", "utils"]
