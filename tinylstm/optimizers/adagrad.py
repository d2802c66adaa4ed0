"""Adagrad: ``keras.optimizers.Adagrad``."""
import numpy as np

from .optimizer import Optimizer, check_number


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): each weight's step shrinks with its summed squared gradients.

    Notation: ``acc`` the accumulator, starting at ``initial_accumulator_value``.

        acc <- acc + g^2
        p   <- p - lr * g / sqrt(acc + eps)          (eps inside the root, as Keras 3)
    """

    keras_slot_groups = (("accumulator",),)
    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adagrad"):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)
        self.initial_accumulator_value = check_number(
            initial_accumulator_value, "initial_accumulator_value", low=0.0)
        self.epsilon = check_number(epsilon, "epsilon", low=0.0, low_open=True)

    def initial_slot(self, name, p):
        return np.full_like(p, self.initial_accumulator_value)

    def update_step(self, p, g, slots, lr):
        acc = slots["accumulator"] + np.square(g)
        return p - lr * g / np.sqrt(acc + p.dtype.type(self.epsilon)), {"accumulator": acc}

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
