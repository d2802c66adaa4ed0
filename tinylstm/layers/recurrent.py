"""What LSTM, GRU and SimpleRNN share: Keras' arguments, initial states, outputs,
masks, dropout and state kept between calls.

A recurrent layer reads x (B, T, D), optionally with initial states (each (B, H):
``[h0, c0]`` for the LSTM, ``h0`` for the others), and gives

    return_sequences=False    y_T          (B, H)
    return_sequences=True     y_1 .. y_T   (B, T, H)
    return_state=True         [output, *final states]

(y_t = h_t, except at masked steps.) As in Keras 3:

- **mask** (B, T), from ``Embedding(mask_zero=True)`` or ``Masking``: a masked step
  keeps the state and repeats the last output (equations (8)-(10) of
  ``ops/lstm.py``); the mask passes on with ``return_sequences``.
- **dropout**, **recurrent_dropout**: while ``fit`` trains, masks drawn once per
  call, one per sequence, the same at every step (``ops/dropout.py``). Without
  recurrent dropout one input mask (B, D) multiplies x before the op (so the LSTM
  keeps its numba kernels); with it, the LSTM and the GRU give each gate its own
  input and recurrent masks, as Keras' ``implementation=1``, and SimpleRNN one
  of each. Off at inference.
- **stateful=True**: the final states of one call are the initial states of the
  next (the batch size is fixed: ``Input(batch_shape=...)``) until ``reset_state()``.

A subclass says how many states it has (``n_states``) and how many gates share a
weight matrix (``n_gates``), which weights it builds, and how to run its op
forward and backward (``run`` / ``run_backward``).
"""
from typing import NamedTuple, Optional

import numpy as np

from .. import initializers, utils, validation
from ..ops import activations
from ..ops.dropout import dropout_mask
from .base import Layer, as_list, check_ndim


class DropoutMasks(NamedTuple):
    """The dropout masks of one call (None: no dropout there)."""
    x: Optional[np.ndarray] = None        # (B, D) on x before the op
    x_gates: Optional[np.ndarray] = None  # (G, B, D) per gate, with recurrent dropout
    h_gates: Optional[np.ndarray] = None  # (G, B, H) per gate on h_{t-1}


