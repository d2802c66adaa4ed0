"""RepeatVector: ``keras.layers.RepeatVector``, (B, D) -> (B, n, D)."""
import numpy as np

from .. import validation
from .base import Layer, check_ndim


class RepeatVector(Layer):
    """Repeat a vector n times along a new time axis.

    forward:  y[:, t, :] = x          for t = 0 .. n-1      (B, D) -> (B, n, D)
    backward: dx = sum_t dy[:, t, :]  the copies' gradients add up

    Example: ``RepeatVector(100)`` turns an encoder's (B, 1) latent value into a
    (B, 100, 1) sequence for the decoder. ``**kwargs``: see ``Layer``.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = validation.positive_int("RepeatVector", "n", n)

    def get_config(self):
        return {**super().get_config(), "n": self.n}

    def check_input_shape(self, input_shape):
        check_ndim(self, input_shape, 2, hint=(
            ". RepeatVector repeats a vector (batch, features); if the layer below is an "
            "LSTM, give it return_sequences=False."
        ))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def forward(self, x):
        y = np.repeat(x[:, None, :], self.n, axis=1)      # (B, n, D)
        return y, None

    def backward(self, dy, cache):
        return dy.sum(axis=1)                             # (B, D)
