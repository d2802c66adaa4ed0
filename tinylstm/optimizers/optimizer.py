"""The part every optimizer shares: learning rate, weight decay, clipping, state, one whole step.

Notation used by every optimizer of this package:

    p        a parameter array (updated in place)
    g        its gradient, after clipping
    lr       the learning rate of this step: ``optimizer.learning_rate``, a
             float of Keras' float type (``config.floatx()`` when the optimizer
             was made), or a schedule's value at ``iterations``
    t        the step number, 1 for the first call: ``t = iterations + 1``
    eps      epsilon, a small constant for numerical stability
    wd       weight_decay

An optimizer is given lists of arrays, never layers:

    optimizer.apply(params, grads)

updates every ``params[k]`` in place and keeps its slot state (momentum,
velocity, ...) for position ``k``. The slots are created with the params'
shapes and dtypes on the first call; the math runs in the params' dtype, as
in Keras. One step, in Keras 3's order:

    lr = learning_rate(iterations)                 a schedule is read before the count moves
    g  = clip(g)                                   at most one of the three below
    p <- p - p * wd * lr                           weight_decay set (every weight, biases too)
    p, slots <- update_step(p, g, slots, lr)       the optimizer's own rule
    iterations <- iterations + 1

Gradient clipping:

    clipnorm=c          per tensor:  g <- g * c / max(||g||, c)
    global_clipnorm=c   all tensors: g_k <- g_k * c / max(sqrt(sum_k ||g_k||^2), c)
    clipvalue=c         elementwise: g <- clip(g, -c, c)
"""
import numpy as np

from .. import atomic, config, serialization
from . import schedules


