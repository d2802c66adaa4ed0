"""The LSTM layer: Keras' arguments and weights, the math in ``tinylstm.ops``."""
import numpy as np

from .. import initializers, ops
from ..ops import activations
from .base import Layer, as_list, check_ndim


class LSTM(Layer):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997), as ``keras.layers.LSTM``.

    Input (B, T, D), or ``[x, h0, c0]`` when called with ``initial_state=[h0, c0]``.
    Output (B, T, H) with ``return_sequences=True``, else the last h (B, H);
    with ``return_state=True`` the list ``[output, h_T, c_T]``.
    Weights: ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H), ``bias`` (4H,),
    gate order i, f, c, o. The equations are in ``tinylstm/ops/lstm.py``.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, return_sequences=False, return_state=False,
                 go_backwards=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units < 1:
            raise ValueError(
                f"LSTM: received an invalid value for argument `units`, "
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
        self.unit_forget_bias = unit_forget_bias
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards

    def __call__(self, inputs, initial_state=None):
        if initial_state is not None:
            inputs = [inputs] + as_list(initial_state)
        return super().__call__(inputs)

    def check_input_shape(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        check_ndim(self, shapes[0], 3, hint=(
            ". An LSTM reads sequences (batch, timesteps, features); if the layer below "
            "is an LSTM, give it return_sequences=True."
        ))
        if len(shapes) not in (1, 3):
            raise ValueError(
                f"Layer '{self.name}': initial_state must be [h0, c0], got {len(shapes) - 1} tensor(s)"
            )
        for s in shapes[1:]:
            if tuple(s[1:]) != (self.units,):
                raise ValueError(
                    f"Layer '{self.name}': each initial state must have shape (batch, {self.units}), got {s}"
                )
        if self.built and shapes[0][-1] != self.params["kernel"].shape[0]:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"axis -1 of input shape to have value {self.params['kernel'].shape[0]}, "
                f"but received input with shape {shapes[0]}"
            )

    def build(self, input_shape):
        x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        D, H = x_shape[-1], self.units
        self.add_weight("kernel", (D, 4 * H), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (H, 4 * H), self.recurrent_initializer)
        if self.use_bias:
            if self.unit_forget_bias:
                init = self.bias_initializer

                def bias_init(shape, dtype=None):
                    # Keras: the forget-gate slice starts at 1 (Jozefowicz et al., 2015)
                    return np.concatenate([init((H,), dtype), np.ones(H, dtype),
                                           init((2 * H,), dtype)])
                self.add_weight("bias", (4 * H,), bias_init)
            else:
                self.add_weight("bias", (4 * H,), self.bias_initializer)
        self.built = True

    def compute_output_shape(self, input_shape):
        x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        B, T = x_shape[0], x_shape[1]
        out = (B, T, self.units) if self.return_sequences else (B, self.units)
        if self.return_state:
            return [out, (B, self.units), (B, self.units)]
        return out

    def forward(self, inputs):
        x, h0, c0 = (inputs + [None, None])[:3] if isinstance(inputs, list) else (inputs, None, None)
        if self.go_backwards:
            x = x[:, ::-1]
        p = self.params
        h_seq, (h_T, c_T), cache = ops.lstm_forward(
            x, p["kernel"], p["recurrent_kernel"], p.get("bias"), h0, c0,
            self.activation, self.recurrent_activation)
        out = h_seq if self.return_sequences else h_T
        outputs = [out, h_T, c_T] if self.return_state else out
        return outputs, (cache, x.shape, h0 is not None)

    def backward(self, d_outputs, cache):
        lstm_cache, (B, T, _), has_state = cache
        d_out, dh_T, dc_T = d_outputs if self.return_state else (d_outputs, None, None)
        H = self.units
        dtype = lstm_cache.gates.dtype
        if self.return_sequences:
            dh_seq = np.zeros((B, T, H), dtype) if d_out is None else d_out
        else:
            dh_seq = np.zeros((B, T, H), dtype)
            if d_out is not None:
                dh_T = d_out if dh_T is None else dh_T + d_out
        dx, dW, dU, db, dh0, dc0 = ops.lstm_backward(dh_seq, dh_T, dc_T, lstm_cache)
        self.grads["kernel"] += dW
        self.grads["recurrent_kernel"] += dU
        if self.use_bias:
            self.grads["bias"] += db
        if self.go_backwards:
            dx = dx[:, ::-1]
        return [dx, dh0, dc0] if has_state else dx
