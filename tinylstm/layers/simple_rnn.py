"""The SimpleRNN layer: Keras' arguments and weights, the math in ``tinylstm/ops/simple_rnn.py``."""
from ..ops.simple_rnn import simple_rnn_backward, simple_rnn_forward
from .recurrent import Recurrent, weight_grads


class SimpleRNN(Recurrent):
    """Fully-connected RNN, h_t = activation(x_t W + h_{t-1} U + b), as ``keras.layers.SimpleRNN``.

    Args: as ``LSTM``, without ``recurrent_activation`` and ``unit_forget_bias``.

    Input (B, T, D), or ``[x, h0]`` when called with ``initial_state=h0``.
    Output (B, T, H) with ``return_sequences=True``, else the last h (B, H);
    with ``return_state=True`` the list ``[output, h_T]``.
    Weights: ``kernel`` (D, H), ``recurrent_kernel`` (H, H), ``bias`` (H,).
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed,
                         return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)

    def get_config(self):
        """Keras 3's keys: its SimpleRNN, unlike LSTM and GRU, leaves ``seed`` out."""
        config = super().get_config()
        del config["seed"]
        return config

    def build(self, input_shape):
        x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        D, H = x_shape[-1], self.units
        self.add_weight("kernel", (D, H), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (H, H), self.recurrent_initializer)
        if self.use_bias:
            self.add_weight("bias", (H,), self.bias_initializer)
        self.build_states(input_shape)
        self.built = True

    def run(self, x, states, mask, drop):
        p = self.params
        h_seq, h_T, cache = simple_rnn_forward(x, p["kernel"], p["recurrent_kernel"],
                                               p.get("bias"), states[0], self.activation,
                                               mask, drop.h_gates)
        return h_seq, [h_T], cache

    def run_backward(self, dh_seq, d_finals, op_cache):
        dx, dW, dU, db, dh0 = simple_rnn_backward(dh_seq, d_finals[0], op_cache)
        return dx, weight_grads(self, dW, dU, db), [dh0]
