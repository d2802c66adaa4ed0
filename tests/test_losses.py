"""Losses: values by hand, Keras' reduction on 2-D and 3-D shapes, gradients by
central differences in float64."""
import numpy as np
import pytest

from tinylstm import losses
from tinylstm.losses import (MeanAbsoluteError, MeanSquaredError, mean_absolute_error,
                             mean_absolute_error_grad, mean_squared_error,
                             mean_squared_error_grad)

Y_TRUE = np.array([[0.0, 1.0], [2.0, 3.0]])
Y_PRED = np.array([[1.0, 1.0], [2.0, 5.0]])


def test_values_by_hand():
    # squared errors [[1, 0], [0, 4]] -> row means [0.5, 2] -> 1.25
    assert mean_squared_error(Y_TRUE, Y_PRED) == 1.25
    # absolute errors [[1, 0], [0, 2]] -> row means [0.5, 1] -> 0.75
    assert mean_absolute_error(Y_TRUE, Y_PRED) == 0.75
    assert isinstance(mean_squared_error(Y_TRUE, Y_PRED), float)


def test_reduction_mean_over_last_axis_then_over_the_rest():
    rng = np.random.default_rng(0)
    for shape in [(4, 3), (2, 5, 3), (1, 1)]:
        y, yhat = rng.normal(size=shape), rng.normal(size=shape)
        per_sample = ((yhat - y) ** 2).sum(axis=-1) / shape[-1]           # (B,) or (B, T)
        np.testing.assert_allclose(mean_squared_error(y, yhat), per_sample.sum() / per_sample.size)
        per_sample = np.abs(yhat - y).sum(axis=-1) / shape[-1]
        np.testing.assert_allclose(mean_absolute_error(y, yhat), per_sample.sum() / per_sample.size)


def test_gradients_by_hand():
    np.testing.assert_allclose(mean_squared_error_grad(Y_TRUE, Y_PRED),
                               [[2 * 1 / 4, 0.0], [0.0, 2 * 2 / 4]])
    np.testing.assert_allclose(mean_absolute_error_grad(Y_TRUE, Y_PRED),
                               [[1 / 4, 0.0], [0.0, 1 / 4]])


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)])
@pytest.mark.parametrize("loss, grad", [(mean_squared_error, mean_squared_error_grad),
                                        (mean_absolute_error, mean_absolute_error_grad)])
def test_gradient_by_central_differences(shape, loss, grad):
    rng = np.random.default_rng(1)
    y = rng.normal(size=shape)
    yhat = y + rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 1.0, size=shape)  # |yhat-y| >= 0.1
    analytic = grad(y, yhat)
    numeric = np.zeros(shape)
    h = 1e-6
    for idx in np.ndindex(*shape):
        up, down = yhat.copy(), yhat.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (loss(y, up) - loss(y, down)) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-10)


def test_gradient_shape_and_dtype_follow_y_pred():
    y = np.zeros((2, 3, 4))                                  # float64 y_true
    yhat = np.ones((2, 3, 4), dtype=np.float32)
    for grad in (mean_squared_error_grad, mean_absolute_error_grad):
        g = grad(y, yhat)
        assert g.shape == (2, 3, 4) and g.dtype == np.float32


def test_shapes_must_match():
    with pytest.raises(ValueError, match=r"y_true \(2, 2\) and y_pred \(2, 2, 1\)"):
        mean_squared_error(Y_TRUE, Y_PRED[..., None])
    with pytest.raises(ValueError, match=r"\(4,\).*\(2, 2\)"):
        mean_absolute_error_grad(Y_TRUE.ravel(), Y_PRED)


def test_aliases_and_classes():
    assert losses.mse is losses.MSE is mean_squared_error
    assert losses.mae is losses.MAE is mean_absolute_error
    mse, mae = MeanSquaredError(), MeanAbsoluteError()
    assert mse(Y_TRUE, Y_PRED) == 1.25 and mae(Y_TRUE, Y_PRED) == 0.75
    np.testing.assert_array_equal(mse.grad(Y_TRUE, Y_PRED), mean_squared_error_grad(Y_TRUE, Y_PRED))
    assert mse.name == "mean_squared_error" and mae.name == "mean_absolute_error"


def test_get():
    for name in ("mean_squared_error", "mse", "MSE", "MeanSquaredError"):
        assert isinstance(losses.get(name), MeanSquaredError)
    for name in ("mean_absolute_error", "mae"):
        assert isinstance(losses.get(name), MeanAbsoluteError)
    loss = MeanAbsoluteError()
    assert losses.get(loss) is loss
    assert isinstance(losses.get(losses.mse), MeanSquaredError)

    def half_sse(y, yhat):
        return 0.5 * float(np.sum((yhat - y) ** 2))

    custom = losses.get((half_sse, lambda y, yhat: yhat - y))
    assert custom(Y_TRUE, Y_PRED) == 2.5
    np.testing.assert_array_equal(custom.grad(Y_TRUE, Y_PRED), Y_PRED - Y_TRUE)
    assert custom.name == "half_sse"

    with pytest.raises(ValueError, match="'huber'.*'mae'.*'mse'"):
        losses.get("huber")
    with pytest.raises(TypeError, match="no gradient"):
        losses.get(half_sse)
