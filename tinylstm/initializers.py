"""Weight initializers with Keras' names, defaults and formulas.

An initializer is called with a shape and gives an array of ``dtype or
config.dtype()``:

    w = GlorotUniform(seed=1)((D, 4 * H))      # (D, 4H)

Fans, as Keras computes them: for a 2-D shape ``(fan_in, fan_out)``; for 1-D
both are ``shape[0]``; for k-D (k > 2) both are multiplied by the receptive
field ``prod(shape[:-2])`` with ``fan_in = shape[-2]``, ``fan_out = shape[-1]``.

Variance scaling (Glorot, Lecun, He), with ``n`` = fan_in, fan_out or their mean:

    uniform:  U(-limit, limit),         limit  = sqrt(3 * scale / n)
    normal:   N(0, stddev^2) cut at 2 stddev, stddev = sqrt(scale / n) / 0.87962566103423978

(0.8796... is the std of a unit normal truncated to [-2, 2], so the truncated
draw ends with std sqrt(scale / n)). Glorot: scale 1, n = (fan_in + fan_out) / 2;
Lecun: scale 1, n = fan_in; He: scale 2, n = fan_in.

Randomness: as in Keras 3, an initializer made with an integer ``seed=n``
draws from a generator made anew from ``n`` at every call, so it gives the same
values each time it is called (with the same shape). Without a seed it draws
from ``tinylstm.utils.rng()``, the global generator that ``set_random_seed``
seeds, so successive calls differ.
Values are drawn in float64 and then cast, so float32 and float64 agree.
"""
import inspect
import math

import numpy as np

from tinylstm import config, serialization, utils


class Initializer:
    """Base: the random generator and the ``(shape, dtype)`` checks."""

    def __init__(self, seed=None):
        if seed is not None and (not isinstance(seed, (int, np.integer))
                                 or isinstance(seed, bool) or seed < 0):
            raise ValueError(f"{type(self).__name__}: `seed` expected a non-negative "
                             f"integer or None, got {seed!r}")
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = _check_shape(shape, type(self).__name__)
        dtype = np.dtype(dtype) if dtype is not None else config.dtype()
        return np.asarray(self.sample(shape), dtype=dtype).reshape(shape)

    def sample(self, shape):
        """The values, any float dtype; the subclass's one job."""
        raise NotImplementedError

    def rng(self):
        """A generator fresh from this initializer's seed if it has one, else the global one."""
        return utils.rng() if self.seed is None else utils.rng(int(self.seed))

    def get_config(self):
        """The constructor's arguments, as Keras 3 writes them (``{"seed": None}`` ...)."""
        params = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in params if name != "self"}

    @classmethod
    def from_config(cls, config):
        return cls(**serialization.constructor_kwargs(cls, config))

    def __repr__(self):
        return f"{type(self).__name__}(seed={self.seed})"


class Zeros(Initializer):
    """w = 0."""

    def __init__(self):
        super().__init__()

    def sample(self, shape):
        return np.zeros(shape)


class Ones(Initializer):
    """w = 1."""

    def __init__(self):
        super().__init__()

    def sample(self, shape):
        return np.ones(shape)


class Constant(Initializer):
    """w = value."""

    def __init__(self, value=0.0):
        super().__init__()
        self.value = value

    def sample(self, shape):
        return np.full(shape, self.value)