class Recurrent(Layer):
    """Base of the recurrent layers: everything but the weights and the math."""

    n_states = 1
    n_gates = 1
    supports_masking = True
    # Keras' RNN takes zero_output_for_mask through **kwargs (Bidirectional sets it)
    base_config_keys = Layer.base_config_keys + ("zero_output_for_mask",)

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        activations.get(activation)
        self.units = validation.positive_int(type(self).__name__, "units", units)
        self.activation = activation or "linear"
        kind = type(self).__name__
        self.use_bias = validation.boolean(kind, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.dropout = validation.fraction(kind, "dropout", dropout)
        self.recurrent_dropout = validation.fraction(kind, "recurrent_dropout", recurrent_dropout)
        self.seed = None if seed is None else validation.non_negative_int(kind, "seed", seed)
        self._seed_rng = None if seed is None else np.random.default_rng(seed)
        self.return_sequences = validation.boolean(kind, "return_sequences", return_sequences)
        self.return_state = validation.boolean(kind, "return_state", return_state)
        self.go_backwards = validation.boolean(kind, "go_backwards", go_backwards)
        self.stateful = validation.boolean(kind, "stateful", stateful)
        self.zero_output_for_mask = validation.boolean(kind, "zero_output_for_mask",
                                                       zero_output_for_mask)
        self.states = None                  # stateful: the state the next call starts from

    def __call__(self, inputs, initial_state=None, training=None, mask=None):
        if initial_state is not None:
            inputs = [inputs] + as_list(initial_state)
        return super().__call__(inputs, training=training, mask=mask)

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
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed, "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "zero_output_for_mask": self.zero_output_for_mask}

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

    def compute_mask(self, inputs, mask):
        """Keras: the input's mask goes on with return_sequences (unreversed, even going
        backwards); the final states have none."""
        output_mask = mask if self.return_sequences else None
        return [output_mask] + [None] * self.n_states if self.return_state else output_mask

    # -- state kept between calls --------------------------------------------------
    def build_states(self, input_shape):
        """stateful: zero states for the static batch size of the input."""
        if not self.stateful:
            return
        B = (input_shape[0] if isinstance(input_shape, list) else input_shape)[0]
        if B is None:
            raise ValueError(
                f"Layer '{self.name}': when using `stateful=True` in a RNN, the batch size "
                "must be static. Found dynamic batch size: give the model's input a fixed "
                "batch, Input(batch_shape=(batch, timesteps, features))")
        dtype = self.params["kernel"].dtype
        self.states = [np.zeros((B, self.units), dtype) for _ in range(self.n_states)]

    @property
    def stateful_batch_size(self):
        """The batch size a stateful layer was built for; None for the others."""
        return self.states[0].shape[0] if self.stateful and self.states is not None else None

    def reset_state(self):
        """Set the kept states to zero (a layer that is not stateful keeps none: no-op, as Keras)."""
        for s in self.states or []:
            s.fill(0.0)

    def reset_states(self):
        """Keras' older name for ``reset_state``."""
        self.reset_state()

    # -- dropout -------------------------------------------------------------------
    def draw_dropout_masks(self, batch_size, n_features, dtype):
        """This call's masks (see the module docstring); the layer's ``seed`` or the global rng."""
        rng = self._seed_rng or utils.rng()
        B, D, H, G = batch_size, n_features, self.units, self.n_gates
        if self.recurrent_dropout and G > 1:
            x_gates = (np.stack([dropout_mask((B, D), self.dropout, rng, dtype) for _ in range(G)])
                       if self.dropout else None)
            h_gates = np.stack([dropout_mask((B, H), self.recurrent_dropout, rng, dtype)
                                for _ in range(G)])
            return DropoutMasks(None, x_gates, h_gates)
        x = dropout_mask((B, D), self.dropout, rng, dtype) if self.dropout else None
        h_gates = (dropout_mask((B, H), self.recurrent_dropout, rng, dtype)[None]
                   if self.recurrent_dropout else None)
        return DropoutMasks(x, None, h_gates)

    # -- the math: subclasses give run / run_backward --------------------------------
    def run(self, x, states, mask, drop):
        """states: n_states arrays (B, H) or Nones; mask (B, T) or None; drop: ``DropoutMasks``
        -> outputs (B, T, H), final states, op cache."""
        raise NotImplementedError

    def run_backward(self, dh_seq, d_finals, op_cache):
        """-> dx (B, T, D), {weight name: gradient}, gradients of the initial states."""
        raise NotImplementedError

    def forward(self, inputs, training=False, mask=None):
        xs = as_list(inputs)
        x, given = xs[0], xs[1:]
        for name, s in zip(self.state_names(), given):
            if s.shape != (x.shape[0], self.units):     # checked here: the ops do not
                raise ValueError(f"Layer '{self.name}': initial state {name} must have shape "
                                 f"{(x.shape[0], self.units)} (the input's batch, units), "
                                 f"got {s.shape}")
        states = given or self.kept_states(x.shape[0])
        mask = self.check_mask(mask, x.shape)
        if self.go_backwards:
            x = x[:, ::-1]                       # Keras keeps the outputs in reversed order too
            mask = None if mask is None else mask[:, ::-1]
        drop = (self.draw_dropout_masks(x.shape[0], x.shape[2], x.dtype) if training
                else DropoutMasks())
        if drop.x is not None:
            x = x * drop.x[:, None, :]
        h_seq, finals, op_cache = self.run(x, states, mask, drop)
        if self.zero_output_for_mask and mask is not None:
            h_seq = h_seq * mask[..., None]      # Keras' Bidirectional: masked steps output 0
        if self.stateful:
            self.states = [f.copy() for f in finals]
        out = h_seq if self.return_sequences else h_seq[:, -1]
        outputs = [out, *finals] if self.return_state else out
        return outputs, (op_cache, x.shape, len(xs) > 1, drop, mask)

    def kept_states(self, batch_size):
        """The initial states when none are given: the kept ones if stateful, else zeros."""
        if not self.stateful:
            return [None] * self.n_states
        if batch_size != self.stateful_batch_size:
            raise ValueError(
                f"Layer '{self.name}': if an RNN is stateful, the batch size of the input "
                f"sequences must be the same as the batch size of the initial state. "
                f"Expected batch size: {self.stateful_batch_size}, received: {batch_size}")
        return self.states

    def check_mask(self, mask, x_shape):
        """A mask (B, T) of booleans for x (B, T, D), or None."""
        if mask is None:
            return None
        mask = np.asarray(mask)
        if mask.shape != tuple(x_shape[:2]) or mask.dtype != bool:
            raise ValueError(f"Layer '{self.name}': expected a mask of booleans with shape "
                             f"{tuple(x_shape[:2])} (batch, timesteps), got {mask.dtype} "
                             f"{mask.shape}")
        return mask

    def backward(self, d_outputs, cache):
        op_cache, shape, has_state, drop, mask = cache
        d_out, *d_finals = d_outputs if self.return_state else [d_outputs] + [None] * self.n_states
        dh_seq = output_grads(self, d_out, shape[:2] + (self.units,),
                              self.params["kernel"].dtype)
        if self.zero_output_for_mask and mask is not None:
            dh_seq = dh_seq * mask[..., None]
        dx, grads, d_initial = self.run_backward(dh_seq, d_finals, op_cache)
        for name, g in grads.items():
            self.grads[name] += g
        if dx is not None:                      # None: not asked for (ops.without_input_gradient)
            if drop.x is not None:
                dx = dx * drop.x[:, None, :]
            if self.go_backwards:
                dx = dx[:, ::-1]
        return [dx, *d_initial] if has_state else dx


def output_grads(layer, d_out, shape, dtype):
    """dL/d(output) -> dL/dy_t for every t (B, T, H): without return_sequences the output is y_T."""
    if layer.return_sequences:
        return np.zeros(shape, dtype) if d_out is None else d_out
    dh_seq = np.zeros(shape, dtype)
    if d_out is not None:
        dh_seq[:, -1] = d_out
    return dh_seq


def weight_grads(layer, dW, dU, db):
    """{weight name: gradient} for kernel, recurrent_kernel and (if any) bias."""
    grads = {"kernel": dW, "recurrent_kernel": dU}
    if layer.use_bias:
        grads["bias"] = db
    return grads
