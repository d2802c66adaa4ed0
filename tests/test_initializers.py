"""Initializers: shapes, dtypes, bounds and statistics, orthogonality, seeding."""
import math

import numpy as np
import pytest

from tinylstm import config, initializers
from tinylstm.initializers import (Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform,
                                   LecunNormal, LecunUniform, Ones, Orthogonal, RandomNormal,
                                   RandomUniform, TruncatedNormal, Zeros)
from tinylstm.utils import set_random_seed

ALL = [Zeros(), Ones(), Constant(0.5), RandomNormal(), RandomUniform(), TruncatedNormal(),
       GlorotUniform(), GlorotNormal(), LecunNormal(), LecunUniform(), HeNormal(),
       HeUniform(), Orthogonal()]
SEEDED = [RandomNormal, RandomUniform, TruncatedNormal, GlorotUniform, GlorotNormal,
          LecunNormal, LecunUniform, HeNormal, HeUniform, Orthogonal]


@pytest.fixture
def float64():
    config.set_floatx("float64")
    yield
    config.set_floatx("float32")


@pytest.mark.parametrize("init", ALL, ids=lambda i: type(i).__name__)
def test_shape_and_dtype(init, float64):
    assert init((3, 8)).shape == (3, 8)
    assert init((3, 8)).dtype == np.float64                  # config.dtype()
    assert init((3, 8), dtype="float32").dtype == np.float32


def test_default_dtype_is_floatx():
    assert config.floatx() == "float32"
    assert GlorotUniform()((2, 3)).dtype == np.float32


def test_constants():
    np.testing.assert_array_equal(Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(Ones()((4,)), np.ones(4))
    np.testing.assert_array_equal(Constant(2.5)((2, 2)), np.full((2, 2), 2.5))


@pytest.mark.parametrize("cls, limit", [
    (GlorotUniform, math.sqrt(6 / (200 + 300))),
    (LecunUniform, math.sqrt(3 / 200)),
    (HeUniform, math.sqrt(6 / 200)),
])
def test_uniform_limits(cls, limit):
    w = cls(seed=0)((200, 300), dtype="float64")
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.99 * limit                   # the full range is used
    assert abs(w.std() - limit / math.sqrt(3)) < 0.02 * limit


@pytest.mark.parametrize("cls, std", [
    (GlorotNormal, math.sqrt(2 / (200 + 300))),
    (LecunNormal, math.sqrt(1 / 200)),
    (HeNormal, math.sqrt(2 / 200)),
])
def test_truncated_variance_scaling(cls, std):
    w = cls(seed=0)((200, 300), dtype="float64")
    cut = 2 * std / 0.87962566103423978                     # 2 stddev of the untruncated draw
    assert np.abs(w).max() <= cut
    assert np.abs(w).max() > 0.99 * cut
    assert abs(w.std() - std) < 0.02 * std                  # std after truncation is sqrt(scale/n)


def test_truncated_normal_within_two_std():
    w = TruncatedNormal(mean=1.0, stddev=0.5, seed=0)((100, 100), dtype="float64")
    assert w.min() >= 0.0 and w.max() <= 2.0
    assert abs(w.mean() - 1.0) < 0.01
    assert abs(w.std() - 0.5 * 0.87962566103423978) < 0.01


def test_random_normal_and_uniform_statistics():
    w = RandomNormal(mean=2.0, stddev=3.0, seed=0)((100, 100), dtype="float64")
    assert abs(w.mean() - 2.0) < 0.1 and abs(w.std() - 3.0) < 0.1
    u = RandomUniform(minval=-1.0, maxval=3.0, seed=0)((100, 100), dtype="float64")
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.05


@pytest.mark.parametrize("shape", [(8, 32), (32, 8), (8, 8)])   # (H, 4H), (4H, H), square
def test_orthogonal(shape):
    w = Orthogonal(seed=0)(shape, dtype="float64")
    rows, cols = shape
    if rows >= cols:
        np.testing.assert_allclose(w.T @ w, np.eye(cols), atol=1e-12)   # orthonormal columns
    else:
        np.testing.assert_allclose(w @ w.T, np.eye(rows), atol=1e-12)   # orthonormal rows


def test_orthogonal_follows_keras_algorithm():
    # the same draws, by hand: a ~ N(0, 1) (max, min); q, r = qr(a); q * sign(diag(r)); q^T
    a = np.random.default_rng(1).standard_normal((12, 3))
    q, r = np.linalg.qr(a)
    expected = (q * np.sign(np.diag(r))).T                            # (3, 12)
    np.testing.assert_allclose(Orthogonal(seed=1)((3, 12), dtype="float64"), expected,
                               atol=1e-12)


def test_orthogonal_gain_and_higher_rank():
    w = Orthogonal(gain=2.0, seed=0)((2, 3, 4), dtype="float64")        # flattened to (6, 4)
    q = w.reshape(6, 4)
    np.testing.assert_allclose(q.T @ q, 4.0 * np.eye(4), atol=1e-12)
    with pytest.raises(ValueError, match="rank >= 2"):
        Orthogonal()((5,))


@pytest.mark.parametrize("cls", SEEDED)
def test_same_seed_same_values(cls):
    np.testing.assert_array_equal(cls(seed=7)((4, 6)), cls(seed=7)((4, 6)))
    assert not np.array_equal(cls(seed=7)((4, 6)), cls(seed=8)((4, 6)))


def test_a_seeded_instance_repeats_itself_as_in_keras_3():
    init = GlorotUniform(seed=3)
    first, second = init((4, 6)), init((4, 6))
    np.testing.assert_array_equal(first, second)
    unseeded = GlorotUniform()
    assert not np.array_equal(unseeded((4, 6)), unseeded((4, 6)))


def test_set_random_seed_makes_unseeded_draws_reproducible():
    set_random_seed(42)
    a = [GlorotUniform()((3, 4)), Orthogonal()((4, 4)), RandomNormal()((5,))]
    set_random_seed(42)
    b = [GlorotUniform()((3, 4)), Orthogonal()((4, 4)), RandomNormal()((5,))]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], GlorotUniform()((3, 4)))


