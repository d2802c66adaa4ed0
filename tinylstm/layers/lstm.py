"""The LSTM layer: Keras' arguments and weights, the math in ``tinylstm.ops``."""
import numpy as np

from .. import ops, validation
from ..ops import activations
from .recurrent import Recurrent, weight_grads


class LSTM(Recurrent):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997), as ``keras.layers.LSTM``.

    Input (B, T, D), or ``[x, h0, c0]`` when called with ``initial_state=[h0, c0]``.
    Output (B, T, H) with ``return_sequences=True``, else the last h (B, H);
    with ``return_state=True`` the list ``[output, h_T, c_T]``.
    Weights: ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H), ``bias`` (4H,),
    gate order i, f, c, o. The equations are in ``tinylstm/ops/lstm.py``.
    """

    n_states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 *, unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        activations.get(recurrent_activation)
        self.recurrent_activation = recurrent_activation or "linear"
        self.unit_forget_bias = validation.boolean("LSTM", "unit_forget_bias", unit_forget_bias)

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
        self.built = True

    def run(self, x, states):
        p = self.params
        h_seq, (h_T, c_T), cache = ops.lstm_forward(
            x, p["kernel"], p["recurrent_kernel"], p.get("bias"), *states,
            self.activation, self.recurrent_activation)
        return h_seq, [h_T, c_T], cache

    def run_backward(self, dh_seq, d_finals, op_cache):
        dx, dW, dU, db, dh0, dc0 = ops.lstm_backward(dh_seq, *d_finals, op_cache)
        return dx, weight_grads(self, dW, dU, db), [dh0, dc0]
