import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Lasso

from sk_sparse import PatchExtractor, bpdn, bpdn_objective
from sk_sparse.datasets import load_dictionary


@pytest.fixture(scope="module")
def patches(camera_module):
    patches = PatchExtractor(patch_size=8, stride=5).fit_transform(camera_module[:200, :200])
    return patches - patches.mean(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def camera_module():
    from sk_sparse.datasets import load_image

    return load_image("camera")


def fista(X, dictionary, alpha, group_alpha=0.0, groups=None, n_iter=20000):
    """Accelerated proximal gradient, run far past convergence: an independent reference."""
    step = 1.0 / np.linalg.norm(dictionary, 2) ** 2
    codes = np.zeros((len(X), len(dictionary)))
    momentum, t = codes.copy(), 1.0
    labels = None if groups is None else np.asarray(groups)
    for _ in range(n_iter):
        gradient = (momentum @ dictionary - X) @ dictionary.T
        v = momentum - step * gradient
        new = np.sign(v) * np.maximum(np.abs(v) - step * alpha, 0)
        if group_alpha:
            for g in np.unique(labels):
                block = new[:, labels == g]
                norm = np.linalg.norm(block, axis=1, keepdims=True)
                shrink = np.maximum(1 - step * group_alpha / np.maximum(norm, 1e-300), 0)
                new[:, labels == g] = block * shrink
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        momentum = new + (t - 1) / t_next * (new - codes)
        codes, t = new, t_next
    return codes


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.2])
def test_objective_matches_converged_lasso(patches, alpha):
    dictionary = load_dictionary()
    X = patches[:40]
    ours = bpdn(X, dictionary, alpha=alpha, tol=1e-6, max_iter=5000)
    # sklearn's Lasso minimises 1/(2 n) ||y - A w||^2 + a ||w||_1 with n = n_features.
    reference = np.array([
        Lasso(alpha=alpha / X.shape[1], fit_intercept=False, tol=1e-12,
              max_iter=200_000).fit(dictionary.T, x).coef_ for x in X
    ])
    ours_value = bpdn_objective(X, dictionary, ours, alpha=alpha)
    reference_value = bpdn_objective(X, dictionary, reference, alpha=alpha)
    assert np.all(np.abs(ours_value - reference_value) <= 1e-4 * reference_value)


@pytest.mark.slow
def test_group_variant_matches_fista(patches):
    dictionary = load_dictionary()[:64]
    groups = np.repeat(np.arange(8), 8)
    X = patches[:15]
    ours = bpdn(X, dictionary, alpha=0.02, group_alpha=0.05, groups=groups, tol=1e-7,
                max_iter=10_000)
    reference = fista(X, dictionary, 0.02, 0.05, groups)
    kwargs = {"alpha": 0.02, "group_alpha": 0.05, "groups": groups}
    ours_value = bpdn_objective(X, dictionary, ours, **kwargs)
    reference_value = bpdn_objective(X, dictionary, reference, **kwargs)
    assert np.all(np.abs(ours_value - reference_value) <= 1e-4 * reference_value)
    # Whole groups are switched off.
    assert np.any(np.all(ours.reshape(len(X), 8, 8) == 0, axis=2))


def test_orthonormal_dictionary_gives_soft_thresholding(rng):
    X = rng.normal(size=(20, 6))
    codes = bpdn(X, np.eye(6), alpha=0.5, tol=1e-9, max_iter=5000)
    np.testing.assert_allclose(codes, np.sign(X) * np.maximum(np.abs(X) - 0.5, 0), atol=1e-6)


def test_codes_do_not_depend_on_the_batch(patches):
    dictionary = load_dictionary()
    full = bpdn(patches[:300], dictionary, alpha=0.05)
    part = bpdn(patches[100:200], dictionary, alpha=0.05)
    np.testing.assert_allclose(full[100:200], part, atol=1e-12)
    np.testing.assert_allclose(bpdn(patches[:300], dictionary, alpha=0.05, n_jobs=2), full,
                               atol=1e-12)


def _gaussian_problem(n_signals, seed=0):
    # 64 features, 256 Gaussian atoms, signals of 16 atoms plus noise: at lambda 0.01 the
    # supports hold 50+ atoms, close to the 64 dimensions.
    rng = np.random.default_rng(seed)
    dictionary = rng.standard_normal((256, 64))
    dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    signals = rng.standard_normal((n_signals, 16)) @ dictionary[:16]
    signals += 0.1 * rng.standard_normal(signals.shape)
    signals /= np.linalg.norm(signals, axis=1, keepdims=True)
    return signals, dictionary