def test_seeded_draws_ignore_the_global_generator():
    set_random_seed(1)
    a = HeNormal(seed=5)((3, 4))
    set_random_seed(2)
    np.testing.assert_array_equal(a, HeNormal(seed=5)((3, 4)))


def test_float32_and_float64_draw_the_same_numbers():
    a = GlorotNormal(seed=1)((3, 4), dtype="float32")
    b = GlorotNormal(seed=1)((3, 4), dtype="float64")
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_compute_fans():
    assert initializers.compute_fans((3, 8)) == (3, 8)
    assert initializers.compute_fans((5,)) == (5, 5)
    assert initializers.compute_fans((2, 3, 4)) == (6, 8)


def test_lower_case_names_are_the_classes():
    assert initializers.lecun_normal is LecunNormal
    assert initializers.glorot_uniform is GlorotUniform
    assert initializers.orthogonal is Orthogonal
    assert initializers.zeros is Zeros and initializers.ones is Ones
    assert isinstance(initializers.lecun_normal(seed=1), LecunNormal)
    assert initializers.he_uniform().seed is None


def test_get():
    init = HeNormal(seed=1)
    assert initializers.get(init) is init
    assert isinstance(initializers.get(GlorotUniform), GlorotUniform)
    assert isinstance(initializers.get("glorot_uniform"), GlorotUniform)
    assert isinstance(initializers.get("GlorotUniform"), GlorotUniform)
    assert isinstance(initializers.get("orthogonal"), Orthogonal)
    assert isinstance(initializers.get("zeros"), Zeros)
    with pytest.raises(ValueError, match="'glorot'.*'glorot_uniform'"):
        initializers.get("glorot")
    with pytest.raises(TypeError):
        initializers.get(3)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"non-negative integers, got \(3, -1\)"):
        GlorotUniform()((3, -1))
    with pytest.raises(ValueError, match="seed"):
        GlorotUniform(seed=-1)
