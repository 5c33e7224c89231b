import numpy as np
import pytest
from sklearn.linear_model import Lasso

from sk_sparse.coding import _homotopy
from sk_sparse.coding._homotopy import _from_least_squares, _paths, _remove, homotopy_codes


@pytest.mark.parametrize("which", [0, 3, 6])
def test_removing_an_atom_updates_the_cholesky_factor(which):
    # The factor after a removal (Givens rotations) is the factor of the Gram matrix
    # without that atom, as numpy computes it from scratch.
    rng = np.random.default_rng(which)
    atoms = rng.standard_normal((7, 12))
    gram = atoms @ atoms.T
    chol = np.zeros((8, 8))
    chol[:7, :7] = np.linalg.cholesky(gram)
    _remove(chol, 7, which)
    kept = np.delete(np.arange(7), which)
    np.testing.assert_allclose(chol[:6, :6], np.linalg.cholesky(gram[np.ix_(kept, kept)]),
                               atol=1e-12)
    assert np.all(np.triu(chol[:6, :6], 1) == 0)


def test_path_stops_at_zero_above_the_largest_correlation_and_flags_cut_paths():
    rng = np.random.default_rng(0)
    atoms = rng.standard_normal((30, 10))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    signals = rng.standard_normal((4, 10))
    sd = signals @ atoms.T
    top = np.abs(sd).max(axis=1)
    codes, certified, _ = homotopy_codes(sd, atoms @ atoms.T, top * 1.01, 10)
    assert np.all(codes == 0) and np.all(certified)
    # A rank of 1 allows a support of one atom only: paths that need more are refused
    # and reported uncertified rather than returned as if optimal.
    codes, certified, _ = homotopy_codes(sd, atoms @ atoms.T, top * 0.05, 1)
    assert not np.any(certified)


def _undercomplete_problem(seed=0, n_atoms=40, n_features=100, n_signals=300):
    # Independent atoms and lambdas from 1e-4 to 0.5 times each signal's largest
    # correlation: supports from almost every atom down to a few.
    rng = np.random.default_rng(seed)
    atoms = rng.standard_normal((n_atoms, n_features))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    signals = rng.standard_normal((n_signals, n_features))
    sd = signals @ atoms.T
    lam = np.abs(sd).max(axis=1) * np.geomspace(1e-4, 0.5, n_signals)
    return sd, atoms @ atoms.T, lam, signals, atoms


def _from_zero(sd, gram, lam):
    n_signals, n_atoms = sd.shape
    return _paths(sd, gram, lam, np.zeros(n_signals), np.full(n_signals, -1.0), n_atoms,
                  8 * n_atoms)


def test_both_ends_of_the_path_give_the_same_codes():
    sd, gram, lam, signals, atoms = _undercomplete_problem()
    reversed_codes, taken = _from_least_squares(sd, gram, lam)
    # Both ends are used: the small lambdas from the least-squares end.
    assert 0 < taken.sum() < len(sd)
    assert taken[:20].all() and not taken[-20:].any()
    codes, certified, levels = homotopy_codes(sd, gram, lam, gram.shape[0])
    reference, reference_certified, _ = _from_zero(sd, gram, lam)
    assert certified.all() and reference_certified.all()
    np.testing.assert_allclose(reversed_codes, reference[taken], atol=1e-10)
    np.testing.assert_allclose(codes, reference, atol=1e-10)
    np.testing.assert_array_equal(levels, lam)
    # Independently of the path: scikit-learn's coordinate descent on a few of them.
    for row in np.flatnonzero(taken)[::40]:
        lasso = Lasso(alpha=lam[row] / signals.shape[1], fit_intercept=False, tol=1e-14,
                      max_iter=1_000_000).fit(atoms.T, signals[row])
        np.testing.assert_allclose(codes[row], lasso.coef_, atol=1e-6)


def test_dependent_or_many_atoms_take_the_path_from_zero(monkeypatch):
    sd, gram, lam, _, _ = _undercomplete_problem(n_atoms=10, n_features=30, n_signals=20)
    # An atom repeated: no least-squares code to start from.
    twice = np.r_[np.arange(10), 0]
    _, taken = _from_least_squares(sd[:, twice], gram[np.ix_(twice, twice)], lam)
    assert not taken.any()
    assert _from_least_squares(sd, gram, lam)[1].any()  # without the repeat: some
    monkeypatch.setattr(_homotopy, "_REVERSE_MAX_ATOMS", 9)
    _, taken = _from_least_squares(sd, gram, lam)
    assert not taken.any()


def test_a_wrong_prediction_falls_back_to_the_path_from_zero(monkeypatch):
    # Every signal sent to the least-squares end with a budget of one step: those that
    # need more are abandoned and solved from zero, to the same codes.
    sd, gram, lam, _, _ = _undercomplete_problem(seed=1)
    monkeypatch.setattr(_homotopy, "_REVERSE_FRACTION", 1.0)
    monkeypatch.setattr(_homotopy, "_REVERSE_STEPS", 1 / gram.shape[0])
    _, taken = _from_least_squares(sd, gram, lam)
    assert 0 < taken.sum() < len(sd)
    codes, certified, _ = homotopy_codes(sd, gram, lam, gram.shape[0])
    reference, _, _ = _from_zero(sd, gram, lam)
    assert certified.all()
    np.testing.assert_allclose(codes, reference, atol=1e-10)
