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


def Input(shape, batch_size=None, name=None, dtype=None):
    """A symbolic tensor of shape (None, *shape), as ``keras.Input``."""
    shape = validation.shape("Input", "shape", shape)
    layer = InputLayer(shape, batch_size=batch_size, name=name, dtype=dtype)
    return layer.output


__all__ = ["Input", "InputLayer", "KerasTensor"]
