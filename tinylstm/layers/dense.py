"""Dense: ``keras.layers.Dense``; on 3-D input it applies at every timestep."""
from .. import initializers, ops, validation
from ..ops import activations
from .base import Layer


class Dense(Layer):
    """y = activation(x W + b) on the last axis: (B, D) -> (B, K), (B, T, D) -> (B, T, K).

    Args:
        units: K, the number of outputs.
        activation: a name (``"tanh"``, ``"relu"``, ...); None is linear.
        use_bias: whether to add b.
        kernel_initializer, bias_initializer: names or ``tinylstm.initializers`` objects.
        **kwargs: ``name``, ``input_shape``, ``dtype``, ``trainable`` (see ``Layer``).

    Weights: ``kernel`` (D, K), ``bias`` (K,). Equations in ``tinylstm/ops/dense.py``.
    Example: ``Dense(1)`` reads out one value per sample (per step, on sequences).
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        activations.get(activation)
        self.units = validation.positive_int(type(self).__name__, "units", units)
        self.activation = activation or "linear"
        self.use_bias = validation.boolean("Dense", "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation,
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}

    def check_input_shape(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: "
                f"expected min_ndim=2, got shape {input_shape}"
            )
        if self.built and input_shape[-1] != self.params["kernel"].shape[0]:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"axis -1 of input shape to have value {self.params['kernel'].shape[0]}, "
                f"but received input with shape {input_shape}"
            )

    def build(self, input_shape):
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x):
        return ops.dense_forward(x, self.params["kernel"], self.params.get("bias"),
                                 self.activation)

    def backward(self, dy, cache):
        return self._add_grads(*ops.dense_backward(dy, cache))

    # -- the logits, for a cross-entropy that differentiates the activation with itself --
    supports_masking = True          # Keras: a mask passes through a Dense unchanged

    def logits(self, cache):
        """x W + b before the activation, shaped as the output."""
        return cache.a.reshape(*cache.lead_shape, -1)

    def backward_from_logits(self, da, cache):
        """The backward pass from dL/d(logits): the activation's derivative is already in da."""
        return self._add_grads(*ops.dense_backward_from_logits(da, cache))

    def _add_grads(self, dx, dW, db):
        self.grads["kernel"] += dW
        if self.use_bias:
            self.grads["bias"] += db
        return dx
