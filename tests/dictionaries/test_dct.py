import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.fft import dct, dctn, idctn

from sk_sparse import dct2, dct_matrix, idct2


@pytest.mark.parametrize("size", [1, 2, 5, 8, 16])
def test_dct_matrix_matches_scipy(size, rng):
    x = rng.normal(size=(size, 7))
    np.testing.assert_allclose(dct_matrix(size) @ x, dct(x, axis=0, norm="ortho"), atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dct_matrix_is_orthonormal(dtype):
    matrix = dct_matrix(8, dtype)
    assert matrix.dtype == dtype
    np.testing.assert_allclose(matrix @ matrix.T, np.eye(8), atol=1e-6)


def test_dct_matrix_is_a_fresh_copy():
    matrix = dct_matrix(4)
    matrix[0, 0] = 42.0
    assert dct_matrix(4)[0, 0] == 0.5


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**31 - 1))
def test_dct2_matches_scipy_and_inverts(height, width, seed):
    x = np.random.default_rng(seed).normal(size=(3, height, width))
    coefficients = dct2(x)
    np.testing.assert_allclose(coefficients, dctn(x, axes=(1, 2), norm="ortho"), atol=1e-10)
    np.testing.assert_allclose(idct2(coefficients), x, atol=1e-10)
    np.testing.assert_allclose(idct2(coefficients), idctn(coefficients, axes=(1, 2),
                                                          norm="ortho"), atol=1e-10)
