"""Models: the functional ``Model(inputs, outputs)`` and ``Sequential``, as in Keras.

A model is a graph of ``Node``s (one per layer call, see ``layers/base.py``),
sorted so that every node comes after the nodes it reads from. Then

    forward:   run the nodes in order, keeping each node's cache;
    backward:  run them in reverse, adding up the gradients of tensors that
               feed several nodes, while each layer adds into its own ``grads``;
    training:  zero the grads, forward, loss, backward, optimizer step
               (the loop is in ``training.py``).

Every public call checks what it is given before it changes anything: a
refused call leaves weights, optimizer and compiled state as they were.

The forward pass also carries each tensor's mask (see ``layers/base.py``) and
returns a ``Trace``: the caches for the backward pass and the masks of the
outputs, which the loss and the metrics weigh by. Where an output layer's softmax
(or sigmoid) meets its cross-entropy, the loss reads the layer's logits and its
gradient enters the layer below the activation (``FromLogits``): the two are
differentiated together, in the stable form (docs/text-and-classification.md).
"""
from typing import NamedTuple

import numpy as np

from . import (atomic, compile_utils, config, keras_files, model_config, ops, optimizers,
               saving, training, validation)
from .layers.base import (KerasTensor, Layer, as_list, call_forward, output_masks, unique_name,
                          unpack)
from .layers.input_layer import Input, InputLayer
from .layers.recurrent import Recurrent
from .ops import blas
from .progbar import Progbar


class Trace(NamedTuple):
    """What one forward pass leaves for the loss and the backward pass."""
    caches: list            # one per node, in the order of ``Model._nodes``
    output_masks: list      # one per model output: (B, T) booleans, or None


class FromLogits(NamedTuple):
    """dL/d(logits) of an output layer whose activation the loss has differentiated already."""
    value: np.ndarray


def _sort_nodes(inputs, outputs):
    """Nodes between ``inputs`` and ``outputs``, each after the nodes it reads from."""
    input_ids = {id(t) for t in inputs}
    order, seen = [], set()

    def visit(tensor):
        if id(tensor) in input_ids:
            return
        node = tensor.node
        if node is None or not node.inputs:
            raise ValueError(
                f"Graph disconnected: {tensor} cannot be computed from the model's inputs"
            )
        if id(node) in seen:
            return
        seen.add(id(node))
        for t in node.inputs:
            visit(t)
        order.append(node)

    for t in outputs:
        visit(t)
    return order


def _check_unique_names(layers):
    """Keras refuses two different layers of one name in a model."""
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the '
                             "model. All layer names should be unique.")


def _producer(tensor):
    node = tensor.node
    if node is None or not node.inputs:
        return "the model's input"
    return f"layer '{node.layer.name}' ({type(node.layer).__name__})"


