"""Input: where a functional model starts."""
from .. import validation
from .base import KerasTensor, Layer, Node


class InputLayer(Layer):
    """A placeholder layer: the source node of a graph, with no weights."""

    def __init__(self, shape, batch_size=None, **kwargs):
        super().__init__(**kwargs)
        self.shape = (batch_size,) + tuple(shape)
        self.built = True
        self.output = Node(self, [], [self.shape]).outputs[0]

    def compute_output_shape(self, input_shape):
        return self.shape

    def forward(self, x):
        return x, None

    def backward(self, dy, cache):
        return dy


def Input(shape=None, batch_size=None, name=None, dtype=None, batch_shape=None):
    """A symbolic tensor of shape (batch_size, *shape), as ``keras.Input``: the batch is None
    (any size) unless given, as ``batch_size`` or as the first entry of ``batch_shape``
    (a stateful recurrent layer needs it fixed)."""
    if batch_shape is not None:
        if shape is not None or batch_size is not None:
            raise ValueError("Input: give `shape` (and `batch_size`), or `batch_shape`, not "
                             f"both; got shape={shape!r}, batch_size={batch_size!r}, "
                             f"batch_shape={batch_shape!r}")
        if not isinstance(batch_shape, (tuple, list)) or len(batch_shape) < 1:
            raise ValueError("Input: `batch_shape` expected a tuple (batch, *shape) such as "
                             f"(32, 10, 1), got {batch_shape!r}")
        batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
    elif shape is None:
        raise ValueError("Input: give `shape`, e.g. Input(shape=(timesteps, features)), or "
                         "`batch_shape`, e.g. Input(batch_shape=(batch, timesteps, features))")
    shape = validation.shape("Input", "shape", shape)
    if batch_size is not None:
        batch_size = validation.positive_int("Input", "batch_size", batch_size)
    layer = InputLayer(shape, batch_size=batch_size, name=name, dtype=dtype)
    return layer.output


__all__ = ["Input", "InputLayer", "KerasTensor"]
