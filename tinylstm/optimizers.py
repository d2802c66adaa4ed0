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


class Optimizer:
    """The shared part: clipping, the ``iterations`` counter and the slot arrays.

    A subclass names its slots in ``slot_names`` and writes
    ``update_step(k, p, g, lr)``, which updates ``p`` in place.
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
        self.learning_rate = _check_number(learning_rate, "learning_rate", low=0.0)
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.name = name
        self.iterations = 0    # number of apply() calls so far
        self._slots = None     # {slot name: [array per param]}, built on first apply

    def apply(self, params, grads):
        """One update of every ``params[k]`` (in place) from ``grads[k]``."""
        params, grads = list(params), list(grads)
        self._check(params, grads)
        if self._slots is None:
            self._slots = {s: [np.zeros_like(p) for p in params] for s in self.slot_names}
        grads = [np.asarray(g, dtype=p.dtype) for p, g in zip(params, grads)]
        grads = self._clip(grads)
        for k, (p, g) in enumerate(zip(params, grads)):
            self.update_step(k, p, g, p.dtype.type(self.learning_rate))
        self.iterations += 1

    def update_step(self, k, p, g, lr):
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
        """Restore what ``state_arrays()`` returned (copies are taken)."""
        arrays = list(arrays)
        if not arrays:
            raise ValueError("set_state_arrays: expected [iterations, *slots], got []")
        iterations, slots = int(arrays[0]), arrays[1:]
        n_names = len(self.slot_names)
        if slots and (n_names == 0 or len(slots) % n_names):
            raise ValueError(f"set_state_arrays: expected a multiple of {n_names} slot "
                             f"arrays ({self.slot_names}), got {len(slots)}")
        self.iterations = iterations
        if not slots:
            self._slots = None
            return
        n = len(slots) // n_names
        self._slots = {s: [np.array(a, copy=True) for a in slots[i * n:(i + 1) * n]]
                       for i, s in enumerate(self.slot_names)}

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
        self.nesterov = bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum != 0 else ()

    def update_step(self, k, p, g, lr):
        if self.momentum == 0:
            p -= lr * g
            return
        mu = p.dtype.type(self.momentum)
        m = self._slots["momentum"][k]
        m[...] = mu * m - lr * g
        if self.nesterov:
            p += mu * m - lr * g
        else:
            p += m


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root-mean-square of past gradients.

    Notation: ``rho`` decay of the averages, ``mu`` momentum, ``v`` velocity (the
    mean square of g), ``a`` average gradient (centered only), ``m`` momentum slot;
    all slots start at zero.

        v <- rho * v + (1 - rho) * g^2
        a <- rho * a + (1 - rho) * g                  (centered=True)
        s  = v - a^2 + eps   if centered  else  v + eps
        u  = lr * g / sqrt(s)                         (eps inside the root)
        m <- mu * m + u;  p <- p - m                  (momentum > 0)
        p <- p - u                                    (momentum = 0)
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="rmsprop"):
        super().__init__(learning_rate, clipnorm, clipvalue, global_clipnorm, name)
        self.rho = _check_number(rho, "rho", low=0.0, high=1.0)
        self.momentum = _check_number(momentum, "momentum", low=0.0, high=1.0)
        self.epsilon = _check_number(epsilon, "epsilon", low=0.0)
        self.centered = bool(centered)
        self.slot_names = (("velocity",)
                           + (("momentum",) if self.momentum > 0 else ())
                           + (("average_gradient",) if self.centered else ()))

    def update_step(self, k, p, g, lr):
        dt = p.dtype.type
        rho, eps = dt(self.rho), dt(self.epsilon)
        v = self._slots["velocity"][k]
        v[...] = rho * v + (1 - rho) * np.square(g)
        if self.centered:
            a = self._slots["average_gradient"][k]
            a[...] = rho * a + (1 - rho) * g
            s = v - np.square(a) + eps
        else:
            s = v + eps
        u = lr * g / np.sqrt(s)
        if self.momentum > 0:
            m = self._slots["momentum"][k]
            m[...] = dt(self.momentum) * m + u
            p -= m
        else:
            p -= u


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
        self.beta_1 = _check_number(beta_1, "beta_1", low=0.0, high=1.0)
        self.beta_2 = _check_number(beta_2, "beta_2", low=0.0, high=1.0)
        self.epsilon = _check_number(epsilon, "epsilon", low=0.0)
        self.amsgrad = bool(amsgrad)
        self.slot_names = ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def update_step(self, k, p, g, lr):
        dt = p.dtype.type
        b1, b2, t = dt(self.beta_1), dt(self.beta_2), dt(self.iterations + 1)
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m, v = self._slots["momentum"][k], self._slots["velocity"][k]
        m += (g - m) * (1 - b1)
        v += (np.square(g) - v) * (1 - b2)
        if self.amsgrad:
            v_hat = self._slots["velocity_hat"][k]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        p -= alpha * m / (np.sqrt(v) + dt(self.epsilon))


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


def _check_number(value, arg, low=None, high=None):
    """``float(value)`` if it is a real number in [low, high], else a ValueError."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = np.isfinite(value) and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"`{arg}`: expected a number {bounds}, got {value!r}")
    return value
