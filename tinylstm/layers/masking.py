"""Masking: ``keras.layers.Masking``, marks padded steps for the layers downstream."""
import numpy as np

from .base import Layer, check_ndim


class Masking(Layer):
    """A step whose features all equal ``mask_value`` is masked: its output is 0 and the
    mask (B, T), True at the other steps, goes to the layers downstream (as in Keras 3).

    forward:  keep = any(x != mask_value, axis=-1)    y = x where keep, else 0
    backward: dx = dy where keep, else 0
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(mask_value, (int, float, np.integer, np.floating)) \
                or isinstance(mask_value, bool):
            raise TypeError(f"Masking: `mask_value` expected a number, got {mask_value!r}")
        self.mask_value = float(mask_value)

    def check_input_shape(self, input_shape):
        check_ndim(self, input_shape, 3, hint=". Masking reads sequences (batch, timesteps, features).")

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_mask(self, inputs, mask):
        """True at the steps with a feature other than ``mask_value`` (the input's mask is replaced)."""
        return np.any(inputs != self.mask_value, axis=-1)

    def forward(self, x):
        keep = np.any(x != self.mask_value, axis=-1, keepdims=True)     # (B, T, 1)
        return np.where(keep, x, 0).astype(x.dtype, copy=False), keep

    def backward(self, dy, keep):
        return np.where(keep, dy, 0).astype(dy.dtype, copy=False)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