def kkt_violation(X, dictionary, codes, alpha):
    """Largest violation of the l1 problem's optimality conditions, relative to alpha."""
    correlations = (X - codes @ dictionary) @ dictionary.T
    on = codes != 0
    off_support = np.where(on, 0.0, np.maximum(np.abs(correlations) - alpha, 0))
    on_support = np.where(on, np.abs(correlations - np.sign(codes) * alpha), 0.0)
    return float(max(off_support.max(), on_support.max()) / alpha)


def test_large_supports_are_solved_exactly_by_the_path():
    signals, dictionary = _gaussian_problem(200)
    codes, n_iter = bpdn(signals, dictionary, alpha=0.01, return_n_iter=True)
    assert np.all(n_iter == 0)  # every path certified: no ADMM
    assert np.count_nonzero(codes, axis=1).max() >= 40
    assert kkt_violation(signals, dictionary, codes, 0.01) < 1e-6


def test_uncertified_paths_go_to_admm_and_stay_independent_of_the_batch(monkeypatch):
    # Paths cut short after a few breakpoints are not certified: ADMM solves those
    # signals, each on its own, whatever shares its batch.
    from sk_sparse.coding import _homotopy

    signals, dictionary = _gaussian_problem(300)
    exact = bpdn(signals, dictionary, alpha=0.01)
    monkeypatch.setattr(_homotopy, "_MIN_STEPS", 30)
    monkeypatch.setattr(_homotopy, "_STEPS_PER_ATOM", 0)
    full, n_iter = bpdn(signals, dictionary, alpha=0.01, tol=1e-6, max_iter=20_000,
                        return_n_iter=True)
    assert np.all(n_iter > 0)  # every support here needs more than 30 breakpoints
    value = bpdn_objective(signals, dictionary, full, alpha=0.01)
    best = bpdn_objective(signals, dictionary, exact, alpha=0.01)
    assert np.all(value >= best * (1 - 1e-12)) and np.all(value <= best * (1 + 1e-5))
    part = bpdn(signals[150:250], dictionary, alpha=0.01, tol=1e-6, max_iter=20_000)
    np.testing.assert_allclose(full[150:250], part, atol=1e-10)


# Coordinate descent (the reference objective) may stop short of its tolerance on a few
# problems; the KKT check, the main assertion, does not depend on it.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_atoms=st.integers(1, 40),
       n_features=st.integers(1, 24), level=st.floats(0.02, 0.9))
def test_path_codes_satisfy_the_optimality_conditions(seed, n_atoms, n_features, level):
    # Any shape (more or fewer atoms than features), any lambda below the largest
    # correlation: the certified codes satisfy the KKT conditions, checked here
    # independently of the kernel, and no code is worse than coordinate descent's.
    rng = np.random.default_rng(seed)
    dictionary = rng.standard_normal((n_atoms, n_features))
    dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    X = rng.standard_normal((5, n_features))
    alpha = level * np.abs(X @ dictionary.T).max(axis=1)
    codes, n_iter = bpdn(X, dictionary, alpha=alpha, return_n_iter=True)
    assert np.all(n_iter == 0)
    for row in range(len(X)):
        assert kkt_violation(X[row:row + 1], dictionary, codes[row:row + 1],
                             alpha[row]) < 1e-6
    lasso = Lasso(alpha=1.0, fit_intercept=False, tol=1e-12, max_iter=100_000)
    reference = np.array([lasso.set_params(alpha=a / n_features).fit(dictionary.T, x).coef_
                          for x, a in zip(X, alpha)])
    value = bpdn_objective(X, dictionary, codes, alpha=alpha)
    best = bpdn_objective(X, dictionary, reference, alpha=alpha)
    assert np.all(value <= best * (1 + 1e-9) + 1e-12)


def test_float32_and_iterations(patches):
    dictionary = load_dictionary()
    codes32, n_iter = bpdn(patches[:50].astype(np.float32), dictionary.astype(np.float32),
                           alpha=0.05, return_n_iter=True)
    # The homotopy path (in float64) solves every patch exactly: no ADMM iteration.
    assert codes32.dtype == np.float32 and np.all(n_iter == 0)
    codes64 = bpdn(patches[:50], dictionary, alpha=0.05)
    value32 = bpdn_objective(patches[:50], dictionary, codes32.astype(float), alpha=0.05)
    value64 = bpdn_objective(patches[:50], dictionary, codes64, alpha=0.05)
    np.testing.assert_allclose(value32, value64, rtol=1e-3)


