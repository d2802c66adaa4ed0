"""Optimizers: SGD, RMSprop and Adam with Keras 3's exact update rules.

Notation shared by every optimizer below:

    p        a parameter array (updated in place)
    g        its gradient, after clipping
    lr       learning rate (``optimizer.learning_rate``, a float you may change)
    t        the step number, 1 for the first call: ``t = iterations + 1``
    eps      epsilon, a small constant for numerical stability

An optimizer is given lists of arrays, never layers:

    optimizer.apply(params, grads)

updates every ``params[k]`` in place and keeps its slot state (momentum,
velocity, ...) for position ``k``. The slots are created, as zeros with the
params' shapes and dtypes, on the first call; the math runs in the params'
dtype, as in Keras.

Gradient clipping (at most one of the three, applied before the update):

    clipnorm=c          per tensor:  g <- g * c / max(||g||, c)
    global_clipnorm=c   all tensors: g_k <- g_k * c / max(sqrt(sum_k ||g_k||^2), c)
    clipvalue=c         elementwise: g <- clip(g, -c, c)
"""
import numpy as np

from . import atomic, validation


class Optimizer:
    """The shared part: clipping, the ``iterations`` counter and the slot arrays.

    A subclass names its slots in ``slot_names`` and writes
    ``update_step(p, g, slots, lr)``, which returns the new ``p`` and the new
    value of each slot without changing anything: ``apply`` checks every new
    value and then writes them all as one step.
    """

    slot_names = ()

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                f"be set. Received: clipnorm={clipnorm}, "
                f"clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm)):
            if value is not None:
                _check_number(value, arg, low=0.0)
        self.learning_rate = learning_rate
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.name = name
        self.iterations = 0    # number of apply() calls so far
        self._params = None    # the arrays this optimizer updates, fixed by the first apply
        self._slots = None     # {slot name: [array per param]}, built on first apply

    @property
    def learning_rate(self):
        """A finite number >= 0 that you may change between steps (ReduceLROnPlateau does)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = _check_number(value, "learning_rate", low=0.0)

    def apply(self, params, grads):
        """One update of every ``params[k]`` (in place) from ``grads[k]``, whole or not at all.

        The new params and slots are computed aside. If a gradient or any new
        value is NaN or infinite, FloatingPointError is raised and nothing has
        changed; else every array is written, and ``iterations`` counted, as one
        step that Ctrl-C cannot cut (see ``atomic.py``).
        """
        params, grads = list(params), list(grads)
        self._check(params, grads)
        with np.errstate(over="ignore"):            # an overflow is refused just below
            grads = [np.asarray(g, dtype=p.dtype) for p, g in zip(params, grads)]
        self._check_finite("grads", grads)
        slots = self._slots or {s: [np.zeros_like(p) for p in params] for s in self.slot_names}
        new_params, new_slots = [], {s: [] for s in self.slot_names}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # checked below
            grads = self._clip(grads)
            for k, (p, g) in enumerate(zip(params, grads)):
                new_p, new_s = self.update_step(p, g, {s: slots[s][k] for s in self.slot_names},
                                                p.dtype.type(self.learning_rate))
                new_params.append(new_p)
                for s in self.slot_names:
                    new_slots[s].append(new_s[s])
        self._check_finite("the new params", new_params)
        for s in self.slot_names:
            self._check_finite(f"the new {s!r} slots", new_slots[s])
        with atomic.interrupts_deferred():
            for p, new_p in zip(params, new_params):
                np.copyto(p, new_p)
            self._params, self._slots = params, new_slots
            self.iterations += 1

    def update_step(self, p, g, slots, lr):
        """(p, g, {slot name: array}, lr) -> (new p, {slot name: new array}); changes nothing."""
        raise NotImplementedError

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

    def state_arrays(self):
        """Copies of ``[iterations, *slots]``: the slots slot-name-major, then by param."""
        slots = [] if self._slots is None else [
            a.copy() for s in self.slot_names for a in self._slots[s]]
        return [np.array(self.iterations)] + slots

    def set_state_arrays(self, arrays):
        """Restore what ``state_arrays()`` returned (copies are taken); a refused call changes nothing."""
        arrays = list(arrays)
        if not arrays:
            raise ValueError("set_state_arrays: expected [iterations, *slots], got []")
        iterations, slots = int(arrays[0]), arrays[1:]
        n_names = len(self.slot_names)
        if slots and (n_names == 0 or len(slots) % n_names):
            raise ValueError(f"set_state_arrays: expected a multiple of {n_names} slot "
                             f"arrays ({self.slot_names}), got {len(slots)}")
        if slots and self._params is not None and len(slots) != n_names * len(self._params):
            raise ValueError(f"set_state_arrays: this optimizer updates {len(self._params)} "
                             f"params, so it needs {n_names * len(self._params)} slot arrays, "
                             f"got {len(slots)}")
        n = len(slots) // max(n_names, 1)
        new = {s: [np.array(a, copy=True) for a in slots[i * n:(i + 1) * n]]
               for i, s in enumerate(self.slot_names)} if slots else None
        if new and self._params is not None:
            for s in self.slot_names:
                for p, a in zip(self._params, new[s]):
                    if a.shape != p.shape:
                        raise ValueError(f"set_state_arrays: a {s!r} slot has shape {a.shape}, "
                                         f"its param {p.shape}")
        self.iterations, self._slots = iterations, new

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Notation: ``mu`` momentum, ``m`` the momentum slot (zeros at the start).

    momentum = 0:
        p <- p - lr * g
    momentum > 0:
        m <- mu * m - lr * g
        p <- p + m                            (nesterov=False)
        p <- p + mu * m - lr * g              (nesterov=True, with the new m)
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="sgd"):
        super().__init__(learning_rate, clipnorm, clipvalue, global_clipnorm, name)
        self.momentum = _check_number(momentum, "momentum", low=0.0, high=1.0)
        self.nesterov = validation.boolean("SGD", "nesterov", nesterov)
        self.slot_names = ("momentum",) if self.momentum != 0 else ()

    def update_step(self, p, g, slots, lr):
        if self.momentum == 0:
            return p - lr * g, {}
        mu = p.dtype.type(self.momentum)
        m = mu * slots["momentum"] - lr * g
        if self.nesterov:
            return p + (mu * m - lr * g), {"momentum": m}
        return p + m, {"momentum": m}


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root-mean-square of past gradients.

    Notation: ``rho`` decay of the averages, ``mu`` momentum, ``v`` velocity (the
    mean square of g), ``a`` average gradient (centered only), ``m`` momentum slot;
    all slots start at zero.

        v <- rho * v + (1 - rho) * g^2
        a <- rho * a + (1 - rho) * g                  (centered=True)
        s  = v - a^2  if centered  else  v
        u  = lr * g / sqrt(s + eps)                   (Keras 3, the default)
        u  = lr * g / (sqrt(s) + eps)                 (epsilon_outside_sqrt=True)
        m <- mu * m + u;  p <- p - m                  (momentum > 0)
        p <- p - u                                    (momentum = 0)

    ``epsilon_outside_sqrt=True`` is the update of Keras 2 (before 2.3, as the
    blog post ran it) and of ``torch.optim.RMSprop``: eps then only guards
    against a zero root, where Keras 3's eps inside the root also damps every
    gradient smaller than about sqrt(eps). (PyTorch keeps lr out of m, which is
    the same for a constant lr.)
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="rmsprop", epsilon_outside_sqrt=False):
        super().__init__(learning_rate, clipnorm, clipvalue, global_clipnorm, name)
        self.rho = _check_number(rho, "rho", low=0.0, high=1.0, high_open=True)
        self.momentum = _check_number(momentum, "momentum", low=0.0, high=1.0)
        self.epsilon = _check_number(epsilon, "epsilon", low=0.0, low_open=True)
        self.centered = validation.boolean("RMSprop", "centered", centered)
        self.epsilon_outside_sqrt = validation.boolean(
            "RMSprop", "epsilon_outside_sqrt", epsilon_outside_sqrt)
        self.slot_names = (("velocity",)
                           + (("momentum",) if self.momentum > 0 else ())
                           + (("average_gradient",) if self.centered else ()))

    def update_step(self, p, g, slots, lr):
        dt = p.dtype.type
        rho, eps = dt(self.rho), dt(self.epsilon)
        new = {"velocity": rho * slots["velocity"] + (1 - rho) * np.square(g)}
        s = new["velocity"]
        if self.centered:
            new["average_gradient"] = rho * slots["average_gradient"] + (1 - rho) * g
            s = s - np.square(new["average_gradient"])
        if self.epsilon_outside_sqrt:
            # v - a^2 >= 0 exactly (Cauchy-Schwarz); rounding may take it just below 0
            u = lr * g / (np.sqrt(np.maximum(s, 0) if self.centered else s) + eps)
        else:
            u = lr * g / np.sqrt(s + eps)
        if self.momentum > 0:
            new["momentum"] = dt(self.momentum) * slots["momentum"] + u
            return p - new["momentum"], new
        return p - u, new


class Adam(Optimizer):
    """Adam, with Keras' form of the bias correction (folded into the step size).

    Notation: ``m`` first moment, ``v`` second moment, ``v_hat`` running maximum
    of v (amsgrad only), all starting at zero; ``t = iterations + 1``.

        alpha  = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        m     <- m + (g - m) * (1 - beta_1)
        v     <- v + (g^2 - v) * (1 - beta_2)
        v_hat <- max(v_hat, v);  v = v_hat            (amsgrad=True)
        p     <- p - alpha * m / (sqrt(v) + eps)      (eps outside the root)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adam"):
        super().__init__(learning_rate, clipnorm, clipvalue, global_clipnorm, name)
        self.beta_1 = _check_number(beta_1, "beta_1", low=0.0, high=1.0, high_open=True)
        self.beta_2 = _check_number(beta_2, "beta_2", low=0.0, high=1.0, high_open=True)
        self.epsilon = _check_number(epsilon, "epsilon", low=0.0, low_open=True)
        self.amsgrad = validation.boolean("Adam", "amsgrad", amsgrad)
        self.slot_names = ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def update_step(self, p, g, slots, lr):
        dt = p.dtype.type
        b1, b2, t = dt(self.beta_1), dt(self.beta_2), dt(self.iterations + 1)
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m = slots["momentum"] + (g - slots["momentum"]) * (1 - b1)
        v = slots["velocity"] + (np.square(g) - slots["velocity"]) * (1 - b2)
        new = {"momentum": m, "velocity": v}
        if self.amsgrad:
            v = new["velocity_hat"] = np.maximum(slots["velocity_hat"], v)
        return p - alpha * m / (np.sqrt(v) + dt(self.epsilon)), new


_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get(identifier):
    """An ``Optimizer`` instance as is, or a fresh one with defaults from a Keras name."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer {identifier!r}; expected one of "
                             f"{sorted(_BY_NAME)} or an Optimizer instance")
        return cls()
    raise TypeError("Could not interpret optimizer identifier: expected an Optimizer "
                    f"instance or one of {sorted(_BY_NAME)}, got {type(identifier).__name__}")


def _check_number(value, arg, low=None, high=None, low_open=False, high_open=False):
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
