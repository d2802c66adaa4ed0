"""Learning-rate schedules: ``keras.optimizers.schedules``, a learning rate that follows the step.

Give one as an optimizer's ``learning_rate``:

    lr = ExponentialDecay(initial_learning_rate=0.01, decay_steps=100, decay_rate=0.5)
    model.compile(optimizer=Adam(learning_rate=lr), loss="mse")

The optimizer calls ``schedule(step)`` with ``step = optimizer.iterations``
before it counts the step, so the first update uses ``schedule(0)``, as in
Keras 3. Notation: ``s`` the step, ``lr0`` initial_learning_rate, ``N``
decay_steps. The arithmetic runs in ``config.floatx()`` (Keras makes a
Python float a tensor of that type), so the rates are Keras' to the last bit
but for the rounding of ``pow`` and ``cos``.
"""
import math

import numpy as np

from .. import config, serialization


class LearningRateSchedule:
    """Base class: ``schedule(step)`` gives the learning rate at that optimizer step."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        """The schedule ``get_config`` describes."""
        return cls(**serialization.constructor_kwargs(cls, config))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class ExponentialDecay(LearningRateSchedule):
    """lr = lr0 * decay_rate ^ (s / N), the exponent floored when ``staircase=True``.

    Example: ``ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)`` halves the
    rate every 10 steps, smoothly (0.1 at step 0, 0.05 at step 10, 0.025 at 20).
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate = _number(self, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(self, "decay_steps", decay_steps)
        self.decay_rate = _number(self, "decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step):
        dt = config.dtype().type
        p = dt(step) / dt(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return dt(self.initial_learning_rate) * dt(self.decay_rate) ** p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while s <= boundaries[0], values[k] while boundaries[k-1] < s <= boundaries[k],
    values[-1] after the last boundary.

    Example: ``PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001])``: 0.1 for the
    steps 0 to 100, 0.01 up to step 200, then 0.001.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase, got {boundaries}")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        dt = config.dtype().type
        k = int(np.searchsorted(self.boundaries, step, side="left"))   # first b with s <= b
        return dt(self.values[k])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Half a cosine from lr0 down to alpha * lr0 over N steps, then flat; optionally a
    linear warmup first.

        no warmup:  s' = min(s, N)
                    lr = lr0 * ((1 - alpha) * (1 + cos(pi s' / N)) / 2 + alpha)
        warmup:     s' = min(s, W + N), W = warmup_steps, lr1 = warmup_target
                    s' < W:   lr = (lr1 - lr0) * s' / W + lr0
                    else:     lr = lr1 * ((1 - alpha) * (1 + cos(pi (s' - W) / N)) / 2 + alpha)
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = _number(self, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(self, "decay_steps", decay_steps)
        self.alpha = _number(self, "alpha", alpha)
        self.name = name
        self.warmup_target = (None if warmup_target is None
                              else _number(self, "warmup_target", warmup_target))
        self.warmup_steps = warmup_steps
        if self.warmup_target is not None:
            _positive(self, "warmup_steps", warmup_steps)

    def _decay(self, s, lr, dt):
        cosine = dt(0.5) * (dt(1.0) + np.cos(dt(math.pi) * (s / dt(self.decay_steps))))
        return lr * (dt(1.0 - self.alpha) * cosine + dt(self.alpha))   # Keras: (1 - alpha) in Python

    def __call__(self, step):
        dt = config.dtype().type
        lr0, N, s = dt(self.initial_learning_rate), dt(self.decay_steps), dt(step)
        if self.warmup_target is None:
            return self._decay(min(s, N), lr0, dt)
        lr1, W = dt(self.warmup_target), dt(self.warmup_steps)
        s = min(s, N + W)
        if s < W:
            return (lr1 - lr0) * (s / W) + lr0
        return self._decay(s - W, lr1, dt)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


_CLASSES = {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay, CosineDecay)}


def serialize(schedule):
    """A schedule as Keras 3 writes it in an optimizer's config."""
    return serialization.serialize(schedule, "keras.optimizers.schedules")


def deserialize(data):
    """The schedule a ``serialize`` dict describes (Keras' too)."""
    return serialization.deserialize(data, _CLASSES, "learning rate schedule")


def _number(schedule, name, value):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value < 0:
        raise ValueError(f"{type(schedule).__name__}: `{name}` expected a finite number >= 0, "
                         f"got {value!r}")
    return value


def _positive(schedule, name, value):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not value > 0:
        raise ValueError(f"{type(schedule).__name__}: Argument `{name}` must be > 0. "
                         f"Received: {name}={value!r}")
    return value
