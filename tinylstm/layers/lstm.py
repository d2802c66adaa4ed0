"""The LSTM layer: Keras' arguments and weights, the math in ``tinylstm.ops``."""
import numpy as np

from .. import ops, validation
from ..ops import activations
from .recurrent import Recurrent, weight_grads


class LSTM(Recurrent):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997), as ``keras.layers.LSTM``.

    Args:
        units: H, the size of h and c.
        activation: the cell input's and the output's squashing (``"tanh"``).
        recurrent_activation: the gates' (``"sigmoid"``).
        use_bias: whether the gates have a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: names or
            ``tinylstm.initializers`` objects.
        unit_forget_bias: start the forget gate's bias at 1 (Jozefowicz et al., 2015).
        dropout, recurrent_dropout: the fractions of x_t and of h_{t-1} to drop while
            ``fit`` trains, one mask per sequence (``layers/recurrent.py``).
        seed: the dropout masks' own random seed (default: tinylstm's generator).
        return_sequences: give h at every step (B, T, H), not only the last (B, H).
        return_state: also give the final states: ``[output, h_T, c_T]``.
        go_backwards: read the sequence from its end (the output stays reversed).
        stateful: start each call from the last call's final states (a fixed batch:
            ``Input(batch_shape=...)``; ``reset_state()`` forgets them).
        **kwargs: ``name``, ``input_shape``, ``dtype``, ``trainable`` (see ``Layer``).

    Input (B, T, D), or ``[x, h0, c0]`` when called with ``initial_state=[h0, c0]``.
    Weights: ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H), ``bias`` (4H,),
    gate order i, f, c, o. The equations are in ``tinylstm/ops/lstm.py``; masks,
    ``dropout``, ``recurrent_dropout`` and ``stateful`` in ``layers/recurrent.py``.

    Example: ``LSTM(32, input_shape=(100, 1), return_sequences=True)``.
    """

    n_states = 2
    n_gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed,
                         return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)
        activations.get(recurrent_activation)
        self.recurrent_activation = recurrent_activation or "linear"
        self.unit_forget_bias = validation.boolean("LSTM", "unit_forget_bias", unit_forget_bias)

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation,
                "unit_forget_bias": self.unit_forget_bias}

    def build(self, input_shape):
        x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        D, H = x_shape[-1], self.units
        self.add_weight("kernel", (D, 4 * H), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (H, 4 * H), self.recurrent_initializer)
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                def bias_init(shape, dtype=None):
                    # Keras: the forget-gate slice starts at 1 (Jozefowicz et al., 2015)
                    return np.concatenate([init((H,), dtype), np.ones(H, dtype),
                                           init((2 * H,), dtype)])
                self.add_weight("bias", (4 * H,), bias_init)
            else:
                self.add_weight("bias", (4 * H,), init)
        self.build_states(input_shape)
        self.built = True

    def run(self, x, states, mask, drop):
        p = self.params
        h_seq, (h_T, c_T), cache = ops.lstm_forward(
            x, p["kernel"], p["recurrent_kernel"], p.get("bias"), *states,
            self.activation, self.recurrent_activation, mask, drop.x_gates, drop.h_gates)
        return h_seq, [h_T, c_T], cache

    def run_backward(self, dh_seq, d_finals, op_cache):
        dx, dW, dU, db, dh0, dc0 = ops.lstm_backward(dh_seq, *d_finals, op_cache)
        return dx, weight_grads(self, dW, dU, db), [dh0, dc0]
