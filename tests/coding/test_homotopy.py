import numpy as np
import pytest

from sk_sparse.coding._homotopy import _remove, homotopy_codes


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
