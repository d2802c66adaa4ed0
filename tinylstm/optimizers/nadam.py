"""Nadam: ``keras.optimizers.Nadam``, Adam with Nesterov momentum (Dozat, 2016)."""
import numpy as np

from .optimizer import Optimizer, check_number


class Nadam(Optimizer):
    """Nadam, with Keras 3's momentum schedule.

    Notation: ``t = iterations + 1``; ``u_t`` the momentum at step t; ``P`` the
    running product of the u's (``u_product``, 1 at the start, one per optimizer);
    ``m``, ``v`` the moments (zeros at the start).

        u_t     = beta_1 * (1 - 0.5 * 0.96^t)
        u_{t+1} = beta_1 * (1 - 0.5 * 0.96^(t+1))
        P_t     = P_{t-1} * u_t                       (kept for the next step)
        m      <- m + (g - m) * (1 - beta_1)
        v      <- v + (g^2 - v) * (1 - beta_2)
        m_hat   = u_{t+1} * m / (1 - P_t * u_{t+1}) + (1 - u_t) * g / (1 - P_t)
        v_hat   = v / (1 - beta_2^t)
        p      <- p - lr * m_hat / (sqrt(v_hat) + eps)
    """

    keras_slot_groups = (("momentum", "velocity"),)
    slot_names = ("momentum", "velocity")
    scalar_names = ("u_product",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="nadam"):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)
        self.beta_1 = check_number(beta_1, "beta_1", low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_number(beta_2, "beta_2", low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number(epsilon, "epsilon", low=0.0, low_open=True)

    def _u(self, t, dt):
        """u_t = beta_1 * (1 - 0.5 * 0.96^t), in the params' float type."""
        return dt(self.beta_1) * (dt(1.0) - dt(0.5) * dt(0.96) ** dt(t))

    def initial_scalar(self, name, dtype):
        return dtype.type(1.0)

    def next_scalars(self, dtype):
        dt = dtype.type
        return {"u_product": dt(self._scalars["u_product"]) * self._u(self.iterations + 1, dt)}

    def update_step(self, p, g, slots, lr):
        dt = p.dtype.type
        t = self.iterations + 1
        u_t, u_next = self._u(t, dt), self._u(t + 1, dt)
        P_t = self.next_scalars(p.dtype)["u_product"]
        b1, b2 = dt(self.beta_1), dt(self.beta_2)
        m = slots["momentum"] + (g - slots["momentum"]) * (1 - b1)
        v = slots["velocity"] + (np.square(g) - slots["velocity"]) * (1 - b2)
        m_hat = u_next * m / (1 - P_t * u_next) + (1 - u_t) * g / (1 - P_t)
        v_hat = v / (1 - b2 ** dt(t))
        return p - m_hat * lr / (np.sqrt(v_hat) + dt(self.epsilon)), {"momentum": m, "velocity": v}

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
