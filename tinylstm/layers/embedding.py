"""Embedding: ``keras.layers.Embedding``, integer ids (B, ...) -> vectors (B, ..., output_dim)."""
import numpy as np

from .. import initializers, validation
from ..ops.embedding import embedding_backward, embedding_forward
from .base import Layer


class Embedding(Layer):
    """Row ``ids[...]`` of a trainable table ``embeddings`` (input_dim, output_dim).

    ``mask_zero=True``: id 0 is padding. The output then carries a mask, True where
    the id is not 0, which recurrent layers, losses and metrics downstream respect;
    id 0 is still looked up like any other. Ids must lie in [0, input_dim): with
    ``mask_zero`` the vocabulary is 1 .. input_dim - 1. Equations in
    ``tinylstm/ops/embedding.py``.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", mask_zero=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.input_dim = validation.positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = validation.positive_int("Embedding", "output_dim", output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.mask_zero = validation.boolean("Embedding", "mask_zero", mask_zero)

    @property
    def supports_masking(self):
        """True with ``mask_zero``: the output then carries a mask (Keras' rule)."""
        return self.mask_zero

    def build(self, input_shape):
        self.add_weight("embeddings", (self.input_dim, self.output_dim),
                        self.embeddings_initializer)
        self.built = True

    def check_input_shape(self, input_shape):
        if isinstance(input_shape, list):
            raise ValueError(f"Layer '{self.name}' (Embedding) takes one input of ids, "
                             f"got {len(input_shape)} inputs")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, inputs, mask):
        """True where the id is not 0 (``mask_zero``); no mask otherwise."""
        return np.asarray(inputs) != 0 if self.mask_zero else None

    def ids(self, inputs):
        """The inputs as integer ids, refused unless whole numbers in [0, input_dim)."""
        inputs = np.asarray(inputs)
        whole = inputs.dtype.kind in "biu" or np.all(np.mod(inputs, 1) == 0)
        if not whole or inputs.min() < 0 or inputs.max() >= self.input_dim:
            raise ValueError(f"Layer '{self.name}' (Embedding): expected ids, whole numbers in "
                             f"[0, {self.input_dim}) (input_dim={self.input_dim}), got values "
                             f"from {inputs.min():g} to {inputs.max():g}")
        return inputs.astype(np.int64)

    def forward(self, inputs):
        ids = self.ids(inputs)
        return embedding_forward(ids, self.params["embeddings"]), ids

    def backward(self, dy, ids):
        self.grads["embeddings"] += embedding_backward(dy, ids, self.input_dim)
        return None                              # integer ids have no gradient

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "mask_zero": self.mask_zero}
