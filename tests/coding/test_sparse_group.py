import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sk_sparse import PatchExtractor, bpdn, bpdn_objective
from sk_sparse.coding._bpdn import _bpdn_chunk, factorize, group_indicator
from sk_sparse.coding._sparse_group import sparse_group_codes
from sk_sparse.datasets import load_dictionary, load_image


def kkt_violation(signals, atoms, codes, lam, mu, labels):
    """Largest violation of the sparse-group KKT conditions, relative to max(lam, mu),
    computed here from scratch (numpy, not the solver's kernels)."""
    corr = signals @ atoms.T - codes @ (atoms @ atoms.T)
    worst = 0.0
    for c, x in zip(corr, codes):
        for g in np.unique(labels):
            cg, xg = c[labels == g], x[labels == g]
            norm = np.linalg.norm(xg)
            if norm == 0:
                soft = np.maximum(np.abs(cg) - lam, 0)
                worst = max(worst, np.linalg.norm(soft) - mu)
                continue
            on = xg != 0
            worst = max(worst, np.max(np.abs(cg[on] - lam * np.sign(xg[on])
                                             - mu * xg[on] / norm), initial=0))
            worst = max(worst, np.max(np.abs(cg[~on]) - lam, initial=0))
    return worst / max(lam, mu)


def codes_of(signals, atoms, lam, mu, labels):
    gram = atoms @ atoms.T
    return sparse_group_codes(signals @ atoms.T, gram, labels, np.full(len(signals), lam),
                              mu, min(atoms.shape))


def test_orthonormal_dictionary_gives_the_closed_form(rng):
    # With D = I the problem separates per group: soft thresholding by lambda, then the
    # group's norm shrunk by mu (zero when it is below mu).
    signals = rng.normal(size=(50, 12)) * 2
    labels = np.repeat(np.arange(4), 3)
    codes, certified = codes_of(signals, np.eye(12), 0.3, 0.8, labels)
    soft = np.sign(signals) * np.maximum(np.abs(signals) - 0.3, 0)
    expected = soft.copy()
    for g in range(4):
        block = soft[:, labels == g]
        norm = np.linalg.norm(block, axis=1, keepdims=True)
        expected[:, labels == g] = block * np.maximum(1 - 0.8 / np.maximum(norm, 1e-300), 0)
    assert certified.all()
    np.testing.assert_allclose(codes, expected, atol=1e-12)
    assert np.any(np.all(expected.reshape(50, 4, 3) == 0, axis=2))  # groups switched off


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_groups=st.integers(1, 5),
       per_group=st.integers(1, 8), lam=st.floats(0.01, 1.0), ratio=st.floats(0.05, 3.0))
def test_certified_codes_satisfy_the_kkt_conditions(seed, n_groups, per_group, lam, ratio):
    # More features than atoms: supports stay below the rank (near it, see below).
    rng = np.random.default_rng(seed)
    n_atoms = n_groups * per_group
    atoms = rng.normal(size=(n_atoms, 48))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    signals = rng.normal(size=(6, 48)) * 2
    labels = rng.permutation(np.repeat(np.arange(n_groups), per_group))
    codes, certified = codes_of(signals, atoms, lam, lam * ratio, labels)
    assert certified.all()
    assert kkt_violation(signals[certified], atoms, codes[certified], lam, lam * ratio,
                         labels) <= 1e-6


@pytest.fixture(scope="module")
def multiscale_problem():
    # Three perturbed copies of 32 atoms, as the zoom levels of a multiscale dictionary:
    # strongly correlated across groups, and groups of unequal use.
    rng = np.random.default_rng(0)
    base = load_dictionary()[:32]
    atoms = np.concatenate([base + 0.3 / 8 * rng.normal(size=base.shape) for _ in range(3)])
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    image = load_image("camera")[100:300, 100:300] / 255.0
    patches = PatchExtractor(patch_size=8, stride=4).fit_transform(image)
    return patches[:600] * 4, atoms, np.repeat(np.arange(3), 32)


def test_every_signal_is_certified_on_correlated_groups(multiscale_problem):
    # Groups whose optimum is zero shrink radially under Newton's steps; without their
    # collapse the Hessian turns singular and those signals are left to ADMM.
    signals, atoms, labels = multiscale_problem
    codes, certified = codes_of(signals, atoms, 0.05, 0.2, labels)
    assert certified.all()
    assert kkt_violation(signals, atoms, codes, 0.05, 0.2, labels) <= 1e-6
    active = np.any(codes.reshape(len(codes), 3, 32) != 0, axis=2)
    assert not active.all()  # some groups are switched off, so the case is exercised


def test_bpdn_codes_the_group_problem_exactly_without_admm(multiscale_problem):
    signals, atoms, labels = multiscale_problem
    signals = signals[:100]
    kwargs = {"alpha": 0.1, "group_alpha": 0.2, "groups": labels}
    codes, n_iter = bpdn(signals, atoms, return_n_iter=True, **kwargs)
    assert np.all(n_iter == 0)
    # ADMM run far past its default tolerance reaches the same objective, not a lower one.
    eig, projector, _ = factorize(atoms)
    admm, _ = _bpdn_chunk(signals, np.full(100, 0.1), atoms, projector, eig, 0.2,
                          group_indicator(labels, 96, np.float64), 20_000, 1e-10)
    ours = bpdn_objective(signals, atoms, codes, **kwargs)
    reference = bpdn_objective(signals, atoms, admm, **kwargs)
    assert np.all(ours <= reference + 1e-12 * reference)
    assert np.all(reference - ours <= 1e-6 * reference)


def test_a_signal_is_coded_the_same_alone_or_in_a_batch(multiscale_problem):
    signals, atoms, labels = multiscale_problem
    batch = bpdn(signals[:50], atoms, alpha=0.1, group_alpha=0.1, groups=labels)
    alone = bpdn(signals[17:18], atoms, alpha=0.1, group_alpha=0.1, groups=labels)
    np.testing.assert_allclose(alone[0], batch[17], atol=1e-10)


def test_supports_at_the_rank_are_left_to_admm_which_bpdn_runs(rng):
    # 32 atoms in 20 dimensions with optimal supports of 16-19 atoms: where the active
    # set would need more atoms than the rank it reports the signal uncertified, and
    # bpdn's ADMM solves it (checked against the KKT conditions).
    atoms = rng.normal(size=(32, 20))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    signals = rng.normal(size=(6, 20)) * 2
    labels = np.repeat(np.arange(4), 8)
    codes, certified = codes_of(signals, atoms, 0.25, 0.25, labels)
    assert kkt_violation(signals[certified], atoms, codes[certified], 0.25, 0.25,
                         labels) <= 1e-6
    solved, n_iter = bpdn(signals, atoms, alpha=0.25, group_alpha=0.25, groups=labels,
                          tol=1e-10, max_iter=50_000, return_n_iter=True)
    assert np.all((n_iter > 0) == ~certified)
    assert kkt_violation(signals, atoms, solved, 0.25, 0.25, labels) <= 1e-3
