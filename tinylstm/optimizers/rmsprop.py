"""RMSprop: ``keras.optimizers.RMSprop``, and the update of Keras 2 and PyTorch on request."""
import numpy as np

from .. import validation
from .optimizer import Optimizer, check_number


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
    the same for a constant lr.) Keras 3 has no such argument: a model saved
    with it opens in tinylstm only.
    """

    keras_slot_groups = (("velocity",), ("momentum",), ("average_gradient",))

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="rmsprop", epsilon_outside_sqrt=False):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)
        self.rho = check_number(rho, "rho", low=0.0, high=1.0, high_open=True)
        self.momentum = check_number(momentum, "momentum", low=0.0, high=1.0)
        self.epsilon = check_number(epsilon, "epsilon", low=0.0, low_open=True)
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

    def get_config(self):
        config = {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                  "epsilon": self.epsilon, "centered": self.centered}
        if self.epsilon_outside_sqrt:          # tinylstm's own key, written only when it is used
            config["epsilon_outside_sqrt"] = True
        return config
