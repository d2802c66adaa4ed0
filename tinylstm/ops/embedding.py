"""Embedding: a lookup table, and the scatter-add that is its gradient.

Symbols: V rows of the table (``input_dim``), F features per row (``output_dim``).

    (1)  y[...] = E[ids[...]]          ids (...) integers in [0, V), E (V, F) -> y (..., F)
    (2)  dE[v] = sum of dy[...] over every position where ids[...] == v

(2) is (1) backwards: a row used n times gets the sum of its n gradients, and a
row not used gets none. ``np.add.at`` adds at repeated indices (a plain
``dE[ids] += dy`` would keep only one of them). The integer ids have no gradient.
"""
import numpy as np


def embedding_forward(ids, embeddings):
    """(1): ids (...) int, embeddings (V, F) -> (..., F)."""
    return embeddings[ids]


def embedding_backward(dy, ids, n_rows):
    """(2): dy (..., F) -> dembeddings (V, F)."""
    dE = np.zeros((n_rows, dy.shape[-1]), dy.dtype)
    np.add.at(dE, ids, dy)
    return dE
