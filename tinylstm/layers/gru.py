"""The GRU layer: Keras' arguments and weights, the math in ``tinylstm/ops/gru.py``."""
import numpy as np

from .. import initializers
from ..ops import activations
from ..ops.gru import gru_backward, gru_forward
from .base import Layer, as_list
from .simple_rnn import check_recurrent_input, output_grads_to_state_grads, recurrent_output_shape


class GRU(Layer):
    """Gated recurrent unit (Cho et al., 2014), as ``keras.layers.GRU``.

    Input (B, T, D), or ``[x, h0]`` when called with ``initial_state=h0``.
    Output (B, T, H) with ``return_sequences=True``, else the last h (B, H);
    with ``return_state=True`` the list ``[output, h_T]``.
    Weights: ``kernel`` (D, 3H), ``recurrent_kernel`` (H, 3H), gate order z, r, h;
    ``bias`` (2, 3H) with ``reset_after=True`` (Keras' default: input and
    recurrent biases), (3H,) with ``reset_after=False``. The equations are in
    ``tinylstm/ops/gru.py``.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 return_sequences=False, return_state=False, go_backwards=False,
                 reset_after=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units < 1:
            raise ValueError(
                f"GRU: received an invalid value for argument `units`, "
                f"expected a positive integer, got {units!r}"
            )
        activations.get(activation)
        activations.get(recurrent_activation)
        self.units = int(units)
        self.activation = activation or "linear"
        self.recurrent_activation = recurrent_activation or "linear"
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.reset_after = bool(reset_after)

    def __call__(self, inputs, initial_state=None):
        if initial_state is not None:
            inputs = [inputs] + as_list(initial_state)
        return super().__call__(inputs)

    def check_input_shape(self, input_shape):
        check_recurrent_input(self, input_shape, n_states=1)

    def build(self, input_shape):
        x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        D, H = x_shape[-1], self.units
        self.add_weight("kernel", (D, 3 * H), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (H, 3 * H), self.recurrent_initializer)
        if self.use_bias:
            shape = (2, 3 * H) if self.reset_after else (3 * H,)
            self.add_weight("bias", shape, self.bias_initializer)
        self.built = True

    def compute_output_shape(self, input_shape):
        return recurrent_output_shape(self, input_shape, n_states=1)

    def forward(self, inputs):
        x, h0 = (inputs + [None])[:2] if isinstance(inputs, list) else (inputs, None)
        if self.go_backwards:
            x = x[:, ::-1]
        p = self.params
        h_seq, h_T, cache = gru_forward(
            x, p["kernel"], p["recurrent_kernel"], p.get("bias"), h0,
            self.activation, self.recurrent_activation, self.reset_after)
        out = h_seq if self.return_sequences else h_T
        outputs = [out, h_T] if self.return_state else out
        return outputs, (cache, x.shape, h0 is not None)

    def backward(self, d_outputs, cache):
        gru_cache, (B, T, _), has_state = cache
        d_out, dh_T = d_outputs if self.return_state else (d_outputs, None)
        dh_seq, dh_T = output_grads_to_state_grads(self, d_out, dh_T, (B, T, self.units),
                                                   gru_cache.h.dtype)
        dx, dW, dU, db, dh0 = gru_backward(dh_seq, dh_T, gru_cache)
        self.grads["kernel"] += dW
        self.grads["recurrent_kernel"] += dU
        if self.use_bias:
            self.grads["bias"] += db
        if self.go_backwards:
            dx = dx[:, ::-1]
        return [dx, dh0] if has_state else dx
