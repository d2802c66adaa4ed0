"""Generating a sequence one step at a time from a trained model, with temperature.

A language model gives, at every step, probabilities p over the K symbols for the
next one. To write text, draw a symbol, feed it back, repeat. The temperature T
reshapes p before the draw:

    p_T(k) = p_k^(1/T) / sum_j p_j^(1/T)  =  softmax(log p / T)_k

T = 1 draws from the model as it is; T < 1 sharpens p towards its most likely
symbols (safer, more repetitive text); T > 1 flattens it (more surprise, more
mistakes); T -> 0 is the argmax, which ``temperature=0`` means.

Feeding the drawn symbol back needs the model's state from the steps before: a
model whose recurrent layers are ``stateful=True`` on batches of 1
(``Input(batch_shape=(1, None))``) keeps it between calls, so each call reads one
new step. Build it with the trained model's layers' arguments and copy the
weights (``step_model.set_weights(model.get_weights())``): the weights are the
same, only the batch and the state differ.
"""
import numpy as np

from . import utils, validation


def sample(probabilities, temperature=1.0, rng=None):
    """One index per row of ``probabilities`` (..., K), drawn from p^(1/T), normalized;
    ``temperature=0`` takes the argmax. ``rng``: a NumPy Generator (default: tinylstm's)."""
    p = np.asarray(probabilities, dtype=np.float64)
    temperature = validation.non_negative_number("sample", "temperature", temperature)
    if p.ndim == 0 or p.shape[-1] == 0 or np.any(p < 0) or not np.all(np.isfinite(p)):
        raise ValueError(f"sample: expected probabilities (..., K) >= 0, got an array of shape "
                         f"{p.shape} with values from {p.min() if p.size else None} to "
                         f"{p.max() if p.size else None}")
    if np.any(p.sum(axis=-1) == 0):
        raise ValueError("sample: a row of probabilities sums to 0: nothing can be drawn")
    if temperature == 0:
        return p.argmax(axis=-1)
    with np.errstate(divide="ignore"):
        z = np.log(p) / temperature                              # (..., K), -inf where p = 0
    q = np.exp(z - z.max(axis=-1, keepdims=True))
    q /= q.sum(axis=-1, keepdims=True)
    rng = rng or utils.rng()
    u = rng.random(q.shape[:-1] + (1,))                          # one uniform draw per row
    return np.minimum((q.cumsum(axis=-1) < u).sum(axis=-1), q.shape[-1] - 1)


def stateful_layers(model):
    """The model's layers that keep their state between calls."""
    return [layer for layer in model.layers if getattr(layer, "stateful", False)]


def generate(step_model, primer, steps, temperature=1.0, rng=None):
    """Continue ``primer`` (a 1-D sequence of ids) by ``steps`` ids drawn one at a time.

    ``step_model`` reads ids (1, t) and gives probabilities (1, t, K) (or (1, K) for the
    last step); its recurrent layers are stateful with batch 1. Their state is reset
    first; the primer goes in as one call, then every drawn id as a call of one step.
    Returns the ``steps`` drawn ids.
    """
    layers = stateful_layers(step_model)
    if not layers:
        raise ValueError(f"generate: model '{step_model.name}' has no stateful layer, so each "
                         "call would start from a zero state; build it with stateful=True and "
                         "Input(batch_shape=(1, None))")
    primer = np.asarray(primer)
    if primer.ndim != 1 or primer.size == 0:
        raise ValueError(f"generate: `primer` expected a 1-D sequence of at least one id, "
                         f"got shape {primer.shape}")
    steps = validation.non_negative_int("generate", "steps", steps)
    for layer in layers:
        layer.reset_state()
    drawn, feed = [], primer[None, :]                            # (1, t)
    for _ in range(steps):
        p = step_model.predict(feed, batch_size=1, verbose=0)
        last = p[0, -1] if p.ndim == 3 else p[0]                 # (K,) for the next id
        drawn.append(int(sample(last, temperature, rng)))
        feed = np.array([[drawn[-1]]])                           # (1, 1)
    return drawn