class Model:
    """A functional model, ``Model(inputs, outputs)``, with Keras' compile / fit / predict.

    ``inputs`` and ``outputs`` are symbolic tensors (or lists of them): call layers
    on ``Input(shape)`` to build the graph, then name its ends.

    Example::

        x = Input((100, 1))
        z = LSTM(1)(LSTM(32, return_sequences=True)(x))     # the latent value
        encoder = Model(x, z)
    """

    def __init__(self, inputs=None, outputs=None, name=None):
        self.name = name or unique_name("functional" if type(self) is Model else "sequential")
        self.optimizer = None
        self.loss = None
        self._loss_fns = []
        self._metric_specs = []     # (log name, output index, function)
        self._metrics_given = None  # compile's metrics argument, as given (for saving)
        self.stop_training = False
        self.history = None
        self.built = False
        if inputs is not None or outputs is not None:
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        inputs_were_list = isinstance(inputs, (list, tuple))
        outputs_were_list = isinstance(outputs, (list, tuple))
        inputs, outputs = as_list(inputs), as_list(outputs)
        for t in inputs + outputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model: inputs and outputs must be symbolic tensors, got {t!r}")
        nodes = _sort_nodes(inputs, outputs)
        layers = [t.node.layer for t in inputs if t.node is not None]
        for node in nodes:
            if node.layer not in layers:
                layers.append(node.layer)
        _check_unique_names(layers)
        self._inputs_were_list, self._outputs_were_list = inputs_were_list, outputs_were_list
        self.inputs, self.outputs, self._nodes, self._all_layers = inputs, outputs, nodes, layers
        self.built = True

    # -- structure ---------------------------------------------------------
    @property
    def layers(self):
        """The layers, inputs included, each once (a Sequential: its stack)."""
        return list(self._all_layers) if self.built else []

    def get_layer(self, name=None, index=None):
        """The layer called ``name``, or the one at ``index`` of ``layers``."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}")

    def _weight_layers(self):
        """The layers with weights, each once: a layer used twice is one set of weights."""
        unique = []
        for layer in self.layers:
            if layer.params and all(layer is not u for u in unique):
                unique.append(layer)
        return unique

    @property
    def weights(self):
        """The live weight arrays of every layer, each layer once, in Keras' order."""
        return [w for layer in self._weight_layers() for w in layer.params.values()]

    def _grads(self):
        return [g for layer in self._weight_layers() for g in layer.grads.values()]

    def _trainable_weights(self):
        return [w for layer in self._weight_layers() if layer.trainable for w in layer.params.values()]

    def _trainable_grads(self):
        return [g for layer in self._weight_layers() if layer.trainable for g in layer.grads.values()]

    def get_weights(self):
        """Copies of ``weights``: ``keras_model.set_weights(model.get_weights())`` works."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Assign every weight, or none: all arrays are checked (shape, real, finite, fit
        the float type) before the first is written."""
        weights, own = list(weights), self.weights
        if len(weights) != len(own):
            raise ValueError(f"Model '{self.name}' expects {len(own)} weight arrays, got {len(weights)}")
        new = validation.weight_values(f"Model '{self.name}'", range(len(own)), own, weights)
        atomic.assign(zip(own, new))

    def count_params(self):
        """The number of weight entries, a shared layer counted once."""
        return int(sum(w.size for w in self.weights))

    @property
    def input_shape(self):
        """The input's shape, ``None`` for the batch (a list for several inputs)."""
        return unpack([t.shape for t in self.inputs])

    @property
    def output_shape(self):
        """The output's shape, ``None`` for the batch (a list for several outputs)."""
        return unpack([t.shape for t in self.outputs])

    # -- the graph, forward and backward ---------------------------------------
    @blas.one_thread()          # NumPy's BLAS on one thread: the same bits with any thread count
    def _forward(self, xs, training=False):
        """xs: one array per model input. Returns one array per output, and the ``Trace``."""
        values = {id(t): x for t, x in zip(self.inputs, xs)}
        masks = {}
        caches = []
        for node in self._nodes:
            inputs = unpack([values[id(t)] for t in node.inputs])
            mask = masks.get(id(node.inputs[0]))
            outs, cache = call_forward(node.layer, inputs, training, mask)
            for t, v, m in zip(node.outputs, as_list(outs),
                               output_masks(node.layer, inputs, mask, len(node.outputs))):
                values[id(t)] = v
                masks[id(t)] = m
            caches.append(cache)
        return ([values[id(t)] for t in self.outputs],
                Trace(caches, [masks.get(id(t)) for t in self.outputs]))

    @blas.one_thread()
    def _backward(self, d_outputs, trace, input_gradients=True):
        """d_outputs: dL/d(output) per output (or ``FromLogits``). Returns dL/d(input) per input;
        with ``input_gradients=False`` (a training step) a recurrent layer reading a model
        input may skip dL/d(its input), and the returned gradients are not to be used."""
        caches = trace.caches
        grads = {}
        inputs = {id(t) for t in self.inputs}

        def add(tensor, d):                     # a tensor read by several nodes: gradients add up
            if d is not None:
                grads[id(tensor)] = d if id(tensor) not in grads else grads[id(tensor)] + d

        for t, d in zip(self.outputs, d_outputs):
            add(t, d)
        for node, cache in zip(reversed(self._nodes), reversed(caches)):
            d_outs = [grads.get(id(t)) for t in node.outputs]
            if all(d is None for d in d_outs):
                continue                        # nothing downstream of this node reaches the loss
            if isinstance(d_outs[0], FromLogits):
                d_ins = node.layer.backward_from_logits(d_outs[0].value, cache)
            elif (not input_gradients and isinstance(node.layer, Recurrent)
                    and all(id(t) in inputs for t in node.inputs)):
                # a recurrent layer itself only: a wrapper (Bidirectional) adds its layers' dx
                with ops.without_input_gradient():
                    d_ins = node.layer.backward(unpack(d_outs), cache)
            else:
                d_ins = node.layer.backward(unpack(d_outs), cache)
            for t, d in zip(node.inputs, as_list(d_ins)):
                add(t, d)
        return [grads.get(id(t)) for t in self.inputs]

    def __call__(self, x):
        if any(isinstance(t, KerasTensor) for t in as_list(x)):
            raise NotImplementedError("calling a model on symbolic tensors (nesting models) is not supported")
        xs = self._check_x(x)
        self._ensure_built(xs)
        return self._predict(xs, len(xs[0]))

    # -- data: checked whole before anything is built or changed ----------------------
    def _dtype(self):
        weights = self.weights
        return weights[0].dtype if weights else config.dtype()

    def _n_arrays(self, what):
        """How many input (or target) arrays the model takes: one per input (output)."""
        if not self.built:
            return 1                            # a Sequential not built yet
        return len(self.inputs if what == "input" else self.outputs)

    def _arrays(self, data, what):
        """Numeric, non-empty, finite arrays of the model's float type, one per input (output)."""
        return validation.float_arrays(f"Model '{self.name}'", data, what, self._dtype(),
                                       self._n_arrays(what))

    def _prepare(self, data, tensors, what):
        """The arrays for ``tensors`` (the model's inputs or outputs), checked against their shapes."""
        arrays = self._arrays(data, what)
        validation.match_shapes(f"Model '{self.name}'", arrays, [t.shape for t in tensors], what)
        return arrays

    def _io_shapes(self, xs):
        """(input shapes, output shapes, what makes each output) for data ``xs``."""
        return ([t.shape for t in self.inputs], [t.shape for t in self.outputs],
                [_producer(t) for t in self.outputs])

    def _check_x(self, x):
        xs = self._arrays(x, "input")
        validation.match_shapes(f"Model '{self.name}'", xs, self._io_shapes(xs)[0], "input")
        return xs

    def _check_xy(self, x, y):
        """Validated (xs, ys); nothing is built or changed, whether they pass or not."""
        owner = f"Model '{self.name}'"
        xs, ys = self._arrays(x, "input"), self._arrays(y, "target")
        in_shapes, out_shapes, producers = self._io_shapes(xs)
        validation.match_shapes(owner, xs, in_shapes, "input")
        loss_fns = [self._losses_for(k) for k in range(len(out_shapes))] if self._loss_fns else []
        target_shapes = compile_utils.target_shapes(loss_fns, out_shapes, ys)
        validation.match_shapes(owner, ys, target_shapes, "target", producers)
        compile_utils.check_class_indices(owner, loss_fns, out_shapes, ys)
        validation.same_length(owner, xs, ys)
        return xs, ys

    def _check_stateful_batches(self, what, n, batch_size):
        """A stateful layer runs on the batch size it was built for: every batch must have it."""
        sizes = {min(batch_size, n - start) for start in range(0, n, batch_size)}
        for layer in self.layers:
            fixed = getattr(layer, "stateful_batch_size", None)
            if fixed is not None and sizes != {fixed}:
                raise ValueError(
                    f"Model '{self.name}'.{what}: layer '{layer.name}' is stateful, built for "
                    f"batches of {fixed} (Input(batch_shape=...)); {n} samples in batches of "
                    f"{batch_size} give batches of {sorted(sizes)}: pass batch_size={fixed} "
                    f"and a number of samples divisible by {fixed}")

    def _xy(self, x, y):
        """Validated (xs, ys), the model built for them if it was not."""
        xs, ys = self._check_xy(x, y)
        self._ensure_built(xs)
        return xs, ys

    def _ensure_built(self, xs):
        """Sequential models without an input shape are built on first data."""

    # -- compile ---------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Say how the model trains: with which optimizer, on which loss, logging which metrics.

        Args:
            optimizer: a name (``"rmsprop"``, ``"adam"``, ``"sgd"``, ...; Keras' defaults)
                or an ``Optimizer`` instance, e.g. ``Adam(learning_rate=1e-3)``.
            loss: a name (``"mse"``, ``"mean_absolute_error"``, ...), a ``Loss``, or a
                pair ``(loss_fn, grad_fn)`` of your own; for several outputs one loss for
                all (the losses add up) or a list with one per output.
            metrics: a list of names logged beside the loss (``["mae"]``); for several
                outputs one list per output, logged as ``<output layer>_mae``.

        As in Keras, compiling again keeps the weights and replaces the optimizer, so
        training restarts its moments. Everything is checked first: a refused compile
        leaves the model as it was. Example:
        ``model.compile(optimizer="rmsprop", loss="mean_squared_error")``.
        """
        owner, n = f"Model '{self.name}'", self._n_arrays("target")
        opt = optimizers.get(optimizer)
        loss_fns = compile_utils.losses_per_output(owner, loss, n)
        metric_specs = compile_utils.metrics_per_output(owner, metrics, n, self._output_names)
        opt.check_params(self._trainable_weights())     # one optimizer, one model
        self.optimizer, self.loss, self._loss_fns = opt, loss, loss_fns
        self._metric_specs, self._metrics_given = metric_specs, metrics

    def _output_names(self):
        """Keras names per-output logs by the output's layer ("dense_1_mae")."""
        names = [t.node.layer.name for t in self.outputs]
        return names if len(set(names)) == len(names) else [f"output_{k}" for k in range(len(names))]

    def _metric_names(self):
        return [name for name, _, _ in self._metric_specs]

    def _check_compiled(self, what):
        if self.optimizer is None or not self._loss_fns:
            raise RuntimeError(f"You must call `compile()` with a loss before using `{what}()`.")

    def _losses_for(self, k):
        fns = self._loss_fns
        return fns[k] if len(fns) > 1 else fns[0]

    def _output_loss(self, k, pred, trace):
        """(the loss of output k, what it reads, whether those are logits): the prediction, or,
        where a softmax or sigmoid output meets its cross-entropy, the layer's logits."""
        loss, node = self._losses_for(k), self.outputs[k].node
        layer = node.layer if node is not None else None
        fused = (loss.fused_with(getattr(layer, "activation", None))
                 if hasattr(layer, "backward_from_logits") else None)
        if fused is None or self._read_twice(self.outputs[k]):
            return loss, pred, False
        return fused, layer.logits(trace.caches[self._nodes.index(node)]), True

    def _read_twice(self, tensor):
        """Whether a tensor feeds another layer or a second output (then it keeps its own gradient)."""
        return (any(tensor in node.inputs for node in self._nodes)
                or sum(t is tensor for t in self.outputs) > 1)

    def _loss(self, ys, preds, trace):
        """The compiled loss, summed over the outputs, each weighed by its mask."""
        total = 0.0
        for k, (y, p) in enumerate(zip(ys, preds)):
            loss, read, _ = self._output_loss(k, p, trace)
            total += float(loss(y, read, trace.output_masks[k]))
        return total

    def _loss_and_grads(self, ys, preds, trace):
        """The loss and dL/d(output) for each output (``FromLogits`` where fused)."""
        d_outputs = []
        for k, (y, p) in enumerate(zip(ys, preds)):
            loss, read, logits = self._output_loss(k, p, trace)
            d = loss.grad(y, read, trace.output_masks[k])
            d_outputs.append(FromLogits(d) if logits else d)
        return self._loss(ys, preds, trace), d_outputs

    def _metrics(self, ys, preds, trace):
        """{name: (total, count)} for one batch: sums that add up over an epoch (metrics.py)."""
        return {name: metric.batch_result(ys[k], preds[k], trace.output_masks[k])
                for name, k, metric in self._metric_specs}

    def _batch_logs(self, loss, ys, preds, trace):
        """{name: (total, count)}: the loss weighed by the batch size (Keras' loss tracker),
        the metrics by what they count."""
        n = len(preds[0])
        return {"loss": (loss * n, n), **self._metrics(ys, preds, trace)}

    # -- training, evaluation, prediction ---------------------------------------------
    def train_on_batch(self, x, y):
        """One optimizer step on the batch ``(x, y)``: zero grads, forward, loss, backward,
        update. Returns the batch loss (NaN or infinite, and nothing changed, if the step
        was not finite)."""
        self._check_compiled("train_on_batch")
        xs, ys = self._check_xy(x, y)
        self.optimizer.check_params(self._trainable_weights() if self.built else [])
        self._ensure_built(xs)
        self._check_stateful_batches("train_on_batch", len(xs[0]), len(xs[0]))
        return training.train_step(self, xs, ys)[0]

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0):
        """Train the compiled model on ``(x, y)``; returns the ``History`` of the epochs.

        Keras' semantics: each epoch shuffles the samples (``shuffle=True``) and
        takes one optimizer step per batch of ``batch_size`` (32; the last batch may
        be smaller). The logged ``loss`` and metrics are the epoch's means over its
        samples (batches weighted by their size), computed while the weights move;
        ``val_*`` are computed on the validation data after the epoch. A model
        fitted again goes on from where it is (weights, optimizer state), and
        ``epochs`` counts from ``initial_epoch``, not from zero.

        Args:
            x, y: arrays (a list of arrays for several inputs or outputs).
            batch_size: samples per step.
            epochs: train until this epoch index (the number of epochs if
                ``initial_epoch`` is 0).
            verbose: "auto" or 1 a progress bar (one line per epoch off a terminal),
                2 one line per epoch, 0 nothing.
            callbacks: ``tinylstm.callbacks`` instances (``EarlyStopping``, ...).
            validation_split: the fraction of the samples, taken from the end,
                kept out of training to validate on.
            validation_data: ``(x_val, y_val)``, used instead of a split.
            shuffle: shuffle the samples each epoch.
            initial_epoch: the epoch to start from (for a resumed run).

        Everything is checked before training starts: a refused fit changes nothing.
        A step whose loss or update is NaN or infinite is not applied and stops
        training (``TerminateOnNaN``, part of every fit). Example:
        ``history = model.fit(x, x, epochs=10, batch_size=50, validation_split=0.2)``.
        """
        return training.fit(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                            callbacks=callbacks, validation_split=validation_split,
                            validation_data=validation_data, shuffle=shuffle,
                            initial_epoch=initial_epoch)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", return_dict=False):
        """The compiled loss and metrics on ``(x, y)``, in batches of ``batch_size`` (32).

        Returns the loss (a float) when nothing else is compiled, else the list
        ``[loss, *metrics]``, or a dict of them with ``return_dict=True``; each a
        mean over the samples (batches weighted by their size), as Keras.
        ``verbose``: "auto" or 1 a progress bar, 2 one line, 0 nothing.
        """
        self._check_compiled("evaluate")
        owner = f"Model '{self.name}'.evaluate"
        batch_size = validation.positive_int(owner, "batch_size", 32 if batch_size is None else batch_size)
        verbose = validation.verbosity(owner, verbose)
        result = self._evaluate(*self._xy(x, y), batch_size, verbose)
        if return_dict:
            return result
        return result["loss"] if len(result) == 1 else list(result.values())

    def _evaluate(self, xs, ys, batch_size, verbose=0):
        """{"loss": ..., metrics...} on validated arrays, summed over the batches as Keras does."""
        sums, n = {}, len(xs[0])
        self._check_stateful_batches("evaluate", n, batch_size)
        bar = Progbar(-(-n // batch_size), verbose=verbose,
                      stateful_metrics=["loss"] + self._metric_names())
        for step, start in enumerate(range(0, n, batch_size)):
            bx = [a[start:start + batch_size] for a in xs]
            by = [a[start:start + batch_size] for a in ys]
            with ops.forward_only():
                preds, trace = self._forward(bx)
            training.accumulate(sums, self._batch_logs(self._loss(by, preds, trace), by, preds, trace))
            bar.update(step + 1, list(training.means(sums).items()))
        return training.means(sums)

    def predict(self, x, batch_size=None, verbose="auto"):
        """The model's output for ``x``, computed in batches of ``batch_size`` (32): an array,
        or a list of arrays for a model built with a list of outputs.
        ``verbose``: "auto" or 1 a progress bar, 2 one line, 0 nothing (as Keras)."""
        owner = f"Model '{self.name}'.predict"
        batch_size = validation.positive_int(owner, "batch_size", 32 if batch_size is None else batch_size)
        verbose = validation.verbosity(owner, verbose)
        xs = self._check_x(x)
        self._ensure_built(xs)
        return self._predict(xs, batch_size, verbose)

    def _predict(self, xs, batch_size, verbose=0):
        n = len(xs[0])
        self._check_stateful_batches("predict", n, batch_size)
        bar = Progbar(-(-n // batch_size), verbose=verbose)
        chunks = []
        for step, start in enumerate(range(0, n, batch_size)):
            with ops.forward_only():
                chunks.append(self._forward([a[start:start + batch_size] for a in xs])[0])
            bar.update(step + 1)
        outs = [np.concatenate([c[k] for c in chunks]) for k in range(len(self.outputs))]
        return outs if self._outputs_were_list else outs[0]

    # -- weights on disk (see saving.py) ------------------------------------------
    def save_weights(self, filepath):
        """Write every weight, atomically: ``.npz`` (tinylstm's, NumPy only) or
        ``.weights.h5`` (Keras 3's HDF5 file, which ``keras_model.load_weights`` reads;
        needs h5py). A ``.keras`` path is refused: that is ``save``."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath):
        """Read weights written by ``save_weights`` (or Keras 3's ``.weights.h5``); nothing
        is assigned unless all of them fit the model."""
        saving.load_weights(self, filepath)

    # -- the whole model: its config and its file (model_config.py, keras_files.py) ---------
    def get_config(self):
        """The model as Keras 3's config: its layers and how they are connected."""
        return model_config.functional_config(self)

    @classmethod
    def from_config(cls, config):
        """The model a config describes (tinylstm's ``get_config()`` or Keras 3's), with
        new weights: the layers are made and connected, not loaded."""
        return model_config.functional_from_config(config, cls)

    def save(self, filepath, overwrite=True):
        """Write the whole model to a ``.keras`` file, atomically: its config, its weights
        and the optimizer's state, as Keras 3 writes it (``keras.models.load_model`` opens
        it; h5py needed). ``tinylstm.models.load_model`` reads it back, ready to train on
        where it stopped."""
        keras_files.save_model(self, filepath, overwrite)

    # -- summary -------------------------------------------------------------
    def summary(self, print_fn=None, line_length=65):
        """Print the classic Keras table: each layer, its output shape and its parameter count."""
        print_fn = print_fn or print
        cols = (29, 26, line_length - 55)
        rows = []
        for layer in self.layers:
            if isinstance(layer, InputLayer) and isinstance(self, Sequential):
                continue
            shapes = self._output_shapes_of(layer)
            rows.append((f"{layer.name} ({type(layer).__name__})", shapes, f"{layer.count_params():,}"))
        lines = [f'Model: "{self.name}"', "_" * line_length,
                 "Layer (type)".ljust(cols[0]) + "Output Shape".ljust(cols[1]) + "Param #",
                 "=" * line_length]
        for k, (name, shape, params) in enumerate(rows):
            lines.append((name + " ").ljust(cols[0]) + (shape + " ").ljust(cols[1]) + params)
            lines.append(("_" if k < len(rows) - 1 else "=") * line_length)
        total = self.count_params()
        trainable = sum(l.count_params() for l in self._weight_layers() if l.trainable)
        lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                  f"Non-trainable params: {total - trainable:,}", "_" * line_length]
        for line in lines:
            print_fn(line)

    def _output_shapes_of(self, layer):
        for node in self._nodes:
            if node.layer is layer:
                shapes = [str(t.shape).replace(",)", ")") for t in node.outputs]
                return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"
        return str(layer.output.shape).replace(",)", ")")  # an InputLayer


class Sequential(Model):
    """A stack of layers, each feeding the next, as ``keras.Sequential``.

    Give the first layer an ``input_shape`` (or ``add(Input(shape))`` first), or let
    the model build itself on the first data it sees. Example:
    ``Sequential([LSTM(32, input_shape=(100, 1)), Dense(1)])``.
    """

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._stack = []
        self._input = None
        self._outputs_were_list = False
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append a layer (or an ``Input`` first); a refused layer is not added."""
        if isinstance(layer, KerasTensor):          # model.add(Input(shape=...))
            if self._stack or self._input is not None:
                raise ValueError("Sequential: an Input can only be added first")
            self._input = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a layer, got {layer!r}")
        if any(other.name == layer.name and other is not layer for other in self._stack):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the "
                "`name` argument to pass a unique name.")
        input_ = self._input
        if not self._stack and input_ is None and layer.input_shape_arg is not None:
            input_ = Input(layer.input_shape_arg)
        if input_ is not None:
            self._extend_graph(input_, [layer])
        self._input = input_
        self._stack.append(layer)

    def _extend_graph(self, input_, new_layers):
        """Call the new layers on the current output and make that the model's output."""
        out = self.outputs[0] if self.built else input_
        for layer in new_layers:
            out = layer(out)
            if isinstance(out, list):
                raise ValueError(_multi_output_message(layer))
        self._init_graph(input_, out)

    def _io_shapes(self, xs):
        """Built: the graph's shapes. Not built: the shapes the stack would give, worked out
        layer by layer without building anything, so bad data builds nothing."""
        if self.built:
            return super()._io_shapes(xs)
        if not self._stack:
            raise ValueError(f"Sequential model '{self.name}' has no layers")
        shape = (None,) + xs[0].shape[1:]
        in_shape = shape
        for layer in self._stack:
            try:
                layer.check_input_shape(shape)
            except ValueError as err:
                raise ValueError(f"Model '{self.name}' built for input shape {in_shape}: "
                                 f"{err}") from None
            shape = layer.compute_output_shape(shape)
            if isinstance(shape, list):
                raise ValueError(_multi_output_message(layer))
        last = self._stack[-1]
        return [in_shape], [shape], [f"layer '{last.name}' ({type(last).__name__})"]

    def _ensure_built(self, xs):
        if not self.built:
            self._io_shapes(xs)                     # refuses data the stack cannot take
            input_ = Input(xs[0].shape[1:])
            self._extend_graph(input_, self._stack)
            self._input = input_

    @property
    def layers(self):
        """The stack of layers, in the order they were added (no Input)."""
        return list(self._stack)

    def get_config(self):
        """The model as Keras 3's Sequential config: its Input (if it has one) and layers."""
        return model_config.sequential_config(self)

    @classmethod
    def from_config(cls, config):
        return model_config.sequential_from_config(config, cls)


def _multi_output_message(layer):
    return (f"Sequential: layer '{layer.name}' has several outputs; "
            "return_state=True needs the functional API")


def load_model(filepath, compile=True):
    """The model of a ``.keras`` file (written by ``model.save`` or by Keras 3), with its
    weights, compiled as it was saved and with its optimizer's state unless
    ``compile=False``. Needs h5py (``pip install "tinylstm[keras-files]"``).

    Example: ``model = load_model("autoencoder.keras"); model.fit(x, x, epochs=5)``
    trains on exactly where the saved model stopped.
    """
    return keras_files.load_model(filepath, compile=compile)
