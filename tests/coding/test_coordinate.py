import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sk_sparse.coding import bpdn
from sk_sparse.coding._coordinate import MAX_COHERENCE, descent_codes, incoherent
from sk_sparse.coding._homotopy import homotopy_codes


def unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def gaussian_problem():
    # 300 Gaussian atoms in 600 dimensions (coherence about 0.2): coordinate descent's
    # home ground; signals of 30 atoms plus noise.
    rng = np.random.default_rng(0)
    atoms = unit(rng.standard_normal((300, 600)))
    mixed = rng.standard_normal((80, 30)) @ atoms[:30]
    signals = unit(mixed + 0.1 * np.linalg.norm(mixed, axis=1, keepdims=True)
                   * rng.standard_normal(mixed.shape) / np.sqrt(600))
    return signals, atoms


@pytest.mark.parametrize("lam", [0.005, 0.05, 0.3])
def test_descent_matches_the_homotopy_path_on_incoherent_atoms(gaussian_problem, lam):
    signals, atoms = gaussian_problem
    gram = atoms @ atoms.T
    assert incoherent(gram)
    sd = signals @ atoms.T
    lams = np.full(len(signals), lam)
    codes, certified = descent_codes(sd, gram, lams)
    path, path_certified, _ = homotopy_codes(sd, gram, lams, 300)
    assert certified.all() and path_certified.all()
    np.testing.assert_allclose(codes, path, atol=1e-9)
    np.testing.assert_array_equal(codes != 0, path != 0)


def test_bpdn_takes_the_descent_and_stays_exact(gaussian_problem):
    signals, atoms = gaussian_problem
    codes, n_iter = bpdn(signals, atoms, alpha=0.02, return_n_iter=True)
    assert np.all(n_iter == 0)
    path, _, _ = homotopy_codes(signals @ atoms.T, atoms @ atoms.T,
                                np.full(len(signals), 0.02), 300)
    np.testing.assert_allclose(codes, path, atol=1e-9)
    alone = bpdn(signals[7:8], atoms, alpha=0.02)
    np.testing.assert_allclose(alone[0], codes[7], atol=1e-12)


def test_unconverged_descents_are_uncertified_and_bpdn_finishes_them_on_the_path():
    # Coherent atoms (a smooth family): the descent's sweeps do not reach the optimum
    # for every signal, which the certificate reports; bpdn never uses it on them, and
    # the path's codes satisfy the KKT conditions (checked here with numpy).
    grid = np.linspace(0, 1, 40)
    atoms = unit(np.exp(-((grid[None, :] - np.linspace(0, 1, 60)[:, None]) / 0.08) ** 2))
    signals = np.random.default_rng(1).standard_normal((30, 40))
    gram = atoms @ atoms.T
    assert not incoherent(gram)
    _, certified = descent_codes(signals @ atoms.T, gram, np.full(30, 1e-3))
    assert not certified.all()
    codes = bpdn(signals, atoms, alpha=1e-3)
    corr = signals @ atoms.T - codes @ gram
    on = codes != 0
    assert np.all(np.abs(corr) <= 1e-3 * (1 + 1e-6))
    np.testing.assert_allclose(corr[on], 1e-3 * np.sign(codes[on]), rtol=1e-6)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_atoms=st.integers(1, 30),
       n_features=st.integers(1, 40), zero=st.booleans())
def test_incoherence_is_the_largest_cosine_between_distinct_atoms(seed, n_atoms,
                                                                  n_features, zero):
    rng = np.random.default_rng(seed)
    atoms = rng.standard_normal((n_atoms, n_features)) * rng.uniform(0.1, 3, (n_atoms, 1))
    if zero:
        atoms[0] = 0  # a zero atom has no direction: ignored
    norms = np.linalg.norm(atoms, axis=1)
    kept = atoms[norms > 0] / norms[norms > 0, None]
    cosines = np.abs(kept @ kept.T)
    np.fill_diagonal(cosines, 0)
    largest = cosines.max(initial=0.0)
    gram = atoms @ atoms.T
    if abs(largest - MAX_COHERENCE) > 1e-9:
        assert incoherent(gram) == (largest <= MAX_COHERENCE)
    for limit in (largest * (1 + 1e-6) + 1e-12, largest * (1 - 1e-6)):
        if limit > 0:
            assert incoherent(gram, limit) == (limit >= largest)
