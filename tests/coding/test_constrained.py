import numpy as np

from sk_sparse import constrained_l1
from sk_sparse.coding._constrained import _bisection


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    dictionary = np.abs(rng.standard_normal((80, 50)))  # coherent, non-negative
    dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    Y = rng.random((25, 5)) @ dictionary[rng.choice(80, 5, replace=False)]
    Y += 0.05 * rng.standard_normal(Y.shape)
    return Y / np.linalg.norm(Y, axis=1, keepdims=True), dictionary


def test_codes_sit_on_the_bound_and_are_bpdn_codes_there():
    # The path stops where the residual meets epsilon: the residual is epsilon (not
    # below), and the code satisfies the KKT conditions of BPDN at the lambda it stopped
    # at, checked here from the code alone.
    Y, dictionary = _problem()
    codes = constrained_l1(Y, dictionary, 0.2)
    residuals = codes @ dictionary - Y
    np.testing.assert_allclose(np.linalg.norm(residuals, axis=1), 0.2, rtol=1e-9)
    correlations = residuals @ dictionary.T
    for code, correlation in zip(codes, correlations):
        on = code != 0
        lam = np.abs(correlation[on]).mean()
        np.testing.assert_allclose(-correlation[on], np.sign(code[on]) * lam, rtol=1e-7)
        assert np.all(np.abs(correlation[~on]) <= lam * (1 + 1e-7))


def test_no_feasible_code_has_a_smaller_l1_norm_than_the_path_s():
    # A fine bisection on lambda (the fallback) finds feasible codes of larger or equal l1
    # norm; a tight bound needs a larger l1 norm than a loose one.
    Y, dictionary = _problem(1)
    codes = constrained_l1(Y, dictionary, 0.1)
    bisected = _bisection(Y, dictionary, 0.1, n_bisections=40, tol=1e-8, max_iter=20_000,
                          n_jobs=None, factors=None)
    assert np.all(np.linalg.norm(bisected @ dictionary - Y, axis=1) <= 0.1 + 1e-9)
    assert np.all(np.abs(codes).sum(axis=1) <= np.abs(bisected).sum(axis=1) * (1 + 1e-6))
    looser = constrained_l1(Y, dictionary, 0.3)
    assert np.all(np.abs(looser).sum(axis=1) < np.abs(codes).sum(axis=1))


def test_signals_within_the_bound_and_infeasible_bounds():
    Y, dictionary = _problem(2)
    assert np.all(constrained_l1(Y, dictionary, 1.0) == 0)  # unit signals, bound 1
    # A bound no lambda down to 1e-4 max|y D^T| reaches: the code at that lambda.
    codes = constrained_l1(Y[:3], dictionary[:3], 1e-6)
    assert np.all(np.linalg.norm(codes @ dictionary[:3] - Y[:3], axis=1) > 1e-6)
    assert np.all(np.any(codes != 0, axis=1))