class Optimizer:
    """Base class: learning rate, clipping, weight decay, ``iterations`` and the slot arrays.

    A subclass names its slots in ``slot_names`` (and optimizer-wide scalars in
    ``scalar_names``) and writes ``update_step(p, g, slots, lr)``, which returns
    the new ``p`` and the new value of each slot without changing anything:
    ``apply`` checks every new value and then writes them all as one step.
    ``keras_slot_groups`` says how Keras 3 lists the same slots in its files.
    """

    slot_names = ()
    scalar_names = ()
    keras_slot_groups = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                f"be set. Received: clipnorm={clipnorm}, "
                f"clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm), ("weight_decay", weight_decay)):
            if value is not None:
                check_number(value, arg, low=0.0)
        self._lr_dtype = config.dtype()            # Keras: the rate is a variable of floatx
        self._learning_rate = None
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.name = name or type(self).__name__.lower()
        self.iterations = 0    # number of apply() calls so far
        self._params = None    # the arrays this optimizer updates, fixed by the first apply
        self._slots = None     # {slot name: [array per param]}, built on first apply
        self._scalars = None   # {scalar name: value}, built on first apply

    # -- the learning rate -------------------------------------------------------------
    @property
    def learning_rate(self):
        """The rate of the next step, a NumPy float of ``config.floatx()`` at construction
        (Keras keeps it in a variable of that type): the number you set, rounded to that
        type, or the schedule's value at ``iterations``."""
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return self._learning_rate(self.iterations)
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        """A finite number >= 0 that you may change between steps (ReduceLROnPlateau does),
        or a ``LearningRateSchedule``; a schedule's rate cannot be set, as in Keras."""
        if isinstance(value, schedules.LearningRateSchedule):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument.")
        value = check_number(value, "learning_rate", low=0.0)
        self._learning_rate = self._lr_dtype.type(value)

    # -- one step ----------------------------------------------------------------------
    def apply(self, params, grads):
        """One update of every ``params[k]`` (in place) from ``grads[k]``, whole or not at all.

        The new params and slots are computed aside. If a gradient or any new
        value is NaN or infinite, FloatingPointError is raised and nothing has
        changed; else every array is written, and ``iterations`` counted, as one
        step that Ctrl-C cannot cut (see ``atomic.py``).
        """
        params, grads = list(params), list(grads)
        self._check(params, grads)
        with np.errstate(over="ignore"):            # an overflow is refused below
            grads = [np.asarray(g, dtype=p.dtype) for p, g in zip(params, grads)]
        lr = self.learning_rate                      # read once, before iterations moves
        slots = self._slots or {s: [self.initial_slot(s, p) for p in params]
                                for s in self.slot_names}
        if self._scalars is None and params:
            self._scalars = {s: self.initial_scalar(s, params[0].dtype) for s in self.scalar_names}
        new = self._fast_update(params, grads, slots, lr)
        new_params, new_slots, new_scalars = new if new is not None else (
            self._checked_update(params, grads, slots, lr))
        with atomic.interrupts_deferred():
            for p, new_p in zip(params, new_params):
                np.copyto(p, new_p)
            self._params, self._slots = params, new_slots
            self._scalars.update(new_scalars)
            self.iterations += 1

    def _fast_update(self, params, grads, slots, lr):
        """(new params, new slots, new scalars) as ``_checked_update`` gives them, the same
        bits, when every grad and new value is finite; None otherwise, or where a subclass
        has no faster way (here: never)."""
        return None

    def _checked_update(self, params, grads, slots, lr):
        """(new params, new slots, new scalars) of this step by ``update_step``, param by
        param; FloatingPointError if a grad or a new value is NaN or infinite."""
        self._check_finite("grads", grads)
        new_params, new_slots = [], {s: [] for s in self.slot_names}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # checked below
            grads = self._clip(grads)
            new_scalars = self.next_scalars(params[0].dtype) if params else {}
            for k, (p, g) in enumerate(zip(params, grads)):
                dt = p.dtype.type
                if self.weight_decay is not None:
                    p = p - p * dt(self.weight_decay) * dt(lr)
                new_p, new_s = self.update_step(p, g, {s: slots[s][k] for s in self.slot_names},
                                                dt(lr))
                new_params.append(new_p)
                for s in self.slot_names:
                    new_slots[s].append(new_s[s])
        self._check_finite("the new params", new_params)
        for s in self.slot_names:
            self._check_finite(f"the new {s!r} slots", new_slots[s])
        self._check_finite("the new scalars", [np.asarray(v) for v in new_scalars.values()])
        return new_params, new_slots, new_scalars

    def update_step(self, p, g, slots, lr):
        """(p, g, {slot name: array}, lr) -> (new p, {slot name: new array}); changes nothing."""
        raise NotImplementedError

    def initial_slot(self, name, p):
        """The value a slot starts from: zeros, unless the optimizer says otherwise."""
        return np.zeros_like(p)

    def initial_scalar(self, name, dtype):
        raise NotImplementedError

    def next_scalars(self, dtype):
        """The optimizer-wide scalars after this step, computed aside ({} for most)."""
        return {}

    def _clip(self, grads):
        if self.clipnorm:       # 0 and None both mean "off", as in Keras
            c = self.clipnorm
            return [g * g.dtype.type(c / max(float(np.sqrt(np.sum(g * g))), c))
                    for g in grads]
        if self.global_clipnorm:
            c = self.global_clipnorm
            norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
            return [g * g.dtype.type(c / max(norm, c)) for g in grads]
        if self.clipvalue:
            c = self.clipvalue
            return [np.clip(g, -c, c) for g in grads]
        return grads

    def _check_finite(self, what, arrays):
        for k, a in enumerate(arrays):
            if not np.isfinite(a).all():
                raise FloatingPointError(
                    f"{type(self).__name__}.apply: {what}[{k}] would hold "
                    f"{int((~np.isfinite(a)).sum())} NaN or infinite value(s) "
                    f"({self!r}); nothing was changed")

    # -- which arrays ------------------------------------------------------------------
    def check_params(self, params):
        """Refuse ``params`` unless they are the arrays this optimizer was built for (if built).

        Keras 3 refuses too: one optimizer keeps one set of moments, so it cannot
        train two models (or a model whose trainable weights changed).
        """
        if self._params is None:
            return
        params = list(params)
        if len(params) != len(self._params) or any(a is not b for a, b in zip(params, self._params)):
            raise ValueError(
                f"{type(self).__name__}: this optimizer was built for params of shapes "
                f"{[p.shape for p in self._params]} and holds their moments; it was given other "
                f"arrays (shapes {[np.shape(p) for p in params]}): create a new optimizer for "
                "another model or another set of params")

    def _check(self, params, grads):
        if len(params) != len(grads):
            raise ValueError(f"{type(self).__name__}.apply: expected as many grads as "
                             f"params, got {len(params)} params and {len(grads)} grads")
        for k, (p, g) in enumerate(zip(params, grads)):
            if not isinstance(p, np.ndarray):
                raise TypeError(f"{type(self).__name__}.apply: params[{k}] must be a "
                                f"NumPy array (it is updated in place), got {type(p).__name__}")
            if np.shape(g) != p.shape:
                raise ValueError(f"{type(self).__name__}.apply: grads[{k}] has shape "
                                 f"{np.shape(g)}, expected the shape of params[{k}], {p.shape}")
        self.check_params(params)
        if self._slots and self.slot_names:
            built = [s.shape for s in self._slots[self.slot_names[0]]]
            if built != [p.shape for p in params]:
                raise ValueError(
                    f"{type(self).__name__}.apply: this optimizer was built for params of "
                    f"shapes {built}, got {[p.shape for p in params]}; "
                    "create a new optimizer for a new set of params")

    # -- state -------------------------------------------------------------------------
    def state_arrays(self):
        """Copies of ``[iterations, *slots, *scalars]``: the slots slot-name-major, then by
        param; the scalars (Nadam's ``u_product``) last."""
        slots = [] if self._slots is None else [
            a.copy() for s in self.slot_names for a in self._slots[s]]
        scalars = [] if self._scalars is None else [
            np.array(self._scalars[s]) for s in self.scalar_names]
        return [np.array(self.iterations)] + slots + scalars

    def set_state_arrays(self, arrays):
        """Restore what ``state_arrays()`` returned (copies are taken); a refused call changes nothing."""
        arrays = list(arrays)
        if not arrays:
            raise ValueError("set_state_arrays: expected [iterations, *slots], got []")
        iterations, rest = int(arrays[0]), arrays[1:]
        n_scalars = len(self.scalar_names) if rest else 0
        slots, scalars = rest[:len(rest) - n_scalars], rest[len(rest) - n_scalars:]
        n_names = len(self.slot_names)
        if slots and (n_names == 0 or len(slots) % n_names):
            raise ValueError(f"set_state_arrays: expected a multiple of {n_names} slot "
                             f"arrays ({self.slot_names}), got {len(slots)}")
        if rest and self._params is not None and len(slots) != n_names * len(self._params):
            raise ValueError(f"set_state_arrays: this optimizer updates {len(self._params)} "
                             f"params, so it needs {n_names * len(self._params)} slot arrays, "
                             f"got {len(slots)}")
        n = len(slots) // max(n_names, 1)
        new = {s: [np.array(a, copy=True) for a in slots[i * n:(i + 1) * n]]
               for i, s in enumerate(self.slot_names)} if rest else None
        if new and self._params is not None:
            for s in self.slot_names:
                for p, a in zip(self._params, new[s]):
                    if a.shape != p.shape:
                        raise ValueError(f"set_state_arrays: a {s!r} slot has shape {a.shape}, "
                                         f"its param {p.shape}")
        new_scalars = ({s: np.asarray(a)[()] for s, a in zip(self.scalar_names, scalars)}
                       if rest else None)
        self.iterations, self._slots, self._scalars = iterations, new, new_scalars

    # -- config ------------------------------------------------------------------------
    def get_config(self):
        """The constructor's arguments under Keras 3's names; a schedule as its serialized dict."""
        lr = self._learning_rate
        return {"name": self.name,
                "learning_rate": (schedules.serialize(lr)
                                  if isinstance(lr, schedules.LearningRateSchedule) else float(lr)),
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config):
        """The optimizer ``get_config`` describes (Keras' configs too; see ``serialization``)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**serialization.constructor_kwargs(cls, config))

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


def check_number(value, arg, low=None, high=None, low_open=False, high_open=False):
    """``float(value)`` if it is a real, finite number in the interval, else a ValueError."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = (np.isfinite(value)
              and (low is None or (value > low if low_open else value >= low))
              and (high is None or (value < high if high_open else value <= high)))
    if not ok:
        if high is None:
            bounds = f"{'>' if low_open else '>='} {low}"
        else:
            bounds = f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"`{arg}`: expected a finite number {bounds}, got {value!r}")
    return value
