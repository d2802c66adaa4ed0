"""Adam and AdamW: ``keras.optimizers.Adam`` and ``keras.optimizers.AdamW``."""
import numpy as np

from .. import config, validation
from .optimizer import Optimizer, check_number


class Adam(Optimizer):
    """Adam, with Keras' form of the bias correction (folded into the step size).

    Notation: ``m`` first moment, ``v`` second moment, ``v_hat`` running maximum
    of v (amsgrad only), all starting at zero; ``t = iterations + 1``.

        alpha  = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        m     <- m + (g - m) * (1 - beta_1)
        v     <- v + (g^2 - v) * (1 - beta_2)
        v_hat <- max(v_hat, v);  v = v_hat            (amsgrad=True)
        p     <- p - alpha * m / (sqrt(v) + eps)      (eps outside the root)

    Example: ``model.compile(optimizer=Adam(learning_rate=1e-3), loss="mse")``.
    """

    keras_slot_groups = (("momentum", "velocity"), ("velocity_hat",))

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adam"):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)
        self.beta_1 = check_number(beta_1, "beta_1", low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_number(beta_2, "beta_2", low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number(epsilon, "epsilon", low=0.0, low_open=True)
        self.amsgrad = validation.boolean(type(self).__name__, "amsgrad", amsgrad)
        self.slot_names = ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def update_step(self, p, g, slots, lr):
        dt = p.dtype.type
        b1, b2, alpha = dt(self.beta_1), dt(self.beta_2), self._step_size(dt, lr)
        m = slots["momentum"] + (g - slots["momentum"]) * (1 - b1)
        v = slots["velocity"] + (np.square(g) - slots["velocity"]) * (1 - b2)
        new = {"momentum": m, "velocity": v}
        if self.amsgrad:
            v = new["velocity_hat"] = np.maximum(slots["velocity_hat"], v)
        return p - alpha * m / (np.sqrt(v) + dt(self.epsilon)), new

    def _step_size(self, dt, lr):
        """alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t), in the float type dt."""
        b1, b2, t = dt(self.beta_1), dt(self.beta_2), dt(self.iterations + 1)
        return dt(lr) * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)

    def _fast_update(self, params, grads, slots, lr):
        """On the numba path, plain Adam (no amsgrad, weight decay or clipping) on params of
        one float type: ``adam_numba.update``, the bits of ``update_step`` in one pass per
        param, which also tells whether all is finite (else the checked way says what is not)."""
        if (config.backend() != "numba" or self.amsgrad or self.weight_decay is not None
                or self.clipnorm or self.clipvalue or self.global_clipnorm or not params
                or len({p.dtype for p in params}) != 1):
            return None
        from . import adam_numba          # imported on first use: it imports numba
        dt = params[0].dtype.type
        b1, b2 = dt(self.beta_1), dt(self.beta_2)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            alpha = self._step_size(dt, lr)
        new = adam_numba.update(params, grads, slots["momentum"], slots["velocity"],
                                1 - b1, 1 - b2, alpha, dt(self.epsilon))
        if new is None:
            return None
        new_params, momentum, velocity = new
        return new_params, {"momentum": momentum, "velocity": velocity}, {}

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as Keras 3 computes it.

    Before each Adam step, every trainable weight, biases included, shrinks:

        p <- p - p * wd * lr          (wd = weight_decay, lr this step's rate)

    then the Adam update above runs on the shrunk p. ``weight_decay`` must be
    a number (Keras' default 0.004).
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adamw"):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, name)
