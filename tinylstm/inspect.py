"""Instruments: what every gate does, and how the gradient travels back through time.

    traces = record(model, x, y)         # one Trace per call of an LSTM, GRU or SimpleRNN
    t = traces[0]
    t.gates["f"]        # (B, T, H) the LSTM's forget gate at every step
    t.c, t.h            # (B, T, H) cell and hidden state after every step
    t.dh_norm           # (T,) |dL/dh_t|, the gradient arriving at h_t
    t.dc_norm           # (T,) |dL/dc_t| (LSTM only)

Symbols: B batch, T timesteps, H units; t = 1 .. T indexes the steps in the
order the layer reads them (with ``go_backwards=True`` that is the input
reversed, as inside the layer).

How it works. ``record`` runs the model's own forward pass (and, given ``y``,
its loss and backward pass) with a spy on each recurrent layer that keeps the
layer's inputs and the gradient of its outputs. Then, for each call, it runs the
NumPy specification in ``tinylstm/ops`` again on those inputs, whatever backend
the layer used, to read the gates, and steps the spec's backward function one
timestep at a time (the *sequential-matches-batch* property: a sequence cut into
pieces backpropagates like one piece) to read the gradient between steps:

    dL/dh_t = (dL/dh_t from the layer above) + (dL/dh_t through step t+1)
    dL/dc_t = (dL/dc_t through c_{t+1}) + (dL/dh_t) * o_t * phi'(c_t)      (LSTM)

both totals over every path from h_t, c_t to the loss. The norms are over the
batch and the units: |dL/dh_t| = sqrt(sum_{b, j} (dL/dh_t)[b, j]^2).

``record`` changes nothing: the layers' gradients are restored afterwards.
"""
import inspect as pyinspect
from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import losses
from .layers.gru import GRU
from .layers.lstm import LSTM
from .layers.recurrent import output_grads
from .layers.simple_rnn import SimpleRNN
from .ops import activations
from .ops.gru import GRUCache, gru_backward, gru_forward
from .ops.lstm import LSTMCache, lstm_backward, lstm_forward
from .ops.simple_rnn import SimpleRNNCache, simple_rnn_backward, simple_rnn_forward

RECURRENT = (LSTM, GRU, SimpleRNN)
GATE_NAMES = {"LSTM": ("i", "f", "g", "o"), "GRU": ("z", "r", "g"), "SimpleRNN": ()}


@dataclass(eq=False)
class Trace:
    """What one call of a recurrent layer did, step by step. Arrays are batch-major."""
    layer: object                  # the layer
    kind: str                      # "LSTM", "GRU" or "SimpleRNN"
    gates: dict                    # name -> (B, T, H): i f g o (LSTM), z r g (GRU), none (SimpleRNN)
    h: np.ndarray                  # (B, T, H) h_1 .. h_T
    h0: np.ndarray                 # (B, H) the initial state
    outputs: object                # what the layer returned to the model, as it returned it
    c: Optional[np.ndarray] = None     # (B, T, H) c_1 .. c_T (LSTM)
    c0: Optional[np.ndarray] = None    # (B, H) (LSTM)
    dh: Optional[np.ndarray] = None    # (B, T, H) total dL/dh_t, if a loss was given
    dc: Optional[np.ndarray] = None    # (B, T, H) total dL/dc_t (LSTM)
    dh0: Optional[np.ndarray] = None   # (B, H) dL/dh_0
    dc0: Optional[np.ndarray] = None   # (B, H) dL/dc_0 (LSTM)

    @property
    def name(self):
        """The recorded layer's name."""
        return self.layer.name

    @property
    def dh_norm(self):
        """(T,) |dL/dh_t| over the batch and units."""
        return None if self.dh is None else np.sqrt((self.dh ** 2).sum(axis=(0, 2)))

    @property
    def dc_norm(self):
        """(T,) |dL/dc_t| over the batch and units (LSTM)."""
        return None if self.dc is None else np.sqrt((self.dc ** 2).sum(axis=(0, 2)))


def record(model, x, y=None, loss=None):
    """Run ``model`` on ``x`` and return a :class:`Trace` per recurrent layer call.

    With ``y``, also backpropagate the loss (``loss``, or the model's compiled
    loss) and record the gradients dL/dh_t, dL/dc_t between the steps.
    """
    model._ensure_built(model._arrays(x, "input"))   # Sequential models without an input shape build here
    layers = [layer for layer in model.layers if isinstance(layer, RECURRENT)]
    if not layers:
        raise ValueError(f"record: model '{model.name}' has no LSTM, GRU or SimpleRNN layer; "
                         f"its layers are {[type(l).__name__ for l in model.layers]}")
    loss_fn = None
    if y is not None:
        if loss is None and not getattr(model, "_loss_fns", None):
            raise ValueError("record: to record gradients give `loss=` or compile the model "
                             "with a loss first")
        loss_fn = losses.get(loss) if loss is not None else None
    calls = []
    saved_grads = [g.copy() for g in model._grads()]
    for layer in layers:
        _spy_on(layer, calls)
    try:
        xs = model._prepare(x, model.inputs, "input")
        preds, trace = model._forward(xs)
        if y is not None:
            ys = model._prepare(y, model.outputs, "target")
            if loss_fn is None:
                d_outputs = model._loss_and_grads(ys, preds, trace)[1]
            else:
                d_outputs = [loss_fn.grad(yk, pk, mask) for yk, pk, mask
                             in zip(ys, preds, trace.output_masks)]
            model._backward(d_outputs, trace)
    finally:
        for layer in layers:
            del layer.forward, layer.backward      # the class's methods again
        for g, old in zip(model._grads(), saved_grads):
            g[...] = old
    return [_trace(call, with_grads=y is not None) for call in calls]


