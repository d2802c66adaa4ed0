"""Layers with Keras' names: hold weights and gradients, call the math in ``tinylstm.ops``."""
from .base import KerasTensor, Layer
from .dense import Dense
from .gru import GRU
from .input_layer import Input, InputLayer
from .lstm import LSTM
from .repeat_vector import RepeatVector
from .simple_rnn import SimpleRNN

__all__ = ["Dense", "GRU", "Input", "InputLayer", "KerasTensor", "LSTM", "Layer", "RepeatVector", "SimpleRNN"]
