"""Models as Keras 3 configs: a ``Sequential``'s list of layers, a functional model's graph.

    Sequential   {"name", "trainable", "dtype", "layers": [InputLayer, layer, ...],
                  "build_input_shape"}
    Functional   {"name", "trainable", "layers": [layer + its "inbound_nodes", ...],
                  "input_layers", "output_layers"}

A functional model's layers are listed in Keras' order (``keras_order``): by
depth from the outputs, deepest first, ties in the order a depth-first walk from
the outputs meets them. Keras 3 lists them so in its configs, weight files and
optimizer variables, so a file only reads back right if both sides agree.

A node (one call of a layer) is written as Keras writes it: its arguments, each
tensor as ``[layer name, node index, tensor index]`` (the node index counts the
layer's calls within this model); a recurrent layer's initial states go under
``kwargs["initial_state"]``.

Masks: Keras 3 writes the ops that compute a mask into a functional config as
nodes of their own (``NotEqual`` for ``Embedding(mask_zero=True)``, ``NotEqual``
and ``Any`` for ``Masking``) and hands their output to the layers downstream as
``kwargs["mask"]``. tinylstm computes and passes those masks itself, so reading
such a config skips the ops and drops the ``mask`` arguments, after checking that
tinylstm's graph gives that layer a mask from an Embedding or Masking layer; any
other mask is refused. Writing, tinylstm leaves them out and Keras recomputes them.
"""
from . import serialization
from .layers.base import KerasTensor, Layer, as_list, unpack
from .layers.input_layer import Input, InputLayer
from .layers.recurrent import Recurrent


# -- layers ----------------------------------------------------------------------------
def layer_classes():
    """The layer classes a config may name: every ``Layer`` that ``tinylstm.layers`` exports."""
    from . import layers
    return {name: cls for name, cls in vars(layers).items()
            if isinstance(cls, type) and issubclass(cls, Layer) and cls is not Layer}


def serialize_layer(layer):
    """A layer as Keras 3 writes it: ``{"module": "keras.layers", "class_name", "config", ...}``."""
    return serialization.serialize(layer, "keras.layers")


def deserialize_layer(data):
    """The layer a ``serialize_layer`` dict (tinylstm's or Keras 3's) describes."""
    if isinstance(data, dict) and data.get("class_name") in ("Sequential", "Functional", "Model"):
        raise ValueError(f"the model holds a model as a layer ({data['class_name']} "
                         f"{(data.get('config') or {}).get('name')!r}): tinylstm does not nest models")
    return serialization.deserialize(data, layer_classes(), "layer")


# -- the order Keras lists a functional model's layers in ---------------------------------
def keras_order(inputs, outputs):
    """The layers between ``inputs`` and ``outputs`` as Keras 3's ``model.layers`` lists them.

    Keras' ``map_graph``: a node's depth is 0 at the outputs and one more than the
    deepest node it feeds; a layer takes its deepest node's depth; layers are
    listed deepest first, ties in the order a depth-first walk from the outputs
    (inputs before the node itself) first meets them.
    """
    input_ids = {id(t) for t in inputs}
    walk, first_seen, done = [], {}, set()

    def visit(tensor):
        node = tensor.node
        if id(node) in done:
            return
        if node.inputs and id(tensor) in input_ids:       # an intermediate tensor given as input
            done.add(id(node))
            return
        first_seen.setdefault(id(node.layer), len(first_seen))
        if id(tensor) not in input_ids:
            for t in node.inputs:
                visit(t)
        done.add(id(node))
        walk.append(node)                                  # inputs before the node

    for t in outputs:
        visit(t)
    in_graph = {id(n) for n in walk}
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(walk):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
        node_depth[id(node)] = layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        for t in node.inputs:
            if id(t.node) in in_graph:
                node_depth[id(t.node)] = max(node_depth.get(id(t.node), 0), depth + 1)
    for t in inputs:                                       # inputs that reach no output
        if id(t.node.layer) not in layer_depth:
            layer_depth[id(t.node.layer)], layers[id(t.node.layer)] = 0, t.node.layer
            first_seen[id(t.node.layer)] = -1
    return sorted(layers.values(),
                  key=lambda layer: (-layer_depth[id(layer)], first_seen[id(layer)]))


