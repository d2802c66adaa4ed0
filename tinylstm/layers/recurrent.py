"""What LSTM, GRU and SimpleRNN share: Keras' arguments, initial states, outputs.

A recurrent layer reads x (B, T, D), optionally with initial states (each (B, H):
``[h0, c0]`` for the LSTM, ``h0`` for the others), and gives

    return_sequences=False    h_T          (B, H)
    return_sequences=True     h_1 .. h_T   (B, T, H)
    return_state=True         [output, *final states]

A subclass says how many states it has (``n_states``), which weights it builds,
and how to run its op forward and backward (``run`` / ``run_backward``).
"""
import numpy as np

from .. import initializers, validation
from ..ops import activations
from .base import Layer, as_list, check_ndim


class Recurrent(Layer):
    """Base of the recurrent layers: everything but the weights and the math."""

    n_states = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", return_sequences=False, return_state=False,
                 go_backwards=False, **kwargs):
        super().__init__(**kwargs)
        activations.get(activation)
        self.units = validation.positive_int(type(self).__name__, "units", units)
        self.activation = activation or "linear"
        kind = type(self).__name__
        self.use_bias = validation.boolean(kind, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.return_sequences = validation.boolean(kind, "return_sequences", return_sequences)
        self.return_state = validation.boolean(kind, "return_state", return_state)
        self.go_backwards = validation.boolean(kind, "go_backwards", go_backwards)

    def __call__(self, inputs, initial_state=None):
        if initial_state is not None:
            inputs = [inputs] + as_list(initial_state)
        return super().__call__(inputs)

    # -- shapes ------------------------------------------------------------------
    def check_input_shape(self, input_shape):
        """A (B, T, D) input, plus ``n_states`` initial states of shape (B, H) if any."""
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        kind = type(self).__name__
        check_ndim(self, shapes[0], 3, hint=(
            f". A {kind} reads sequences (batch, timesteps, features); if the layer below "
            "is recurrent, give it return_sequences=True."
        ))
        if len(shapes) not in (1, 1 + self.n_states):
            raise ValueError(
                f"Layer '{self.name}': initial_state must be {self.n_states} tensor(s) "
                f"{self.state_names()}, got {len(shapes) - 1} tensor(s)"
            )
        for s in shapes[1:]:
            if tuple(s[1:]) != (self.units,):
                raise ValueError(
                    f"Layer '{self.name}': each initial state must have shape "
                    f"(batch, {self.units}), got {s}"
                )
        if self.built and shapes[0][-1] != self.params["kernel"].shape[0]:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"axis -1 of input shape to have value {self.params['kernel'].shape[0]}, "
                f"but received input with shape {shapes[0]}"
            )

    def get_config(self):
        """The arguments LSTM, GRU and SimpleRNN share, under Keras 3's names."""
        return {**super().get_config(), "units": self.units, "activation": self.activation,
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards}

    def state_names(self):
        """The names of the initial states: ``["h0", "c0"]`` (LSTM) or ``["h0"]``."""
        return ["h0", "c0"][:self.n_states]

    def compute_output_shape(self, input_shape):
        x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        B, T = x_shape[0], x_shape[1]
        out = (B, T, self.units) if self.return_sequences else (B, self.units)
        if self.return_state:
            return [out] + [(B, self.units)] * self.n_states
        return out

    # -- the math: subclasses give run / run_backward --------------------------------
    def run(self, x, states):
        """states: n_states arrays (B, H) or Nones -> h_seq (B, T, H), final states, op cache."""
        raise NotImplementedError

    def run_backward(self, dh_seq, d_finals, op_cache):
        """-> dx (B, T, D), {weight name: gradient}, gradients of the initial states."""
        raise NotImplementedError

    def forward(self, inputs):
        xs = as_list(inputs)
        x, states = xs[0], (xs[1:] or [None] * self.n_states)
        for name, s in zip(self.state_names(), xs[1:]):
            if s.shape != (x.shape[0], self.units):     # checked here: the ops do not
                raise ValueError(f"Layer '{self.name}': initial state {name} must have shape "
                                 f"{(x.shape[0], self.units)} (the input's batch, units), "
                                 f"got {s.shape}")
        if self.go_backwards:
            x = x[:, ::-1]                       # Keras keeps the outputs in reversed order too
        h_seq, finals, op_cache = self.run(x, states)
        out = h_seq if self.return_sequences else finals[0]
        outputs = [out, *finals] if self.return_state else out
        return outputs, (op_cache, x.shape, len(xs) > 1)

    def backward(self, d_outputs, cache):
        op_cache, shape, has_state = cache
        d_out, *d_finals = d_outputs if self.return_state else [d_outputs] + [None] * self.n_states
        dtype = self.params["kernel"].dtype
        dh_seq, d_finals[0] = output_grads_to_state_grads(self, d_out, d_finals[0],
                                                          shape[:2] + (self.units,), dtype)
        dx, grads, d_initial = self.run_backward(dh_seq, d_finals, op_cache)
        for name, g in grads.items():
            self.grads[name] += g
        if self.go_backwards:
            dx = dx[:, ::-1]
        return [dx, *d_initial] if has_state else dx


def output_grads_to_state_grads(layer, d_out, dh_T, shape, dtype):
    """dL/d(output) -> (dh_seq (B, T, H), dh_T): without return_sequences the output is h_T."""
    if layer.return_sequences:
        dh_seq = np.zeros(shape, dtype) if d_out is None else d_out
    else:
        dh_seq = np.zeros(shape, dtype)
        if d_out is not None:
            dh_T = d_out if dh_T is None else dh_T + d_out
    return dh_seq, dh_T


def weight_grads(layer, dW, dU, db):
    """{weight name: gradient} for kernel, recurrent_kernel and (if any) bias."""
    grads = {"kernel": dW, "recurrent_kernel": dU}
    if layer.use_bias:
        grads["bias"] = db
    return grads
