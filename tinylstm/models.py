"""Models: the functional ``Model(inputs, outputs)`` and ``Sequential``, as in Keras.

A model is a graph of ``Node``s (one per layer call, see ``layers/base.py``),
sorted so that every node comes after the nodes it reads from. Then

    forward:   run the nodes in order, keeping each node's cache;
    backward:  run them in reverse, adding up the gradients of tensors that
               feed several nodes, while each layer adds into its own ``grads``;
    training:  zero the grads, forward, loss, backward, optimizer step.
"""
import math
import warnings

import numpy as np

from . import callbacks as callbacks_module
from . import config, losses, optimizers, saving, utils, validation
from .layers.base import KerasTensor, Layer, as_list, unique_name, unpack
from .layers.input_layer import Input, InputLayer
from .ops import blas


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


def _accumulate(sums, logs, weight):
    """sums[k] += weight * logs[k]: batch values towards a mean weighted by batch size."""
    for k, v in logs.items():
        sums[k] = sums.get(k, 0.0) + v * weight


class Model:
    """A functional model, ``Model(inputs, outputs)``, with Keras' compile / fit / predict."""

    def __init__(self, inputs=None, outputs=None, name=None):
        self.name = name or unique_name("functional" if type(self) is Model else "sequential")
        self.optimizer = None
        self.loss = None
        self._loss_fns = []
        self.stop_training = False
        self.history = None
        self.built = False
        if inputs is not None or outputs is not None:
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        self._inputs_were_list = isinstance(inputs, (list, tuple))
        self._outputs_were_list = isinstance(outputs, (list, tuple))
        self.inputs = as_list(inputs)
        self.outputs = as_list(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model: inputs and outputs must be symbolic tensors, got {t!r}")
        self._nodes = _sort_nodes(self.inputs, self.outputs)
        layers = [t.node.layer for t in self.inputs if t.node is not None]
        for node in self._nodes:
            if node.layer not in layers:
                layers.append(node.layer)
        self._all_layers = layers
        self.built = True

    # -- structure ---------------------------------------------------------
    @property
    def layers(self):
        return list(self._all_layers) if self.built else []

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}")

    def _weight_layers(self):
        return [layer for layer in self.layers if layer.params]

    @property
    def weights(self):
        return [w for layer in self._weight_layers() for w in layer.params.values()]

    def _grads(self):
        return [g for layer in self._weight_layers() for g in layer.grads.values()]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        weights = list(weights)
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"Model '{self.name}' expects {len(own)} weight arrays, got {len(weights)}")
        for k, (old, new) in enumerate(zip(own, weights)):
            if np.shape(new) != old.shape:
                raise ValueError(f"Model '{self.name}' weight {k}: expected shape {old.shape}, got {np.shape(new)}")
        for old, new in zip(own, weights):
            old[...] = new

    def count_params(self):
        return int(sum(w.size for w in self.weights))

    @property
    def input_shape(self):
        return unpack([t.shape for t in self.inputs])

    @property
    def output_shape(self):
        return unpack([t.shape for t in self.outputs])

    # -- the graph, forward and backward ---------------------------------------
    @blas.one_thread()          # NumPy's BLAS on one thread: the same bits with any thread count
    def _forward(self, xs):
        """xs: one array per model input. Returns one array per output, and the caches."""
        values = {id(t): x for t, x in zip(self.inputs, xs)}
        caches = []
        for node in self._nodes:
            outs, cache = node.layer.forward(unpack([values[id(t)] for t in node.inputs]))
            for t, v in zip(node.outputs, as_list(outs)):
                values[id(t)] = v
            caches.append(cache)
        return [values[id(t)] for t in self.outputs], caches

    @blas.one_thread()
    def _backward(self, d_outputs, caches):
        """d_outputs: dL/d(output) per output. Returns dL/d(input) per input."""
        grads = {}

        def add(tensor, d):                     # a tensor read by several nodes: gradients add up
            if d is not None:
                grads[id(tensor)] = d if id(tensor) not in grads else grads[id(tensor)] + d

        for t, d in zip(self.outputs, d_outputs):
            add(t, d)
        for node, cache in zip(reversed(self._nodes), reversed(caches)):
            d_outs = [grads.get(id(t)) for t in node.outputs]
            if all(d is None for d in d_outs):
                continue                        # nothing downstream of this node reaches the loss
            d_ins = node.layer.backward(unpack(d_outs), cache)
            for t, d in zip(node.inputs, as_list(d_ins)):
                add(t, d)
        return [grads.get(id(t)) for t in self.inputs]

    def __call__(self, x):
        if any(isinstance(t, KerasTensor) for t in as_list(x)):
            raise NotImplementedError("calling a model on symbolic tensors (nesting models) is not supported")
        return self.predict(x, batch_size=len(as_list(x)[0]), verbose=0)

    # -- data --------------------------------------------------------------
    def _dtype(self):
        weights = self.weights
        return weights[0].dtype if weights else config.dtype()

    def _arrays(self, data, what):
        """Numeric, non-empty, finite arrays of the model's float type (checked before building)."""
        return validation.float_arrays(f"Model '{self.name}'", data, what, self._dtype())

    def _prepare(self, data, tensors, what):
        """The arrays for ``tensors`` (the model's inputs or outputs), checked against their shapes."""
        arrays = self._arrays(data, what)
        validation.match_shapes(f"Model '{self.name}'", arrays, tensors, what)
        return arrays

    def _xy(self, x, y):
        """Validated (xs, ys) for training or evaluation; nothing is changed if they are refused."""
        xs, ys = self._arrays(x, "input"), self._arrays(y, "target")
        self._ensure_built(xs)
        validation.match_shapes(f"Model '{self.name}'", xs, self.inputs, "input")
        validation.match_shapes(f"Model '{self.name}'", ys, self.outputs, "target")
        validation.same_length(f"Model '{self.name}'", xs, ys)
        return xs, ys

    def _ensure_built(self, xs):
        """Sequential models without an input shape are built on first data."""

    # -- training ------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        # resolve every name first: a refused compile leaves the model as it was
        opt = optimizers.get(optimizer)
        loss_fns = [losses.get(l) for l in as_list(loss)] if loss is not None else []
        metric_names = list(metrics or [])
        metric_fns = [losses.get(m) for m in metric_names]
        self.optimizer, self.loss, self._loss_fns = opt, loss, loss_fns
        self._metric_names, self._metric_fns = metric_names, metric_fns

    def _check_compiled(self, what):
        if self.optimizer is None or not self._loss_fns:
            raise RuntimeError(f"You must call `compile()` with a loss before using `{what}()`.")

    def _losses_for(self, k):
        fns = self._loss_fns
        return fns[k] if len(fns) > 1 else fns[0]

    def _loss(self, ys, preds):
        """The compiled loss, summed over the outputs."""
        return sum(float(self._losses_for(k)(y, p)) for k, (y, p) in enumerate(zip(ys, preds)))

    def _loss_and_grads(self, ys, preds):
        """The loss and dL/d(output) for each output."""
        d_outputs = [self._losses_for(k).grad(y, p) for k, (y, p) in enumerate(zip(ys, preds))]
        return self._loss(ys, preds), d_outputs

    def train_on_batch(self, x, y):
        """One step: zero grads, forward, loss, backward, update. Returns the batch loss."""
        self._check_compiled("train_on_batch")
        xs, ys = self._xy(x, y)
        return self._train_step(xs, ys)[0]

    def _train_step(self, xs, ys):
        """Zero grads, forward, loss, backward, update. A non-finite loss or gradient skips
        the update, so the weights and the optimizer state stay at their last finite values."""
        layers = self._weight_layers()
        for layer in layers:
            layer.zero_grads()
        preds, caches = self._forward(xs)
        loss, d_outputs = self._loss_and_grads(ys, preds)
        self._backward(d_outputs, caches)
        trainable = [layer for layer in layers if layer.trainable]
        grads = [g for l in trainable for g in l.grads.values()]
        if not (np.isfinite(loss) and all(np.isfinite(g).all() for g in grads)):
            return float("nan") if np.isfinite(loss) else loss, preds
        self.optimizer.apply([w for l in trainable for w in l.params.values()], grads)
        return loss, preds

    def _metrics(self, ys, preds):
        return {name: float(fn(ys[0], preds[0])) for name, fn in zip(self._metric_names, self._metric_fns)}

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0):
        self._check_compiled("fit")
        owner = f"Model '{self.name}'.fit"
        batch_size = validation.positive_int(owner, "batch_size", 32 if batch_size is None else batch_size)
        epochs = validation.non_negative_int(owner, "epochs", epochs)
        initial_epoch = validation.non_negative_int(owner, "initial_epoch", initial_epoch)
        validation_split = validation.fraction(owner, "validation_split", validation_split)
        verbose = 1 if verbose == "auto" else verbose
        xs, ys = self._xy(x, y)
        if validation_data is not None:
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) != 2:
                raise ValueError(f"{owner}: validation_data expected a tuple (x_val, y_val)")
            validation_data = self._xy(*validation_data)
        elif validation_split:
            split = int(math.ceil(len(xs[0]) * (1.0 - validation_split)))
            validation_data = ([a[split:] for a in xs], [a[split:] for a in ys])
            xs, ys = [a[:split] for a in xs], [a[:split] for a in ys]
        n = len(xs[0])
        steps = int(math.ceil(n / batch_size))

        history = callbacks_module.History()
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(callbacks_module.ProgbarLogger(verbose))
        cbs.append(history)
        cb = callbacks_module.CallbackList(cbs, self, {"epochs": epochs, "steps": steps, "verbose": verbose})
        self.stop_training = False
        cb.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            cb.on_epoch_begin(epoch)
            order = utils.rng().permutation(n) if shuffle else np.arange(n)
            sums, seen = {}, 0
            for step in range(steps):
                idx = order[step * batch_size:(step + 1) * batch_size]
                cb.on_train_batch_begin(step)
                bx, by = [a[idx] for a in xs], [a[idx] for a in ys]
                loss, preds = self._train_step(bx, by)
                if not np.isfinite(loss):
                    self._stop_on_nonfinite(history, epoch, step, loss)
                    break
                # Keras averages the epoch's loss over batches, weighted by batch size
                _accumulate(sums, {"loss": loss, **self._metrics(by, preds)}, len(idx))
                seen += len(idx)
                cb.on_train_batch_end(step, {k: v / seen for k, v in sums.items()})
                if self.stop_training:
                    break
            if history.nonfinite is not None:
                cb.on_epoch_end(epoch, {"loss": history.nonfinite["loss"]})
                break
            logs = {k: v / seen for k, v in sums.items()}
            if validation_data is not None:
                val = self._evaluate(*validation_data, batch_size)    # validated once, above
                logs.update({"val_" + k: v for k, v in val.items()})
            cb.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cb.on_train_end()
        self.history = history
        return history

    def _stop_on_nonfinite(self, history, epoch, step, loss):
        history.nonfinite = {"epoch": epoch, "batch": step, "loss": loss}
        warnings.warn(
            f"Model '{self.name}': the loss became {loss} at epoch {epoch + 1}, batch {step + 1}; "
            "training stopped and the weights are those of the last finite step "
            "(try a smaller learning_rate, or clipnorm in the optimizer)", RuntimeWarning)
        self.stop_training = True

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", return_dict=False):
        self._check_compiled("evaluate")
        batch_size = validation.positive_int(f"Model '{self.name}'.evaluate", "batch_size",
                                             32 if batch_size is None else batch_size)
        result = self._evaluate(*self._xy(x, y), batch_size)
        if return_dict:
            return result
        return result["loss"] if len(result) == 1 else list(result.values())

    def _evaluate(self, xs, ys, batch_size):
        """{"loss": ..., metrics...} on validated arrays, batch-size-weighted means."""
        sums, n = {}, len(xs[0])
        for start in range(0, n, batch_size):
            bx = [a[start:start + batch_size] for a in xs]
            by = [a[start:start + batch_size] for a in ys]
            preds, _ = self._forward(bx)
            _accumulate(sums, {"loss": self._loss(by, preds), **self._metrics(by, preds)}, len(bx[0]))
        return {k: v / n for k, v in sums.items()}

    def predict(self, x, batch_size=None, verbose="auto"):
        batch_size = validation.positive_int(f"Model '{self.name}'.predict", "batch_size",
                                             32 if batch_size is None else batch_size)
        xs = self._arrays(x, "input")
        self._ensure_built(xs)
        validation.match_shapes(f"Model '{self.name}'", xs, self.inputs, "input")
        chunks = [self._forward([a[s:s + batch_size] for a in xs])[0]
                  for s in range(0, len(xs[0]), batch_size)]
        outs = [np.concatenate([c[k] for c in chunks]) for k in range(len(self.outputs))]
        return outs if self._outputs_were_list else outs[0]

    # -- weights on disk (see saving.py) ------------------------------------------
    def save_weights(self, filepath):
        """Write every weight to an ``.npz`` file (no pickle), atomically."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath):
        """Read weights written by ``save_weights``; nothing is assigned unless all of them fit."""
        saving.load_weights(self, filepath)

    # -- summary -------------------------------------------------------------
    def summary(self, print_fn=None, line_length=65):
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
    """A stack of layers, each feeding the next, as ``keras.Sequential``."""

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._stack = []
        self._input = None
        self._outputs_were_list = False
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        if isinstance(layer, KerasTensor):          # model.add(Input(shape=...))
            if self._stack or self._input is not None:
                raise ValueError("Sequential: an Input can only be added first")
            self._input = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a layer, got {layer!r}")
        if not self._stack and self._input is None and layer.input_shape_arg is not None:
            self._input = Input(layer.input_shape_arg)
        self._stack.append(layer)
        if self._input is not None:
            self._extend_graph([layer])

    def _extend_graph(self, new_layers):
        """Call the new layers on the current output and make that the model's output."""
        out = self.outputs[0] if self.built else self._input
        for layer in new_layers:
            out = layer(out)
            if isinstance(out, list):
                raise ValueError(
                    f"Sequential: layer '{layer.name}' has several outputs; "
                    "return_state=True needs the functional API"
                )
        self._init_graph(self._input, out)

    def _ensure_built(self, xs):
        if not self.built:
            if not self._stack:
                raise ValueError("Sequential: the model has no layers")
            self._input = Input(xs[0].shape[1:])
            self._extend_graph(self._stack)

    @property
    def layers(self):
        return list(self._stack)
