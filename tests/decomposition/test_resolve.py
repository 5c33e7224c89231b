"""One dictionary vocabulary for every estimator, and one reseeding rule for the learners."""

import numpy as np
import pytest

from sk_sparse import OMPInpainter, SparseAnomalyDetector, SparseFeatureExtractor
from sk_sparse.decomposition import DICTIONARY_OPTIONS, ksvd, mod, resolve_dictionary
from sk_sparse.dictionaries import load_dictionary, overcomplete_dct_dictionary


def degenerate_rows(rng):
    """150 rows made of 3 distinct vectors (repeated) plus 6 random ones."""
    distinct = rng.normal(size=(3, 16))
    rows = np.concatenate([np.repeat(distinct, 48, axis=0), rng.normal(size=(6, 16))])
    return rows[rng.permutation(len(rows))]


def coinciding_pairs(atoms):
    cosines = np.abs(atoms @ atoms.T)
    np.fill_diagonal(cosines, 0)
    return int((cosines > 1 - 1e-9).sum() // 2)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("max_iter", [1, 2, 3, 5])
def test_ksvd_never_duplicates_atoms_on_degenerate_data(seed, max_iter):
    # The rule of earlier releases gave every atom unused in the last round the same
    # worst row: 2 to 3 coinciding pairs here with max_iter=2.
    rng = np.random.default_rng(seed)
    atoms, _ = ksvd(degenerate_rows(rng), 12, n_nonzero_coefs=1, max_iter=max_iter,
                    random_state=seed)
    np.testing.assert_allclose(np.linalg.norm(atoms, axis=1), 1.0)
    assert coinciding_pairs(atoms) == 0


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("max_iter", [1, 2, 4])
def test_mod_never_duplicates_atoms_and_survives_few_rows(seed, max_iter):
    rng = np.random.default_rng(seed)
    atoms, _ = mod(degenerate_rows(rng), 12, alpha=0.5, max_iter=max_iter,
                   random_state=seed)
    assert coinciding_pairs(atoms) == 0
    # Fewer rows than atoms: reseeding used to index past the rows and crash.
    atoms, _ = mod(rng.normal(size=(5, 3)), 23, alpha=0.1, max_iter=max_iter,
                   random_state=seed)
    assert atoms.shape == (23, 3) and np.all(np.isfinite(atoms))


def test_one_vocabulary_for_every_estimator():
    for estimator in (OMPInpainter(), SparseFeatureExtractor(), SparseAnomalyDetector()):
        constraint = type(estimator)._parameter_constraints["dictionary"]
        assert constraint[0].options == set(DICTIONARY_OPTIONS)


def test_analytic_and_given_atoms(rng):
    atoms, n_iter = resolve_dictionary("shipped", n_features=64)
    np.testing.assert_allclose(atoms, load_dictionary(), rtol=1e-6)
    assert n_iter == 0
    atoms, _ = resolve_dictionary("dct", n_features=64, n_components=256)
    np.testing.assert_allclose(atoms, overcomplete_dct_dictionary(8, 16))
    given = rng.normal(size=(5, 4))
    atoms, _ = resolve_dictionary(given, n_features=4)
    np.testing.assert_allclose(atoms * np.linalg.norm(given, axis=1)[:, None], given)
    # Names of earlier releases map to the same atoms.
    np.testing.assert_array_equal(resolve_dictionary("learned", n_features=64)[0],
                                  resolve_dictionary("shipped", n_features=64)[0])
    X = rng.normal(size=(20, 3))
    np.testing.assert_array_equal(
        resolve_dictionary("bpdn", X, n_components=4, max_iter=2, random_state=0)[0],
        resolve_dictionary("mod", X, n_components=4, max_iter=2, random_state=0)[0])


@pytest.mark.parametrize(
    "spec, kwargs, message",
    [
        ("shipped", {"n_features": 16}, "8 x 8 patches"),
        ("dct", {"n_features": 10}, "square patches"),
        ("dct", {"n_features": 64, "n_components": 50}, "a square of at least 64"),
        ("ksvd", {"n_features": 64}, "pass X to fit"),
        (np.zeros((3, 4)), {"n_features": 4}, "all-zero atom"),
        (np.ones((3, 5)), {"n_features": 4}, "5 features but the data have 4"),
    ],
)
def test_bad_specs_are_named(spec, kwargs, message):
    with pytest.raises(ValueError, match=message):
        resolve_dictionary(spec, **kwargs)


@pytest.mark.parametrize("spec", ["ksvd", "mod", "minibatch"])
def test_learned_kinds_fit_the_data(rng, spec):
    X = rng.normal(size=(200, 9)) @ rng.normal(size=(9, 9))
    atoms, n_iter = resolve_dictionary(spec, X, n_components=12, max_iter=2, random_state=0)
    assert atoms.shape == (12, 9) and n_iter >= 1
    np.testing.assert_allclose(np.linalg.norm(atoms, axis=1), 1.0, rtol=1e-6)
