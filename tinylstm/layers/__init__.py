"""Layers with Keras' names: hold weights and gradients, call the math in ``tinylstm.ops``."""
from .base import KerasTensor, Layer
from .dense import Dense
from .input_layer import Input, InputLayer
from .lstm import LSTM
from .repeat_vector import RepeatVector

__all__ = ["Dense", "Input", "InputLayer", "KerasTensor", "LSTM", "Layer", "RepeatVector"]
