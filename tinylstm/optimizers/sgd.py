"""SGD: ``keras.optimizers.SGD``."""
from .. import validation
from .optimizer import Optimizer, check_number


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Notation: ``mu`` momentum, ``m`` the momentum slot (zeros at the start).

    momentum = 0:
        p <- p - lr * g
    momentum > 0:
        m <- mu * m - lr * g
        p <- p + m                            (nesterov=False)
        p <- p + mu * m - lr * g              (nesterov=True, with the new m)

    Example: ``model.compile(optimizer=SGD(learning_rate=0.1, momentum=0.9), loss="mse")``.
    """

    keras_slot_groups = (("momentum",),)

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="sgd"):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)
        self.momentum = check_number(momentum, "momentum", low=0.0, high=1.0)
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

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
