"""The method of optimal directions (MOD) with BPDN coding."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ..coding import bpdn, bpdn_objective
from ..utils._compat import Interval, validate_params
from ..utils._linalg import GRAM_RIDGE, normalize_rows
from ..utils._validation import FLOAT_DTYPES, check_real_array
from ._init import initial_dictionary, reseed_atoms

# Atoms whose least-squares update has a norm below this are treated as unused.
_DEAD_NORM = 1e-12


@validate_params(
    {
        "X": ["array-like"],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "coding_max_iter": [Interval(Integral, 1, None, closed="left")],
        "coding_tol": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def mod(X, n_components, *, alpha, max_iter=10, coding_max_iter=200, coding_tol=1e-3,
        random_state=None, n_jobs=None, verbose=0):
    """Learn a dictionary by alternating BPDN coding and MOD updates.

    Each round codes ``X`` with :func:`~sk_sparse.coding.bpdn` and then sets the
    dictionary to the least-squares fit of the data on those codes (the method of optimal
    directions, Engan et al., 1999), ``D = (C^T C + eps I)^{-1} C^T X``, with unit-norm
    atoms. Atoms no signal used, or that repeat an earlier atom's direction, are
    re-seeded with the worst-represented training rows, each used once and only in a new
    direction (the rule shared with :func:`~sk_sparse.decomposition.ksvd`).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training signals, one per row.
    n_components : int
        Number of atoms.
    alpha : float
        l1 weight of the coding.
    max_iter : int, default=10
        Coding / update rounds.
    coding_max_iter : int, default=200
        ADMM iterations per signal in each coding round.
    coding_tol : float, default=1e-3
        ADMM relative tolerance of the coding rounds.
    random_state : int, RandomState instance or None
        Seeds the training rows used as initial atoms, and reseeding.
    n_jobs : int, default=None
        Passed to :func:`~sk_sparse.coding.bpdn`.
    verbose : int, default=0
        Print the mean objective after each round when positive.

    Returns
    -------
    dictionary : ndarray of shape (n_components, n_features)
        Unit-norm atoms as rows.
    objectives : list of float
        Mean BPDN objective after each coding round.

    References
    ----------
    K. Engan, S. O. Aase and J. H. Husoy, "Method of optimal directions for frame
    design", ICASSP 1999.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.decomposition import mod
    >>> X = np.random.default_rng(0).normal(size=(100, 8))
    >>> atoms, objectives = mod(X, 12, alpha=0.1, max_iter=3, random_state=0)
    >>> atoms.shape, len(objectives)
    ((12, 8), 3)
    """
    X = check_real_array(X, "X", dtype=FLOAT_DTYPES)
    rng = check_random_state(random_state)
    dictionary = initial_dictionary(X, n_components, rng)
    objectives = []
    for iteration in range(max_iter):
        codes = bpdn(X, dictionary, alpha=alpha, tol=coding_tol, max_iter=coding_max_iter,
                     n_jobs=n_jobs)
        objectives.append(float(np.mean(bpdn_objective(X, dictionary, codes, alpha=alpha))))
        if verbose:
            print(f"[mod] round {iteration + 1}/{max_iter}: mean objective "
                  f"{objectives[-1]:.6g}")
        gram = codes.T @ codes
        gram[np.diag_indices_from(gram)] += GRAM_RIDGE * max(np.trace(gram) / n_components,
                                                            1e-12)
        updated = np.linalg.solve(gram, codes.T @ X)
        unused = (np.abs(codes).sum(axis=0) == 0) | (
            np.linalg.norm(updated, axis=1) <= _DEAD_NORM)
        updated = normalize_rows(updated).astype(X.dtype, copy=False)
        residual = X - codes @ updated
        errors = np.einsum("ij,ij->i", residual, residual)
        reseed_atoms(updated, unused, X, errors, rng)
        dictionary = updated
    return dictionary, objectives