# -- writing ---------------------------------------------------------------------------
def sequential_config(model):
    """Keras 3's Sequential config: its InputLayer (when it has one) and its layers."""
    layers = [serialize_layer(layer) for layer in model.layers]
    config = {"name": model.name, "trainable": True,
              "dtype": serialization.dtype_policy(model._dtype())}
    input_ = model._input
    if input_ is not None:
        layers.insert(0, serialize_layer(input_.node.layer))
        config["build_input_shape"] = serialization.shape_list(input_.shape)
    config["layers"] = layers
    return config


def functional_config(model):
    """Keras 3's Functional config: the layers in Keras' order, each with its calls."""
    layers = keras_order(model.inputs, model.outputs)
    own = {id(node) for node in model._nodes} | {id(t.node) for t in model.inputs}
    nodes_of = {id(layer): [n for n in layer._inbound_nodes if id(n) in own] for layer in layers}

    def history(tensor):
        node = tensor.node
        return [node.layer.name, nodes_of[id(node.layer)].index(node), tensor.index]

    def tensor_config(tensor):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": serialization.shape_list(tensor.shape),
                           "dtype": model._dtype().name, "keras_history": history(tensor)}}

    def node_config(node):
        tensors = [tensor_config(t) for t in node.inputs]
        if isinstance(node.layer, Recurrent) and len(tensors) > 1:
            return {"args": [tensors[0]], "kwargs": {"initial_state": tensors[1:]}}
        return {"args": [unpack(tensors)], "kwargs": {}}

    entries = []
    for layer in layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = ([] if isinstance(layer, InputLayer)
                                  else [node_config(n) for n in nodes_of[id(layer)]])
        entries.append(entry)
    ins = [history(t) for t in model.inputs]
    outs = [history(t) for t in model.outputs]
    return {"name": model.name, "trainable": True, "layers": entries,
            "input_layers": ins if model._inputs_were_list else ins[0],
            "output_layers": outs if model._outputs_were_list else outs[0]}


# -- reading ---------------------------------------------------------------------------
def sequential_from_config(config, cls):
    """A ``Sequential`` from Keras 3's config (its InputLayer, if any, first)."""
    model = cls(name=config.get("name"))
    for data in config.get("layers") or []:
        layer = deserialize_layer(data)
        model.add(layer.output if isinstance(layer, InputLayer) else layer)
    if not model.built and config.get("build_input_shape"):
        model._extend_graph(Input(batch_shape=config["build_input_shape"]), model.layers)
        model._input = model.inputs[0]
    return model


MASK_OPS = ("NotEqual", "Any")      # the ops Keras records for Embedding's and Masking's masks


class KerasMask:
    """The output of a mask op of Keras' config: a mask tinylstm computes on its own."""


def is_mask_op(data):
    """Whether a layer entry of a Keras config is one of the ops that compute a mask."""
    return (isinstance(data, dict) and data.get("class_name") in MASK_OPS
            and str(data.get("module", "")).startswith("keras.src.ops"))