def test_zero_signal_and_errors():
    dictionary = np.eye(3)
    np.testing.assert_array_equal(bpdn(np.zeros((2, 3)), dictionary, alpha=0.1), 0)
    with pytest.raises(ValueError, match="alpha"):
        bpdn(np.ones((1, 3)), dictionary, alpha=-1)
    with pytest.raises(ValueError, match="needs groups"):
        bpdn(np.ones((1, 3)), dictionary, alpha=0.1, group_alpha=0.1)
    with pytest.raises(ValueError, match="one group label per atom"):
        bpdn(np.ones((1, 3)), dictionary, alpha=0.1, group_alpha=0.1, groups=[0, 1])


@pytest.mark.parametrize("shape", [(12, 30), (30, 12)])
def test_factors_on_the_smaller_side_give_the_same_x_update(shape):
    from sk_sparse.coding._bpdn import factorize

    dictionary = np.random.default_rng(0).standard_normal(shape)
    eig, projector, gram = factorize(dictionary)
    assert len(eig) == min(shape)
    np.testing.assert_allclose(gram, dictionary @ dictionary.T)
    np.testing.assert_allclose(projector @ projector.T, dictionary @ dictionary.T,
                               atol=1e-10)
    np.testing.assert_allclose(projector.T @ projector, np.diag(eig), atol=1e-10)


@pytest.mark.parametrize("alpha", [0.01, 0.1])
def test_one_signal_on_many_features_matches_lasso(alpha):
    # SRC's shape: more features (pixels) than atoms, one signal at a time.
    rng = np.random.default_rng(1)
    dictionary = np.abs(rng.standard_normal((120, 300)))  # coherent, non-negative
    dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    signal = rng.random((1, 300))
    signal /= np.linalg.norm(signal)
    codes = bpdn(signal, dictionary, alpha=alpha)
    lasso = Lasso(alpha=alpha / 300, fit_intercept=False, tol=1e-12, max_iter=100_000)
    reference = lasso.fit(dictionary.T, signal[0]).coef_
    value = bpdn_objective(signal, dictionary, codes, alpha=alpha)
    best = bpdn_objective(signal, dictionary, reference[np.newaxis], alpha=alpha)
    assert value[0] <= best[0] * (1 + 1e-9)
    np.testing.assert_allclose(codes[0], reference, atol=1e-6)


def test_duplicated_atom_gives_the_lasso_optimum():
    # A coherent non-negative dictionary with an exactly duplicated atom: once one copy
    # is on the support, the other's correlation moves in lockstep with it and never
    # crosses lambda, so one copy carries the coefficient, which is optimal (SPAMS
    # returns zero codes here).
    rng = np.random.default_rng(3)
    dictionary = np.abs(rng.standard_normal((60, 40)))
    dictionary[7] = dictionary[3]
    dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    X = rng.random((30, 5)) @ dictionary[[3, 11, 20, 31, 47]]
    X += 0.05 * rng.standard_normal(X.shape)
    alpha = 0.02
    codes, n_iter = bpdn(X, dictionary, alpha=alpha, return_n_iter=True)
    assert np.all(n_iter == 0)
    assert np.all((codes[:, 3] == 0) | (codes[:, 7] == 0)) and np.any(codes[:, [3, 7]])
    lasso = Lasso(alpha=alpha / 40, fit_intercept=False, tol=1e-14, max_iter=500_000)
    reference = np.array([lasso.fit(dictionary.T, x).coef_ for x in X])
    value = bpdn_objective(X, dictionary, codes, alpha=alpha)
    best = bpdn_objective(X, dictionary, reference, alpha=alpha)
    np.testing.assert_array_less(value, best * (1 + 1e-7))


def test_zero_alpha_signals_go_to_admm_and_the_others_stay_exact():
    # A per-signal alpha with zeros: those signals are least-squares problems, left to
    # ADMM; the others still take the exact path (0 ADMM iterations).
    rng = np.random.default_rng(4)
    dictionary = rng.standard_normal((10, 30))
    dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    X = rng.standard_normal((6, 30))
    alpha = np.array([0.1, 0.0, 0.2, 0.0, 0.3, 0.1])
    codes, n_iter = bpdn(X, dictionary, alpha=alpha, tol=1e-10, max_iter=20_000,
                         return_n_iter=True)
    np.testing.assert_array_equal(n_iter[alpha > 0], 0)
    assert np.all(n_iter[alpha == 0] > 0)
    least_squares = np.linalg.lstsq(dictionary.T, X[alpha == 0].T, rcond=None)[0].T
    np.testing.assert_allclose(codes[alpha == 0], least_squares, atol=1e-6)
    np.testing.assert_allclose(codes[alpha > 0], bpdn(X[alpha > 0], dictionary,
                                                      alpha=alpha[alpha > 0]), atol=1e-12)
