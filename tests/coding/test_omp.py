import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import orthogonal_mp, orthogonal_mp_gram

from sk_sparse import batch_omp, masked_omp


def random_dictionary(rng, n_atoms, n_features):
    atoms = rng.normal(size=(n_atoms, n_features))
    return atoms / np.linalg.norm(atoms, axis=1, keepdims=True)


@pytest.fixture
def problem(rng):
    dictionary = random_dictionary(rng, 96, 32)
    codes = np.zeros((300, 96))
    for row in codes:
        row[rng.choice(96, 4, replace=False)] = rng.normal(size=4) * 2
    X = codes @ dictionary + 0.05 * rng.normal(size=(300, 32))
    return X, dictionary


@pytest.mark.parametrize("n_nonzero_coefs", [1, 3, 7])
def test_matches_sklearn_with_sparsity_level(problem, n_nonzero_coefs):
    X, dictionary = problem
    ours = batch_omp(X, dictionary, n_nonzero_coefs=n_nonzero_coefs)
    reference = orthogonal_mp(dictionary.T, X.T, n_nonzero_coefs=n_nonzero_coefs).T
    np.testing.assert_array_equal(ours != 0, reference != 0)
    np.testing.assert_allclose(ours, reference, atol=1e-10)


@pytest.mark.parametrize("tol", [0.1, 1.0, 10.0])
def test_matches_sklearn_with_squared_tolerance(problem, tol):
    X, dictionary = problem
    ours = batch_omp(X, dictionary, tol=tol)
    reference = orthogonal_mp_gram(dictionary @ dictionary.T, dictionary @ X.T, tol=tol,
                                   norms_squared=np.sum(X**2, axis=1)).T
    # scikit-learn always selects one atom; a signal already within tol needs none.
    small = np.sum(X**2, axis=1) <= tol
    assert not ours[small].any()
    np.testing.assert_array_equal(ours[~small] != 0, reference[~small] != 0)
    np.testing.assert_allclose(ours[~small], reference[~small], atol=1e-10)
    residuals = np.sum((X - ours @ dictionary) ** 2, axis=1)
    assert np.all(residuals <= tol + 1e-9)


def test_per_signal_tolerance_and_cap(problem):
    X, dictionary = problem
    tol = np.linspace(0.05, 5.0, len(X))
    codes = batch_omp(X, dictionary, tol=tol, n_nonzero_coefs=3)
    residuals = np.sum((X - codes @ dictionary) ** 2, axis=1)
    n_used = np.count_nonzero(codes, axis=1)
    assert n_used.max() <= 3
    # Every signal either met its own tolerance or used the whole budget.
    assert np.all((residuals <= tol + 1e-9) | (n_used == 3))


def test_exact_recovery_and_zero_signal(rng):
    dictionary = random_dictionary(rng, 50, 40)
    true = np.zeros((2, 50))
    true[0, [3, 17, 41]] = [1.0, -2.0, 0.5]
    codes = batch_omp(true @ dictionary, dictionary, tol=1e-12)
    np.testing.assert_allclose(codes, true, atol=1e-10)


def test_oversized_sparsity_is_capped(problem):
    X, dictionary = problem
    codes = batch_omp(X[:5], dictionary[:10], n_nonzero_coefs=1000)
    assert np.count_nonzero(codes, axis=1).max() <= 10


def test_n_jobs_does_not_change_codes_and_chunking_only_rounding(problem, monkeypatch):
    import sk_sparse.utils._parallel as parallel

    X, dictionary = problem
    reference = batch_omp(X, dictionary, n_nonzero_coefs=5)
    # Same chunks, other n_jobs: identical bits (BLAS runs single-threaded in every task).
    np.testing.assert_array_equal(batch_omp(X, dictionary, n_nonzero_coefs=5, n_jobs=2),
                                  reference)
    # Other chunks: matrix products of other shapes may round differently, nothing more.
    monkeypatch.setattr(parallel, "WORK_BUDGET", 64 * 2 * len(dictionary))
    rechunked = batch_omp(X, dictionary, n_nonzero_coefs=5, n_jobs=2)
    np.testing.assert_array_equal(rechunked != 0, reference != 0)
    np.testing.assert_allclose(rechunked, reference, rtol=1e-10, atol=1e-12)


def masked_reference(X, observed, dictionary, tol, floor=0.1):
    """Per-signal scikit-learn OMP on the observed rows, atoms rescaled to floored norms."""
    codes = np.zeros((len(X), len(dictionary)))
    for i in range(len(X)):
        atoms = dictionary[:, observed[i]]
        scale = np.maximum(np.linalg.norm(atoms, axis=1), floor)
        codes[i] = orthogonal_mp((atoms / scale[:, None]).T, X[i, observed[i]],
                                 tol=tol[i]) / scale
    return codes


@pytest.mark.parametrize("missing_fraction", [0.0, 0.3, 0.7])
def test_masked_matches_per_signal_sklearn(problem, rng, missing_fraction):
    X, dictionary = problem
    observed = rng.random(X.shape) >= missing_fraction
    observed[:, 0] = True
    tol = 0.5 * observed.sum(axis=1) / X.shape[1]
    ours = masked_omp(X, observed, dictionary, tol=tol)
    reference = masked_reference(X, observed, dictionary, tol)
    np.testing.assert_array_equal(ours != 0, reference != 0)
    np.testing.assert_allclose(ours, reference, atol=1e-9)


def test_masked_with_full_mask_is_plain_omp(problem):
    X, dictionary = problem
    np.testing.assert_allclose(
        masked_omp(X, np.ones(X.shape, dtype=bool), dictionary, n_nonzero_coefs=4),
        batch_omp(X, dictionary, n_nonzero_coefs=4), atol=1e-10)


def test_masked_ignores_values_at_missing_entries(problem, rng):
    X, dictionary = problem
    observed = rng.random(X.shape) > 0.4
    garbage = np.where(observed, X, 1e6)
    np.testing.assert_allclose(masked_omp(garbage, observed, dictionary, n_nonzero_coefs=3),
                               masked_omp(X, observed, dictionary, n_nonzero_coefs=3))


def test_masked_fully_missing_signal_gets_zero_code(problem):
    X, dictionary = problem
    observed = np.ones(X.shape, dtype=bool)
    observed[0] = False
    codes = masked_omp(X, observed, dictionary, tol=0.1)
    assert not codes[0].any() and codes[1].any()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6))
def test_codes_never_exceed_budget_and_reduce_residual(seed, k):
    rng = np.random.default_rng(seed)
    dictionary = random_dictionary(rng, 20, 12)
    X = rng.normal(size=(15, 12))
    codes = batch_omp(X, dictionary, n_nonzero_coefs=k)
    assert np.all(np.count_nonzero(codes, axis=1) <= k)
    assert np.all(np.sum((X - codes @ dictionary) ** 2, axis=1)
                  <= np.sum(X**2, axis=1) + 1e-9)


def test_bad_stopping_rules(problem):
    X, dictionary = problem
    with pytest.raises(ValueError, match="n_nonzero_coefs"):
        batch_omp(X, dictionary, n_nonzero_coefs=0)
    with pytest.raises(ValueError, match="tol"):
        batch_omp(X, dictionary, tol=-1.0)
