"""Layers with Keras' names: hold weights and gradients, call the math in ``tinylstm.ops``."""
from .base import KerasTensor, Layer
from .dense import Dense
from .dropout import Dropout
from .embedding import Embedding
from .gru import GRU
from .input_layer import Input, InputLayer
from .lstm import LSTM
from .masking import Masking
from .repeat_vector import RepeatVector
from .simple_rnn import SimpleRNN
from .wrappers import Bidirectional, TimeDistributed

__all__ = ["Bidirectional", "Dense", "Dropout", "Embedding", "GRU", "Input", "InputLayer",
           "KerasTensor", "LSTM", "Layer", "Masking", "RepeatVector", "SimpleRNN",
           "TimeDistributed"]
