"""The Layer base class, symbolic tensors and graph nodes.

A layer holds its weights (``params``) and their gradients (``grads``), both
dicts name -> array in Keras' weight order. Its math is two methods:

    forward(inputs)            -> outputs, cache
    backward(d_outputs, cache) -> d_inputs        (adds into self.grads)

The cache is returned, not kept on the layer, so one layer can be used at
several places of a graph (or in several models) and each use backpropagates
its own values; the weight gradients of all uses add up.

Calling a layer on a symbolic ``KerasTensor`` (from ``Input``) records a
``Node`` and returns symbolic outputs: that is how functional models are built.
The layer keeps its nodes, so ``layer.input`` and ``layer.output`` are the
tensors of its first call, as in Keras. Calling it on an array runs it at once.

Training and masks, as Keras passes them to ``call``: a layer whose ``forward``
takes a ``training`` argument (Dropout, the recurrent layers' dropout) gets True
while ``fit`` trains and False otherwise; a layer whose ``forward`` takes ``mask``
gets the mask of its first input, (B, T) booleans, True at the real steps. A
layer with ``supports_masking`` passes a mask on (``compute_mask``); one without
drops it, with Keras' warning.

``get_config()`` gives the layer's constructor arguments under Keras 3's names
and ``cls.from_config(config)`` makes the layer again (``serialization.py``);
a layer of your own joins by returning its arguments from ``get_config``.
"""
import functools
import inspect
import re
import warnings

import numpy as np

from .. import atomic, config, serialization, validation

_name_counts = {}


def unique_name(base):
    """Keras' automatic names: lstm, lstm_1, lstm_2, ..."""
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def snake_case(class_name):
    """Keras' rule: LSTM -> lstm, RepeatVector -> repeat_vector, InputLayer -> input_layer."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class KerasTensor:
    """A symbolic tensor: a shape with ``None`` for the batch, and where it came from."""

    def __init__(self, shape, node=None, index=0):
        self.shape = tuple(shape)
        self.node = node          # the Node that produced it
        self.index = index        # which output of that node

    @property
    def ndim(self):
        """The number of axes, the batch axis included."""
        return len(self.shape)

    def __repr__(self):
        name = self.node.layer.name if self.node else "?"
        return f"<KerasTensor shape={self.shape}, from layer '{name}'>"


class Node:
    """One call of a layer in a graph: its input tensors and its output tensors."""

    def __init__(self, layer, inputs, output_shapes):
        self.layer = layer
        self.inputs = list(inputs)                                   # KerasTensors
        self.outputs = [KerasTensor(s, self, k) for k, s in enumerate(output_shapes)]
        layer._inbound_nodes.append(self)


def as_list(x):
    """A list or tuple as a list; anything else as a one-element list."""
    return list(x) if isinstance(x, (list, tuple)) else [x]


def unpack(xs):
    """A one-element list becomes its element: layers see an array, not [array]."""
    return xs[0] if len(xs) == 1 else xs


class Layer:
    """Base class: weights, gradients, and the call that builds graphs.

    Every layer takes Keras' ``name``, ``input_shape`` (on the first layer of a
    ``Sequential``), ``dtype`` (``"float32"``, ``"float64"``; None follows
    ``config.floatx()`` when the weights are made) and ``trainable``.
    """

    base_config_keys = ("name", "trainable", "dtype")    # what get_config adds for every layer

    def __init__(self, name=None, input_shape=None, dtype=None, trainable=True, **kwargs):
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}"
            )
        kind = type(self).__name__
        # Keras: input_shape only matters on the first layer of a Sequential.
        self.input_shape_arg = (None if input_shape is None
                                else validation.shape(kind, "input_shape", input_shape))
        self.dtype = serialization.dtype_from_config(dtype)
        self.trainable = validation.boolean(kind, "trainable", trainable)
        self.name = name or unique_name(snake_case(kind))
        self.params = {}
        self.grads = {}
        self.built = False
        self._inbound_nodes = []      # one Node per call on symbolic tensors, first call first

    # -- weights -----------------------------------------------------------
    def add_weight(self, name, shape, initializer):
        """Make the weight ``name`` of ``shape`` with ``initializer`` (and its zero gradient)."""
        dtype = self.dtype or config.dtype()
        value = np.array(initializer(tuple(shape), dtype=dtype), dtype=dtype, order="C")
        self.params[name] = value
        self.grads[name] = np.zeros_like(value)
        return value

    def build(self, input_shape):
        self.built = True

    def zero_grads(self):
        """Set every gradient to zero (before a training step)."""
        for g in self.grads.values():
            g.fill(0.0)

    @property
    def weights(self):
        """The live weight arrays, in Keras' order."""
        return list(self.params.values())

    def get_weights(self):
        """Copies of the weights, in Keras' order."""
        return [w.copy() for w in self.params.values()]

    def set_weights(self, weights):
        """Assign every weight, or none: all arrays are checked before the first is written."""
        weights = list(weights)
        if len(weights) != len(self.params):
            raise ValueError(
                f"Layer '{self.name}' expects {len(self.params)} weight arrays, "
                f"got {len(weights)}"
            )
        new = validation.weight_values(f"Layer '{self.name}'", [f"'{k}'" for k in self.params],
                                       self.params.values(), weights)
        atomic.assign(zip(self.params.values(), new))

    def count_params(self):
        """The number of weight entries."""
        return int(sum(w.size for w in self.params.values()))

    # -- math: subclasses define these ----------------------------------------
    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    def forward(self, inputs):
        raise NotImplementedError

    def backward(self, d_outputs, cache):
        raise NotImplementedError

    def check_input_shape(self, input_shape):
        """Raise a clear error when the input cannot go into this layer."""

    # -- masks: Keras' names -----------------------------------------------------------
    supports_masking = False     # True: the layer passes the mask of its input on

    def compute_mask(self, inputs, mask):
        """The mask of the output (a list for several outputs) given the input's mask."""
        return mask if self.supports_masking else None

    # -- calling -------------------------------------------------------------
    def __call__(self, inputs, training=None, mask=None):
        xs = as_list(inputs)
        if all(isinstance(x, KerasTensor) for x in xs):
            if training is not None or mask is not None:
                raise NotImplementedError(
                    f"Layer '{self.name}': `training` and `mask` are given to layers called on "
                    "arrays; in a model, fit sets training and masks come from the layers "
                    "(Embedding(mask_zero=True), Masking)")
            shapes = unpack([x.shape for x in xs])
            try:
                self.check_input_shape(shapes)
            except ValueError as err:
                raise ValueError(f"{err}\n{shape_trace(xs[0])}") from None
            if not self.built:
                self.build(shapes)
            out_shapes = as_list_of_shapes(self.compute_output_shape(shapes))
            node = Node(self, xs, out_shapes)
            return unpack(node.outputs)
        if any(isinstance(x, KerasTensor) for x in xs):
            raise TypeError(f"Layer '{self.name}': do not mix symbolic tensors and arrays")
        arrays = [np.asarray(x, dtype=self.dtype or config.dtype()) for x in xs]
        shapes = unpack([(None,) + a.shape[1:] for a in arrays])
        self.check_input_shape(shapes)
        if not self.built:
            self.build(shapes)
        outputs, _ = call_forward(self, unpack(arrays), bool(training), mask)
        return outputs

    # -- the symbolic tensors of the first call, as Keras ------------------------------
    @property
    def input(self):
        """The input tensor(s) of the layer's first call in a graph, e.g. shape (None, 100, 1)."""
        return unpack(self._first_node("input").inputs)

    @property
    def output(self):
        """The output tensor(s) of the layer's first call: ``Model(model.inputs,
        model.layers[1].output)`` builds the model up to that layer."""
        return unpack(self._first_node("output").outputs)

    def _first_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has "
                                 f"no defined {what}.")
        return self._inbound_nodes[0]

    # -- config: Keras 3's format --------------------------------------------------------
    def get_config(self):
        """``name``, ``trainable`` and ``dtype`` (Keras' DTypePolicy dict); a subclass adds
        its own constructor arguments, under the same names."""
        dtype = (next(iter(self.params.values())).dtype if self.params
                 else self.dtype or config.dtype())
        return {"name": self.name, "trainable": self.trainable,
                "dtype": serialization.dtype_policy(dtype)}

    @classmethod
    def from_config(cls, config):
        """The layer ``config`` describes (tinylstm's ``get_config()`` or Keras 3's): Keras'
        keys tinylstm lacks are dropped at their defaults and refused otherwise."""
        return cls(**serialization.constructor_kwargs(cls, config))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