class _Call:
    """One call of a recurrent layer seen by the spy."""

    def __init__(self, layer, inputs, outputs, cache):
        self.layer, self.inputs, self.outputs, self.cache = layer, inputs, outputs, cache
        self.d_outputs = None


def _spy_on(layer, calls):
    """Shadow the layer's forward/backward with instance attributes that keep what passes."""
    forward, backward = layer.forward, layer.backward

    def spy_forward(inputs, **kwargs):
        if kwargs.get("mask") is not None:
            raise ValueError(f"record: layer '{layer.name}' reads a mask (from an Embedding with "
                             "mask_zero or a Masking layer); recording masked steps is not "
                             "supported: record the model on unpadded sequences")
        outputs, cache = forward(inputs, **kwargs)
        calls.append(_Call(layer, inputs, outputs, cache))
        return outputs, cache
    spy_forward.__signature__ = pyinspect.signature(forward)   # the model passes what forward takes

    def spy_backward(d_outputs, cache):
        for call in calls:
            if call.cache is cache:
                call.d_outputs = d_outputs
        return backward(d_outputs, cache)

    layer.forward, layer.backward = spy_forward, spy_backward


def _trace(call, with_grads):
    layer = call.layer
    kind = next(cls.__name__ for cls in RECURRENT if isinstance(layer, cls))
    inputs = call.inputs if isinstance(call.inputs, list) else [call.inputs]
    x, states = inputs[0], inputs[1:]
    if layer.go_backwards:
        x = x[:, ::-1]
    B, T, _ = x.shape
    H = layer.units
    p = layer.params
    h0 = states[0] if states else np.zeros((B, H), x.dtype)

    # the forward pass of the NumPy spec, whatever backend the layer ran
    if kind == "LSTM":
        c0 = states[1] if states else np.zeros((B, H), x.dtype)
        _, _, cache = lstm_forward(x, p["kernel"], p["recurrent_kernel"], p.get("bias"), h0, c0,
                                   layer.activation, layer.recurrent_activation)
    elif kind == "GRU":
        _, _, cache = gru_forward(x, p["kernel"], p["recurrent_kernel"], p.get("bias"), h0,
                                  layer.activation, layer.recurrent_activation, layer.reset_after)
    else:
        _, _, cache = simple_rnn_forward(x, p["kernel"], p["recurrent_kernel"], p.get("bias"),
                                         h0, layer.activation)
    batch_major = lambda a: np.ascontiguousarray(a.transpose(1, 0, 2))  # (T, B, H) -> (B, T, H)
    gates = {name: batch_major(getattr(cache, name)) for name in GATE_NAMES[kind]}  # (B, T, H)
    trace = Trace(layer, kind, gates, batch_major(cache.h[1:]), h0, call.outputs)
    if kind == "LSTM":
        trace.c, trace.c0 = batch_major(cache.c[1:]), cache.c[0]

    if with_grads and call.d_outputs is not None:
        _record_grads(trace, layer, cache, call.d_outputs, (B, T, H))
    return trace


def _record_grads(trace, layer, cache, d_outputs, shape):
    """Step the spec's backward pass from t = T down to 1, keeping dL/dh_t and dL/dc_t."""
    if layer.return_state:
        d_out, dh_T, dc_T = (list(d_outputs) + [None])[:3]
    else:
        d_out, dh_T, dc_T = d_outputs, None, None
    dtype = cache.h.dtype
    dh_seq, dh_next = output_grads(layer, d_out, shape, dtype), dh_T
    B, T, H = shape
    zeros = np.zeros((B, H), dtype)
    dh_next = zeros if dh_next is None else dh_next
    dc_next = zeros if dc_T is None else dc_T
    dh = np.empty((B, T, H), dtype)                       # (B, T, H)
    dc = np.empty((B, T, H), dtype) if trace.kind == "LSTM" else None
    for t in reversed(range(T)):
        dh[:, t] = dh_seq[:, t] + dh_next                  # every path from h_t to the loss
        step = slice(t, t + 1)
        if trace.kind == "LSTM":
            _, dphi = activations.get(cache.activation)
            dc[:, t] = dc_next + dphi(dh[:, t] * cache.o[t], cache.phi_c[t])  # (7) of ops/lstm.py
            one = LSTMCache(cache.x[:, step], cache.kernel, cache.recurrent_kernel,
                            cache.i[step], cache.f[step], cache.g[step], cache.o[step],
                            cache.h[t:t + 2], cache.c[t:t + 2], cache.phi_c[step],
                            cache.activation, cache.recurrent_activation)
            *_, dh_next, dc_next = lstm_backward(dh_seq[:, step], dh_next, dc_next, one)
        elif trace.kind == "GRU":
            one = GRUCache(cache.x[:, step], cache.kernel, cache.recurrent_kernel,
                           cache.z[step], cache.r[step], cache.g[step], cache.h[t:t + 2],
                           None if cache.zh_h is None else cache.zh_h[step],
                           cache.reset_after, cache.activation, cache.recurrent_activation)
            *_, dh_next = gru_backward(dh_seq[:, step], dh_next, one)
        else:
            one = SimpleRNNCache(cache.x[:, step], cache.kernel, cache.recurrent_kernel,
                                 cache.h[t:t + 2], cache.activation)
            *_, dh_next = simple_rnn_backward(dh_seq[:, step], dh_next, one)
    trace.dh, trace.dh0 = dh, dh_next
    if trace.kind == "LSTM":
        trace.dc, trace.dc0 = dc, dc_next
