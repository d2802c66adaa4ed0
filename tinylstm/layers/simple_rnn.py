"""The SimpleRNN layer: Keras' arguments and weights, the math in ``tinylstm/ops/simple_rnn.py``."""
import numpy as np

from .. import initializers
from ..ops import activations
from ..ops.simple_rnn import simple_rnn_backward, simple_rnn_forward
from .base import Layer, as_list, check_ndim


class SimpleRNN(Layer):
    """Fully-connected RNN, h_t = activation(x_t W + h_{t-1} U + b), as ``keras.layers.SimpleRNN``.

    Input (B, T, D), or ``[x, h0]`` when called with ``initial_state=h0``.
    Output (B, T, H) with ``return_sequences=True``, else the last h (B, H);
    with ``return_state=True`` the list ``[output, h_T]``.
    Weights: ``kernel`` (D, H), ``recurrent_kernel`` (H, H), ``bias`` (H,).
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", return_sequences=False, return_state=False,
                 go_backwards=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units < 1:
            raise ValueError(
                f"SimpleRNN: received an invalid value for argument `units`, "
                f"expected a positive integer, got {units!r}"
            )
        activations.get(activation)
        self.units = int(units)
        self.activation = activation or "linear"
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards

    def __call__(self, inputs, initial_state=None):
        if initial_state is not None:
            inputs = [inputs] + as_list(initial_state)
        return super().__call__(inputs)

    def check_input_shape(self, input_shape):
        check_recurrent_input(self, input_shape, n_states=1)

    def build(self, input_shape):
        x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        D, H = x_shape[-1], self.units
        self.add_weight("kernel", (D, H), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (H, H), self.recurrent_initializer)
        if self.use_bias:
            self.add_weight("bias", (H,), self.bias_initializer)
        self.built = True

    def compute_output_shape(self, input_shape):
        return recurrent_output_shape(self, input_shape, n_states=1)

    def forward(self, inputs):
        x, h0 = (inputs + [None])[:2] if isinstance(inputs, list) else (inputs, None)
        if self.go_backwards:
            x = x[:, ::-1]
        p = self.params
        h_seq, h_T, cache = simple_rnn_forward(x, p["kernel"], p["recurrent_kernel"],
                                               p.get("bias"), h0, self.activation)
        out = h_seq if self.return_sequences else h_T
        outputs = [out, h_T] if self.return_state else out
        return outputs, (cache, x.shape, h0 is not None)

    def backward(self, d_outputs, cache):
        rnn_cache, (B, T, _), has_state = cache
        d_out, dh_T = d_outputs if self.return_state else (d_outputs, None)
        dh_seq, dh_T = output_grads_to_state_grads(self, d_out, dh_T, (B, T, self.units),
                                                   rnn_cache.h.dtype)
        dx, dW, dU, db, dh0 = simple_rnn_backward(dh_seq, dh_T, rnn_cache)
        self.grads["kernel"] += dW
        self.grads["recurrent_kernel"] += dU
        if self.use_bias:
            self.grads["bias"] += db
        if self.go_backwards:
            dx = dx[:, ::-1]
        return [dx, dh0] if has_state else dx


# -- shared by SimpleRNN and GRU (the LSTM layer has its own copy, with two states) ---------

def check_recurrent_input(layer, input_shape, n_states):
    """A (B, T, D) input, plus ``n_states`` initial states of shape (B, H) if any."""
    shapes = input_shape if isinstance(input_shape, list) else [input_shape]
    kind = type(layer).__name__
    check_ndim(layer, shapes[0], 3, hint=(
        f". A {kind} reads sequences (batch, timesteps, features); if the layer below "
        "is recurrent, give it return_sequences=True."
    ))
    if len(shapes) not in (1, 1 + n_states):
        raise ValueError(
            f"Layer '{layer.name}': initial_state must be {n_states} tensor(s) [h0], "
            f"got {len(shapes) - 1} tensor(s)"
        )
    for s in shapes[1:]:
        if tuple(s[1:]) != (layer.units,):
            raise ValueError(
                f"Layer '{layer.name}': the initial state must have shape (batch, {layer.units}), got {s}"
            )
    if layer.built and shapes[0][-1] != layer.params["kernel"].shape[0]:
        raise ValueError(
            f"Input 0 of layer '{layer.name}' is incompatible with the layer: expected "
            f"axis -1 of input shape to have value {layer.params['kernel'].shape[0]}, "
            f"but received input with shape {shapes[0]}"
        )


def recurrent_output_shape(layer, input_shape, n_states):
    x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
    B, T = x_shape[0], x_shape[1]
    out = (B, T, layer.units) if layer.return_sequences else (B, layer.units)
    if layer.return_state:
        return [out] + [(B, layer.units)] * n_states
    return out


def output_grads_to_state_grads(layer, d_out, dh_T, shape, dtype):
    """dL/d(output) -> (dh_seq (B, T, H), dh_T): the last output is h_T itself."""
    if layer.return_sequences:
        dh_seq = np.zeros(shape, dtype) if d_out is None else d_out
    else:
        dh_seq = np.zeros(shape, dtype)
        if d_out is not None:
            dh_T = d_out if dh_T is None else dh_T + d_out
    return dh_seq, dh_T
