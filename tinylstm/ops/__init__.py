"""Pure functions: the math of every layer, forward and backward, no classes with state."""
from .lstm import lstm_forward, lstm_backward
from .dense import dense_forward, dense_backward

__all__ = ["lstm_forward", "lstm_backward", "dense_forward", "dense_backward"]
