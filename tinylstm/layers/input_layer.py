"""Input: where a functional model starts."""
from .. import config, validation
from .base import KerasTensor, Layer, Node


class InputLayer(Layer):
    """A placeholder layer: the source node of a graph, with no weights.

    ``shape`` excludes the batch axis; ``batch_shape`` includes it (Keras 3 writes
    this one in configs): ``InputLayer(shape=(100, 1))`` is
    ``InputLayer(batch_shape=(None, 100, 1))``.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None,
                 **kwargs):
        super().__init__(dtype=dtype, name=name, **kwargs)
        if batch_shape is not None:
            if shape is not None or batch_size is not None:
                raise ValueError("InputLayer: give `shape` (and `batch_size`) or `batch_shape`, "
                                 f"not both; got shape={shape}, batch_size={batch_size}, "
                                 f"batch_shape={batch_shape}")
            if not isinstance(batch_shape, (tuple, list)) or not batch_shape:
                raise ValueError("InputLayer: `batch_shape` expected a tuple (batch, ...), "
                                 f"got {batch_shape!r}")
            batch_size, shape = batch_shape[0], batch_shape[1:]
        if shape is None:
            raise ValueError("InputLayer: give `shape`, e.g. shape=(timesteps, features)")
        shape = validation.shape("Input", "shape", shape)
        if batch_size is not None:
            batch_size = validation.positive_int("Input", "batch_size", batch_size)
        self.shape = (batch_size,) + shape
        self.built = True
        Node(self, [], [self.shape])

    def compute_output_shape(self, input_shape):
        return self.shape

    def forward(self, x):
        return x, None

    def backward(self, dy, cache):
        return dy

    def get_config(self):
        """Keras 3's InputLayer config: the batch shape, the dtype as a name, the name."""
        return {"batch_shape": list(self.shape), "dtype": (self.dtype or config.dtype()).name,
                "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, batch_shape=None, name=None):
    """A symbolic tensor of shape (batch_size, *shape), as ``keras.Input``; the batch is None
    (any size) unless given.

    Example: ``x = Input(shape=(100, 1)); y = LSTM(32)(x); model = Model(x, y)``.
    """
    layer = InputLayer(shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape,
                       name=name)
    return layer.output


__all__ = ["Input", "InputLayer", "KerasTensor"]