@functools.lru_cache(maxsize=None)
def _forward_parameters(forward):
    """The parameter names of a ``forward`` method (cached: a signature costs tens of
    microseconds, and ``predict`` asks for it per layer and per batch)."""
    return frozenset(inspect.signature(forward).parameters)


def call_forward(layer, inputs, training=False, mask=None):
    """``layer.forward(inputs)``, with ``training`` and ``mask`` if its forward takes them
    (Keras checks ``call``'s signature the same way); a mask reaching a layer that does not
    support masking is dropped, with Keras' warning."""
    params = _forward_parameters(type(layer).forward)
    kwargs = {}
    if "training" in params:
        kwargs["training"] = training
    if "mask" in params:
        kwargs["mask"] = mask
    elif mask is not None and not layer.supports_masking:
        warnings.warn(f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an "
                      "input with a mask attached to it. However, this layer does not support "
                      "masking and will therefore destroy the mask information. Downstream "
                      "layers will not see the mask.", stacklevel=3)
    return layer.forward(inputs, **kwargs)


def output_masks(layer, inputs, mask, n_outputs):
    """The masks of a layer's outputs, one per output (None: no mask)."""
    masks = layer.compute_mask(inputs, mask)
    if isinstance(masks, list):
        return masks
    return [masks] + [None] * (n_outputs - 1)


def shape_trace(tensor, depth=4):
    """Where a symbolic tensor came from, layer by layer: the answer to most shape errors."""
    lines = []
    while tensor is not None and tensor.node is not None and depth > 0:
        layer = tensor.node.layer
        lines.append(f"  '{layer.name}' ({type(layer).__name__}) gives shape {tensor.shape}")
        tensor = tensor.node.inputs[0] if tensor.node.inputs else None
        depth -= 1
    return "The input was made by (nearest first):\n" + "\n".join(lines)


def as_list_of_shapes(shape_or_shapes):
    """A single shape tuple -> [shape]; a list of shapes stays a list."""
    if isinstance(shape_or_shapes, list):
        return shape_or_shapes
    return [shape_or_shapes]


def check_ndim(layer, shape, ndim, hint=""):
    """Raise Keras' error when ``shape`` does not have ``ndim`` axes."""
    if len(shape) != ndim:
        raise ValueError(
            f"Input 0 of layer '{layer.name}' is incompatible with the layer: "
            f"expected ndim={ndim}, found ndim={len(shape)}. "
            f"Full shape received: {shape}{hint}"
        )