class RandomNormal(Initializer):
    """w ~ N(mean, stddev^2)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, shape):
        return self.rng().normal(self.mean, self.stddev, size=shape)


class RandomUniform(Initializer):
    """w ~ U(minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def sample(self, shape):
        return self.rng().uniform(self.minval, self.maxval, size=shape)


class TruncatedNormal(Initializer):
    """w ~ N(mean, stddev^2), values beyond 2 stddev of the mean drawn again."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, shape):
        return self.mean + self.stddev * _truncated_unit_normal(self.rng(), shape)


class VarianceScaling(Initializer):
    """Uniform or truncated normal with variance ``scale / n`` (see the module doc)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"VarianceScaling: `scale` expected a positive number, got {scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError("VarianceScaling: `mode` expected 'fan_in', 'fan_out' or "
                             f"'fan_avg', got {mode!r}")
        if distribution not in ("uniform", "truncated_normal"):
            raise ValueError("VarianceScaling: `distribution` expected 'uniform' or "
                             f"'truncated_normal', got {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def sample(self, shape):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * scale)
            return self.rng().uniform(-limit, limit, size=shape)
        stddev = math.sqrt(scale) / 0.87962566103423978
        return stddev * _truncated_unit_normal(self.rng(), shape)


class GlorotUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    """Truncated normal, std sqrt(2 / (fan_in + fan_out)) after truncation."""

    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class LecunUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(3 / fan_in)."""

    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "uniform", seed)


class LecunNormal(VarianceScaling):
    """Truncated normal, std sqrt(1 / fan_in) after truncation."""

    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / fan_in)."""

    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)


class HeNormal(VarianceScaling):
    """Truncated normal, std sqrt(2 / fan_in) after truncation."""

    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain``; Keras' algorithm.

        rows, cols = prod(shape[:-1]), shape[-1]
        a    ~ N(0, 1) of shape (max(rows, cols), min(rows, cols))
        q, r = qr(a)                          # q: (max, min), orthonormal columns
        q    = q * sign(diag(r))              # makes the draw uniform (Haar)
        w    = gain * (q if rows >= cols else q^T), reshaped to shape

    So w^T w = gain^2 I when rows >= cols, and w w^T = gain^2 I otherwise.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def sample(self, shape):
        if len(shape) < 2:
            raise ValueError("Orthogonal: expected a shape of rank >= 2, got "
                             f"{shape} of rank {len(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self.rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)                    # (max, min), (min, min)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T                               # (rows, cols)
        return self.gain * q


def compute_fans(shape):
    """``(fan_in, fan_out)`` of a weight shape, as Keras computes them."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _truncated_unit_normal(rng, shape):
    """N(0, 1) samples with every |x| > 2 drawn again until none is left."""
    x = rng.standard_normal(shape)
    bad = np.abs(x) > 2
    while bad.any():
        x[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(x) > 2
    return x


def _check_shape(shape, who):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if not (isinstance(shape, (tuple, list)) and all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0
            for d in shape)):
        raise ValueError(f"{who}: expected a shape, a tuple of non-negative integers, "
                         f"got {shape!r}")
    return tuple(int(d) for d in shape)


# Keras' lower-case names are the classes themselves: lecun_normal(seed=1) is an instance.
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal
he_uniform, he_normal = HeUniform, HeNormal
orthogonal = Orthogonal

_CLASSES = (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, LecunUniform, LecunNormal,
            HeUniform, HeNormal, Orthogonal)
_SNAKE = {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
          "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
          "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
          "glorot_normal": GlorotNormal, "lecun_uniform": LecunUniform,
          "lecun_normal": LecunNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
          "orthogonal": Orthogonal, "uniform": RandomUniform, "normal": RandomNormal}
_BY_NAME = {**_SNAKE, **{cls.__name__: cls for cls in _CLASSES}}


def serialize(initializer):
    """An initializer as Keras 3 writes it in a layer's config."""
    return serialization.serialize(initializer, "keras.initializers")


def deserialize(data):
    """The initializer a ``serialize`` dict (tinylstm's or Keras') describes."""
    return serialization.deserialize(data, {cls.__name__: cls for cls in _CLASSES}, "initializer")


def get(identifier):
    """An initializer instance from an instance (as is), a class, a Keras name
    (``"glorot_uniform"`` or ``"GlorotUniform"``) or a serialized config (a dict)."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown initializer {identifier!r}; expected one of "
                             f"{sorted(_SNAKE)} (or their CamelCase class names)")
        return _BY_NAME[identifier]()
    raise TypeError("Could not interpret initializer identifier: expected an Initializer "
                    f"instance or class, or one of {sorted(_SNAKE)}; got {identifier!r}")