def functional_from_config(config, cls):
    """A functional ``Model`` from Keras 3's config: make every layer, then call each on the
    tensors its nodes name, a node waiting until the nodes it reads from are made."""
    created, tensors_of, pending = {}, {}, []      # tensors_of[name]: one list per node
    for data in config.get("layers") or []:
        if is_mask_op(data):                       # see the module docstring
            name = data.get("name")
            created[name], tensors_of[name] = KerasMask, [[KerasMask()]] * len(
                data.get("inbound_nodes") or [])
            continue
        layer = deserialize_layer(data)
        name = data.get("name", layer.name)
        if name in created:
            raise ValueError(f"the config names two layers {name!r}")
        created[name], tensors_of[name] = layer, []
        if isinstance(layer, InputLayer):
            tensors_of[name].append(layer._inbound_nodes[0].outputs)
        for node in data.get("inbound_nodes") or []:
            pending.append((name, node))
    while pending:
        waiting = []
        for name, node in pending:
            if any(name == other for other, _ in waiting):
                waiting.append((name, node))                 # a layer's calls stay in order
                continue
            args = _call_arguments(node, tensors_of, created)
            if args is None:
                waiting.append((name, node))
                continue
            if args[1].pop("mask", None) is not None and not makes_a_mask(args[0][0]):
                raise ValueError(f"layer {name!r} is called with a mask that tinylstm would not "
                                 "compute: only the masks of Embedding(mask_zero=True) and "
                                 "Masking, passed on by the layers that support masking")
            out = created[name](*args[0], **args[1])
            tensors_of[name].append(as_list(out))
        if len(waiting) == len(pending):
            raise ValueError(f"the config's graph cannot be built: layer {waiting[0][0]!r} reads "
                             "tensors no layer makes")
        pending = waiting
    inputs = _endpoints(config.get("input_layers"), tensors_of, "input_layers")
    outputs = _endpoints(config.get("output_layers"), tensors_of, "output_layers")
    return cls(inputs, outputs, name=config.get("name"))


def _call_arguments(node, tensors_of, created):
    """(args, kwargs) for one node of a config, or None while a tensor is not made yet."""
    missing = object()

    def resolve(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            name, k, t = value["config"]["keras_history"]
            if name not in created:
                raise ValueError(f"a node reads layer {name!r}, which the config does not have")
            calls = tensors_of[name]
            return calls[k][t] if k < len(calls) else missing
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    args = [resolve(a) for a in node.get("args") or []]
    kwargs = {}
    for key, value in (node.get("kwargs") or {}).items():
        if key in ("training", "mask") and value in (None, False):
            continue                               # Keras records these defaults of call
        if key == "mask" and isinstance(resolve(value), KerasMask):
            kwargs["mask"] = True                  # checked and dropped by the caller
            continue
        if key != "initial_state":
            raise ValueError(f"a node calls its layer with {key}={value!r}; tinylstm passes "
                             "only initial_state")
        kwargs[key] = resolve(value)
    flat = [a for v in args + [v for k, v in kwargs.items() if k != "mask"]
            for a in (v if isinstance(v, list) else [v])]
    if any(a is missing for a in flat):
        return None
    if not all(isinstance(a, KerasTensor) for a in flat):
        raise ValueError(f"a node's arguments must be tensors, got {flat!r}")
    return args, kwargs


def makes_a_mask(tensor):
    """Whether tinylstm gives ``tensor`` a mask: made by Embedding(mask_zero=True) or Masking,
    through layers that pass a mask on (Dense, Dropout, TimeDistributed, and the recurrent
    layers and Bidirectional with return_sequences)."""
    from .layers.embedding import Embedding
    from .layers.masking import Masking
    from .layers.wrappers import Bidirectional
    node = tensor.node
    while node is not None and node.inputs:
        layer = node.layer
        if isinstance(layer, Masking) or (isinstance(layer, Embedding) and layer.mask_zero):
            return True
        if not layer.supports_masking or (isinstance(layer, (Recurrent, Bidirectional))
                                          and not layer.return_sequences):
            return False
        node = node.inputs[0].node
    return False


def _endpoints(spec, tensors_of, what):
    """The model's input or output tensors from ``[[name, node, tensor], ...]`` (or one)."""
    if not spec:
        raise ValueError(f"the config has no {what}")
    single = not isinstance(spec[0], list)
    tensors = []
    for name, k, t in ([spec] if single else spec):
        if name not in tensors_of or k >= len(tensors_of[name]):
            raise ValueError(f"{what} names layer {name!r} node {k}, which the config does not make")
        tensors.append(tensors_of[name][k][t])
    return tensors[0] if single else tensors
