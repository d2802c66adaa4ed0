"""The GRU layer: Keras' arguments and weights, the math in ``tinylstm/ops/gru.py``."""
from .. import validation
from ..ops import activations
from ..ops.gru import gru_backward, gru_forward
from .recurrent import Recurrent, weight_grads


class GRU(Recurrent):
    """Gated recurrent unit (Cho et al., 2014), as ``keras.layers.GRU``.

    Args: as ``LSTM`` (without ``unit_forget_bias``), and
        reset_after: apply the reset gate after the recurrent matmul (Keras 3's
            default, with separate input and recurrent biases), or before it.

    Input (B, T, D), or ``[x, h0]`` when called with ``initial_state=h0``.
    Output (B, T, H) with ``return_sequences=True``, else the last h (B, H);
    with ``return_state=True`` the list ``[output, h_T]``.
    Weights: ``kernel`` (D, 3H), ``recurrent_kernel`` (H, 3H), gate order z, r, h;
    ``bias`` (2, 3H) with ``reset_after=True`` (input and recurrent biases),
    (3H,) with ``reset_after=False``. The equations are in ``tinylstm/ops/gru.py``.
    """

    n_gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed,
                         return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)
        activations.get(recurrent_activation)
        self.recurrent_activation = recurrent_activation or "linear"
        self.reset_after = validation.boolean("GRU", "reset_after", reset_after)

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation,
                "reset_after": self.reset_after}

    def build(self, input_shape):
        x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        D, H = x_shape[-1], self.units
        self.add_weight("kernel", (D, 3 * H), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (H, 3 * H), self.recurrent_initializer)
        if self.use_bias:
            shape = (2, 3 * H) if self.reset_after else (3 * H,)
            self.add_weight("bias", shape, self.bias_initializer)
        self.build_states(input_shape)
        self.built = True

    def run(self, x, states, mask, drop):
        p = self.params
        h_seq, h_T, cache = gru_forward(
            x, p["kernel"], p["recurrent_kernel"], p.get("bias"), states[0],
            self.activation, self.recurrent_activation, self.reset_after,
            mask, drop.x_gates, drop.h_gates)
        return h_seq, [h_T], cache

    def run_backward(self, dh_seq, d_finals, op_cache):
        dx, dW, dU, db, dh0 = gru_backward(dh_seq, d_finals[0], op_cache)
        return dx, weight_grads(self, dW, dU, db), [dh0]
