import numpy as np
import pytest

from sk_sparse import KSVD, ksvd
from sk_sparse.datasets import load_dictionary, load_image


def test_recovers_a_planted_dictionary(rng):
    true = rng.normal(size=(20, 16))
    true /= np.linalg.norm(true, axis=1, keepdims=True)
    codes = np.zeros((2000, 20))
    for row in codes:
        row[rng.choice(20, 3, replace=False)] = rng.normal(size=3)
    X = codes @ true
    learned, errors = ksvd(X, 20, n_nonzero_coefs=3, max_iter=30, random_state=0)
    assert errors[-1] < errors[0]
    # Most planted atoms are found (|cosine| close to 1 with some learned atom).
    best = np.abs(true @ learned.T).max(axis=1)
    assert np.mean(best > 0.99) >= 0.7  # K-SVD has local minima; random atoms give ~0


def test_error_decreases_and_fixed_atoms_stay(camera):
    from sk_sparse import PatchExtractor

    patches = PatchExtractor(patch_size=6, stride=3).fit_transform(camera[:150, :150])
    constant = np.full((1, 36), 1 / 6)
    dictionary, errors = ksvd(patches, 40, n_nonzero_coefs=3, max_iter=6, tol=0,
                              fixed_atoms=constant, random_state=0)
    assert all(b <= a * (1 + 1e-9) for a, b in zip(errors, errors[1:]))
    np.testing.assert_allclose(dictionary[0], constant[0])
    np.testing.assert_allclose(np.linalg.norm(dictionary, axis=1), 1.0)


def test_estimator_is_reproducible_and_codes_are_sparse(rng):
    X = rng.normal(size=(150, 10))
    first = KSVD(n_components=15, n_nonzero_coefs=2, max_iter=4, random_state=3).fit(X)
    second = KSVD(n_components=15, n_nonzero_coefs=2, max_iter=4, random_state=3).fit(X)
    np.testing.assert_array_equal(first.components_, second.components_)
    codes = first.transform(X)
    assert codes.shape == (150, 15) and np.count_nonzero(codes, axis=1).max() <= 2
    assert first.n_iter_ == len(first.error_) >= 1
    assert list(first.get_feature_names_out()[:2]) == ["ksvd0", "ksvd1"]
    np.testing.assert_allclose(first.inverse_transform(codes), codes @ first.components_)


def test_transform_max_error(rng):
    X = rng.normal(size=(50, 8))
    model = KSVD(n_components=16, n_nonzero_coefs=8, transform_max_error=0.5, random_state=0).fit(X)
    codes = model.transform(X)
    residual = np.sum((X - codes @ model.components_) ** 2, axis=1)
    assert np.all((residual <= 0.5 + 1e-9) | (np.count_nonzero(codes, axis=1) == 8))


def test_shipped_dictionary_sparsifies_unseen_images():
    from sk_sparse import PatchExtractor, batch_omp

    atoms = load_dictionary()
    constant = np.full((1, 64), 1 / 8)
    dictionary = np.concatenate([constant, atoms])
    patches = PatchExtractor(patch_size=8, stride=4).fit_transform(load_image("camera"))
    for name, candidate in {"learned": dictionary,
                            "random": np.concatenate([constant, _random_atoms(256)])}.items():
        codes = batch_omp(patches, candidate, n_nonzero_coefs=4)
        error = np.mean((patches - codes @ candidate) ** 2)
        if name == "learned":
            learned_error = error
    assert learned_error < 0.5 * error


def _random_atoms(n):
    atoms = np.random.default_rng(0).normal(size=(n, 64))
    return atoms / np.linalg.norm(atoms, axis=1, keepdims=True)


@pytest.mark.parametrize("n_nonzero", [1, 50])
def test_sparsity_is_capped(rng, n_nonzero):
    X = rng.normal(size=(30, 6))
    codes = KSVD(n_components=4, n_nonzero_coefs=n_nonzero, max_iter=2,
                 random_state=0).fit_transform(X)
    assert np.count_nonzero(codes, axis=1).max() <= min(n_nonzero, 4)


def test_verbose_prints_one_line_per_round(rng, capsys):
    X = rng.normal(size=(60, 8))
    KSVD(n_components=8, n_nonzero_coefs=2, max_iter=3, tol=0, random_state=0,
         verbose=1).fit(X)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("[KSVD] round") for line in lines)
