"""Central differences agree with analytic gradients of simple functions."""

import numpy as np
import pytest

from explorer.core.gradcheck import check_gradient, numerical_gradient, relative_error


def test_quadratic_form_gradient():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    A = A + A.T
    c = rng.standard_normal(4)
    x = rng.standard_normal(4)

    def f(v):
        return 0.5 * v @ A @ v + c @ v

    num = numerical_gradient(f, x)
    np.testing.assert_allclose(num, A @ x + c, rtol=1e-8, atol=1e-8)
    assert check_gradient(f, A @ x + c, x) < 1e-7


def test_sin_of_matrix_keeps_shape():
    x = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    num = numerical_gradient(lambda v: np.sin(v).sum(), x)
    assert num.shape == (3, 4)
    assert num.dtype == np.float64
    np.testing.assert_allclose(num, np.cos(x), rtol=1e-8, atol=1e-9)


def test_scalar_and_zero_d_input():
    num = numerical_gradient(lambda v: float(v) ** 3, np.array(2.0))
    assert num.shape == ()
    assert num == pytest.approx(12.0, rel=1e-8)


def test_input_is_not_mutated_and_float32_is_promoted():
    x = np.array([[1.5, -0.5]], dtype=np.float32)
    before = x.copy()
    seen = []

    def f(v):
        seen.append(v.dtype)
        return float((v**2).sum())

    num = numerical_gradient(f, x)
    np.testing.assert_array_equal(x, before)
    assert set(seen) == {np.dtype(np.float64)}
    np.testing.assert_allclose(num, 2 * before.astype(np.float64), rtol=1e-7)


def test_check_gradient_detects_a_wrong_gradient():
    x = np.array([0.3, -1.2, 2.0])

    def f(v):
        return float(np.sum(v**2))

    assert check_gradient(f, 2 * x, x) < 1e-8
    wrong = 2 * x
    wrong[1] *= 1.01
    err = check_gradient(f, wrong, x)
    assert err == pytest.approx(0.01 / 2.01, rel=1e-4)


def test_relative_error_definition():
    a = np.array([1.0, 0.0, 1e-15, -1.0, 3.0])
    n = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(relative_error(a, n), [0.0, 0.0, 1e-3, 1.0, 0.5])
    with pytest.raises(ValueError):
        relative_error(np.zeros(2), np.zeros(3))


def test_bad_arguments():
    with pytest.raises(ValueError):
        numerical_gradient(lambda v: 0.0, np.zeros(2), eps=0.0)
    with pytest.raises(ValueError):
        check_gradient(lambda v: 0.0, np.zeros(3), np.zeros(2))
    assert check_gradient(lambda v: 0.0, np.zeros(0), np.zeros(0)) == 0.0


def test_usable_on_softmax_cross_entropy_logits():
    # Reference written in plain numpy: d/dz of CE(z, y) is softmax(z) - onehot(y).
    z = np.array([0.5, -1.0, 2.0, 0.0])
    y = 2

    def ce(v):
        s = v - v.max()
        return float(np.log(np.exp(s).sum()) - s[y])

    p = np.exp(z - z.max())
    p /= p.sum()
    grad = p.copy()
    grad[y] -= 1.0
    assert check_gradient(ce, grad, z) < 1e-7
