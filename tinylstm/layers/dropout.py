"""Dropout: ``keras.layers.Dropout``, on while ``fit`` trains, off otherwise."""
import numpy as np

from .. import utils, validation
from ..ops.dropout import dropout_mask
from .base import Layer


class Dropout(Layer):
    """y = x * mask while training, mask = [u >= rate] / (1 - rate) (``ops/dropout.py``);
    y = x otherwise. ``noise_shape`` shares the mask along the axes given as 1 (Keras':
    ``(batch, 1, features)`` drops the same features at every step); ``seed`` gives the
    layer its own generator.

    backward: dx = dy * mask
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        ok = isinstance(rate, (int, float, np.integer, np.floating)) and not isinstance(rate, bool)
        if not ok or not 0 <= rate <= 1:
            raise ValueError(f"Dropout: `rate` expected a number in [0, 1], got {rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = None if seed is None else validation.non_negative_int("Dropout", "seed", seed)
        self._seed_rng = None if seed is None else np.random.default_rng(seed)

    def compute_output_shape(self, input_shape):
        return input_shape

    def mask_shape(self, x_shape):
        """The shape of one mask: ``noise_shape`` with None read as x's size, or x's shape."""
        if self.noise_shape is None:
            return x_shape
        if len(self.noise_shape) != len(x_shape) or any(
                n is not None and n not in (1, d) for n, d in zip(self.noise_shape, x_shape)):
            raise ValueError(f"Layer '{self.name}': noise_shape {self.noise_shape} does not "
                             f"broadcast to the input's shape {x_shape}: each entry must be "
                             "None, 1 or the input's size")
        return tuple(d if n is None else n for n, d in zip(self.noise_shape, x_shape))

    def draw_mask(self, x_shape, dtype):
        """This call's mask, of ``mask_shape(x_shape)``; the layer's ``seed`` or the global rng."""
        return dropout_mask(self.mask_shape(x_shape), self.rate,
                            self._seed_rng or utils.rng(), dtype)

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            return x, None
        mask = self.draw_mask(x.shape, x.dtype)
        return x * mask, mask

    def backward(self, dy, mask):
        return dy if mask is None else dy * mask

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
