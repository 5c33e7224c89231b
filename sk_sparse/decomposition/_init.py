"""Initial atoms and dead-atom reseeding, shared by every dictionary learner (K-SVD, MOD).

One rule for both: atoms start as distinct training rows; an atom no signal uses after a
coding stage is replaced by one of the worst-represented rows, each such row used at most
once and only when its direction is new (identical rows would otherwise give identical
atoms); where the data offer too few new directions, random ones are used.
"""

from __future__ import annotations

import numpy as np

from ..utils._linalg import normalize_rows

# Two unit atoms with |cos| above this are the same direction.
_SAME_DIRECTION = 1 - 1e-6
# Candidate rows examined per atom to reseed (the worst-represented first).
_CANDIDATES_PER_ATOM = 4
# Random draws per atom before a repeated direction is accepted.
_MAX_DRAWS_PER_ATOM = 10


def initial_dictionary(X, n_components, rng, fixed_atoms=None):
    """``n_components`` unit atoms: ``fixed_atoms`` first, then distinct training rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_components : int
        Atoms in all, ``fixed_atoms`` included.
    rng : numpy.random.RandomState
    fixed_atoms : ndarray of shape (n_fixed, n_features), default=None

    Returns
    -------
    dictionary : ndarray of shape (n_components, n_features), dtype of ``X``
    """
    n_features = X.shape[1]
    fixed = np.zeros((0, n_features), dtype=X.dtype) if fixed_atoms is None else fixed_atoms
    n_free = n_components - len(fixed)
    usable = np.flatnonzero(np.linalg.norm(X, axis=1) > 0)
    chosen = rng.choice(usable, size=min(n_free, len(usable)), replace=False)
    atoms = [fixed, X[chosen]]
    if n_free > len(chosen):
        atoms.append(rng.standard_normal((n_free - len(chosen), n_features)))
    return normalize_rows(np.concatenate(atoms, axis=0)).astype(X.dtype, copy=False)


def reseed_atoms(dictionary, unused, candidates, errors, rng):
    """Replace the ``unused`` atoms in place by new, distinct directions.

    Parameters
    ----------
    dictionary : ndarray of shape (n_atoms, n_features)
        Unit atoms; rows where ``unused`` is True are overwritten.
    unused : ndarray of bool of shape (n_atoms,)
    candidates : ndarray of shape (n_samples, n_features)
        Rows to draw new atoms from (training rows, or their residuals).
    errors : ndarray of shape (n_samples,)
        How badly each row is represented; the worst come first.
    rng : numpy.random.RandomState
        For random directions when the candidates run out.

    Returns
    -------
    dictionary : ndarray
        The same array.
    """
    slots = np.flatnonzero(unused)
    if len(slots) == 0:
        return dictionary
    taken = list(dictionary[~unused])
    order = np.argsort(-errors, kind="stable")[:_CANDIDATES_PER_ATOM * len(slots)]
    pool = normalize_rows(candidates[order])
    pool = pool[np.linalg.norm(pool, axis=1) > 0]
    new = []
    for direction in pool:
        if len(new) == len(slots):
            break
        if not _repeats(direction, taken):
            new.append(direction)
            taken.append(direction)
    # Random directions; in very few dimensions (one feature: only +-1) distinct ones may
    # not exist, so after a bounded number of draws a repeat is accepted.
    draws = 0
    while len(new) < len(slots):
        direction = normalize_rows(rng.standard_normal((1, dictionary.shape[1])))[0]
        draws += 1
        if draws > _MAX_DRAWS_PER_ATOM * len(slots) or not _repeats(direction, taken):
            new.append(direction)
            taken.append(direction)
    dictionary[slots] = np.asarray(new, dtype=dictionary.dtype)
    return dictionary


def _repeats(direction, atoms):
    return bool(atoms) and np.abs(np.asarray(atoms) @ direction).max() > _SAME_DIRECTION
