"""Wrappers: ``TimeDistributed`` and ``Bidirectional``, as in Keras 3.

A wrapper holds another layer and shows its weights as its own: its ``params``
and ``grads`` are the inner layers' arrays, so optimizers, ``get_weights`` and
``save_weights`` see them once, in Keras' order.
"""
import copy

import numpy as np

from .base import Layer, as_list, call_forward, unpack
from .recurrent import Recurrent


class TimeDistributed(Layer):
    """Apply ``layer`` to every step: (B, T, ...) -> (B, T, ...), the same weights at each t.

    forward:  the steps become rows, (B, T, ...) -> (B*T, ...), the layer runs once,
              and the rows become steps again
    backward: the same reshapes around the layer's backward pass
    A mask (B, T) passes through. For a Dense this is what ``Dense`` does on 3-D input.
    """

    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a layer "
                             f"instance. Received: {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def check_input_shape(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) < 3:
            raise ValueError(f"Layer '{self.name}': `TimeDistributed` Layer should be passed "
                             f"an `input_shape` with at least 3 dimensions, received: "
                             f"{input_shape}")
        self.layer.check_input_shape(self.step_shape(input_shape))

    @staticmethod
    def step_shape(input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(self.step_shape(input_shape))
        self.params, self.grads = self.layer.params, self.layer.grads
        self.built = True

    def compute_output_shape(self, input_shape):
        step = self.layer.compute_output_shape(self.step_shape(input_shape))
        return (input_shape[0], input_shape[1]) + tuple(step[1:])

    def forward(self, x, training=False, mask=None):
        B, T = x.shape[:2]
        rows = x.reshape((B * T,) + x.shape[2:])                          # (B*T, ...)
        row_mask = None if mask is None else mask.reshape(B * T)
        y, cache = call_forward(self.layer, rows, training, row_mask)
        return y.reshape((B, T) + y.shape[1:]), (cache, (B, T))

    def backward(self, dy, cache):
        inner, (B, T) = cache
        dx = self.layer.backward(dy.reshape((B * T,) + dy.shape[2:]), inner)
        return None if dx is None else dx.reshape((B, T) + dx.shape[1:])

    def get_config(self):
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config):
        return super().from_config({**config, "layer": deserialize_layer(config["layer"])})

    # -- the inner Dense's logits, for a cross-entropy that reads them (models.py) --------
    @property
    def activation(self):
        """The inner layer's activation where its logits can be read (a Dense), else None."""
        return getattr(self.layer, "activation", None) if hasattr(self.layer, "logits") else None

    def logits(self, cache):
        """The inner layer's logits, shaped (B, T, K)."""
        inner, (B, T) = cache
        a = self.layer.logits(inner)
        return a.reshape((B, T) + a.shape[1:])

    def backward_from_logits(self, da, cache):
        """The backward pass from dL/d(logits) (B, T, K), through the inner layer's."""
        inner, (B, T) = cache
        dx = self.layer.backward_from_logits(da.reshape((B * T,) + da.shape[2:]), inner)
        return dx.reshape((B, T) + dx.shape[1:])


MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Run a recurrent layer forwards and a copy of it backwards, and merge the two.

    As ``keras.layers.Bidirectional``: the forward layer is a fresh copy of ``layer``
    named ``forward_<name>``, the backward one a copy with ``go_backwards`` flipped named
    ``backward_<name>`` (or ``backward_layer`` if given); each has its own weights,
    forward first (``params``: ``forward/kernel``, ..., ``backward/kernel``, ...). With ``return_sequences`` the backward outputs are put back in time
    order, and masked steps output 0 (Keras sets ``zero_output_for_mask`` there). Merge:

        concat  [y, y_rev] on the last axis (2H)     sum  y + y_rev     ave  (y + y_rev) / 2
        mul     y * y_rev                            None the list [y, y_rev]

    ``initial_state`` is the forward layer's states then the backward layer's; with
    ``return_state`` the outputs are followed by both layers' final states.
    """

    supports_masking = True

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        if not isinstance(layer, Recurrent):
            raise ValueError(f"Please initialize `Bidirectional` layer with a recurrent layer "
                             f"(LSTM, GRU, SimpleRNN). Received: {layer!r}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should "
                             "be one of {'sum', 'mul', 'ave', 'concat', None}")
        super().__init__(**kwargs)
        self.forward_layer = fresh_copy(layer, "forward_" + removeprefix(layer.name, "forward_"),
                                        layer.go_backwards)
        if backward_layer is None:
            backward_layer = fresh_copy(layer, "backward_" + removeprefix(layer.name, "backward_"),
                                        not layer.go_backwards)
        elif not isinstance(backward_layer, Recurrent):
            raise ValueError(f"`backward_layer` need to be a recurrent layer. "
                             f"Received: {backward_layer!r}")
        self.backward_layer = backward_layer
        for a in ("stateful", "return_sequences", "return_state"):
            if getattr(self.forward_layer, a) != getattr(backward_layer, a):
                raise ValueError(f"Forward layer and backward layer are expected to have the "
                                 f"same value for attribute \"{a}\", got "
                                 f"{getattr(self.forward_layer, a)} and "
                                 f"{getattr(backward_layer, a)}")
        if self.forward_layer.go_backwards == backward_layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value.")
        for sub in (self.forward_layer, self.backward_layer):
            sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def __call__(self, inputs, initial_state=None, training=None, mask=None):
        if initial_state is not None:
            inputs = [inputs] + as_list(initial_state)
        return super().__call__(inputs, training=training, mask=mask)

    # -- shapes ----------------------------------------------------------------------
    def halves(self, items):
        """[x, *forward states, *backward states] -> (forward inputs, backward inputs)."""
        x, states = items[0], items[1:]
        if states and len(states) != 2 * self.forward_layer.n_states:
            raise ValueError(f"Layer '{self.name}': initial_state must be "
                             f"{2 * self.forward_layer.n_states} tensors (the forward layer's "
                             f"states, then the backward layer's), got {len(states)}")
        n = len(states) // 2
        return unpack([x] + states[:n]), unpack([x] + states[n:])

    def check_input_shape(self, input_shape):
        for half, sub in zip(self.halves(as_list_of(input_shape)),
                             (self.forward_layer, self.backward_layer)):
            sub.check_input_shape(half)

    def build(self, input_shape):
        fwd_shape, bwd_shape = self.halves(as_list_of(input_shape))
        for sub, shape in ((self.forward_layer, fwd_shape), (self.backward_layer, bwd_shape)):
            if not sub.built:
                sub.build(shape)
        subs = {"forward": self.forward_layer, "backward": self.backward_layer}
        self.params = {f"{side}/{k}": w for side, sub in subs.items() for k, w in sub.params.items()}
        self.grads = {f"{side}/{k}": g for side, sub in subs.items() for k, g in sub.grads.items()}
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(self.halves(as_list_of(input_shape))[0])
        out, states = (shape[0], shape[1:]) if self.return_state else (shape, [])
        if self.merge_mode == "concat":
            out = tuple(out[:-1]) + (2 * out[-1],)
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return outs + list(states) * 2
        return outs if self.merge_mode is None else out

    def compute_mask(self, inputs, mask):
        """Keras': the input's mask with return_sequences (twice with merge_mode None), the
        final states none."""
        out_mask = mask if self.return_sequences else None
        masks = [out_mask] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            masks += [None] * (2 * self.forward_layer.n_states)
        return masks if len(masks) > 1 else masks[0]

    # -- state ---------------------------------------------------------------------
    @property
    def stateful_batch_size(self):
        """The fixed batch of stateful halves (``Recurrent.stateful_batch_size``), else None."""
        return self.forward_layer.stateful_batch_size

    def reset_state(self):
        """Zero both halves' kept states; a Bidirectional that is not stateful refuses, as Keras."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self):
        """Keras' older name for ``reset_state``."""
        self.reset_state()

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize_layer(self.forward_layer),
                "backward_layer": serialize_layer(self.backward_layer)}

    @classmethod
    def from_config(cls, config):
        config = {**config, "layer": deserialize_layer(config["layer"])}
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"])
        return super().from_config(config)

    # -- the math ------------------------------------------------------------------
    def forward(self, inputs, training=False, mask=None):
        fwd_in, bwd_in = self.halves(as_list(inputs))
        y, fwd_cache = call_forward(self.forward_layer, fwd_in, training, mask)
        y_rev, bwd_cache = call_forward(self.backward_layer, bwd_in, training, mask)
        states = []
        if self.return_state:
            states = y[1:] + y_rev[1:]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]                       # back in time order
        if self.merge_mode == "concat":
            out = [np.concatenate([y, y_rev], axis=-1)]
        elif self.merge_mode == "sum":
            out = [y + y_rev]
        elif self.merge_mode == "ave":
            out = [(y + y_rev) / 2]
        elif self.merge_mode == "mul":
            out = [y * y_rev]
        else:
            out = [y, y_rev]
        outputs = out + states
        cache = (fwd_cache, bwd_cache, y, y_rev, len(as_list(inputs)) > 1)
        return unpack(outputs), cache

    def backward(self, d_outputs, cache):
        fwd_cache, bwd_cache, y, y_rev, has_state = cache
        d = as_list(d_outputs) if (self.return_state or self.merge_mode is None) else [d_outputs]
        n_out = 2 if self.merge_mode is None else 1
        (dy, dy_rev), d_states = self.merge_backward(d[:n_out], y, y_rev), d[n_out:]
        if self.return_sequences and dy_rev is not None:
            dy_rev = dy_rev[:, ::-1]
        n = self.forward_layer.n_states
        if self.return_state:
            dy, dy_rev = [dy, *d_states[:n]], [dy_rev, *d_states[n:]]
        d_fwd = as_list(self.forward_layer.backward(dy, fwd_cache))
        d_bwd = as_list(self.backward_layer.backward(dy_rev, bwd_cache))
        dx = d_fwd[0] + d_bwd[0]
        return [dx] + d_fwd[1:] + d_bwd[1:] if has_state else dx

    def merge_backward(self, d, y, y_rev):
        """dL/d(merged output) -> (dL/dy, dL/dy_rev); None where no gradient came."""
        if self.merge_mode is None:
            return d[0], d[1]
        d = d[0]
        if d is None:
            return None, None
        if self.merge_mode == "concat":
            H = y.shape[-1]
            return d[..., :H], d[..., H:]
        if self.merge_mode == "sum":
            return d, d
        if self.merge_mode == "ave":
            return d / 2, d / 2
        return d * y_rev, d * y                          # mul


def serialize_layer(layer):
    """A layer as Keras writes it inside a wrapper's config (``model_config.serialize_layer``)."""
    from ..model_config import serialize_layer as serialize
    return serialize(layer)


def deserialize_layer(data):
    """The layer a wrapper's config holds (imported here: model_config imports the layers)."""
    from ..model_config import deserialize_layer as deserialize
    return deserialize(data)


def removeprefix(name, prefix):
    """``name`` without ``prefix``: Keras names the halves forward_<name>, never forward_forward_."""
    return name[len(prefix):] if name.startswith(prefix) else name


def as_list_of(shape):
    """A shape or a list of shapes -> a list of shapes."""
    return shape if isinstance(shape, list) else [shape]


def fresh_copy(layer, name, go_backwards):
    """A copy of a recurrent layer with its own weights (none yet), as Keras rebuilds the
    wrapped layer from its config: same arguments, a new name and direction."""
    new = copy.deepcopy(layer)
    new.name, new.go_backwards = name, go_backwards
    new.params, new.grads, new.built, new.states = {}, {}, False, None
    return new
