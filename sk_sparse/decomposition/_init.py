"""Initial atoms and dead-atom reseeding, shared by every dictionary learner (K-SVD, MOD).

One rule for both: atoms start as training rows of distinct directions; after each
round's update, an atom that no signal used, or that repeats the direction of an earlier
atom, is replaced by one of the worst-represented rows, each such row used at most once
and only when its direction is new; where the data offer too few new directions, random
ones are used. Identical rows therefore never give identical atoms.
"""

from __future__ import annotations

import numpy as np

from ..utils._linalg import normalize_rows

# Two unit atoms with |cos| above this are the same direction.
_SAME_DIRECTION = 1 - 1e-6
# Candidate rows examined per atom sought, before random directions are used.
_CANDIDATES_PER_ATOM = 4
# Random draws per atom before a repeated direction is accepted (one feature has only
# two unit directions).
_MAX_DRAWS_PER_ATOM = 10


def _new_directions(candidates, taken, n_needed, rng, n_features):
    """``n_needed`` unit rows whose directions differ from ``taken`` and from each other.

    ``candidates`` are tried in order (zero rows skipped); random directions complete.
    """
    taken = list(taken)
    new = []
    pool = normalize_rows(candidates)
    for direction in pool[np.linalg.norm(pool, axis=1) > 0]:
        if len(new) == n_needed:
            break
        if not _repeats(direction, taken):
            new.append(direction)
            taken.append(direction)
    draws = 0
    while len(new) < n_needed:
        direction = normalize_rows(rng.standard_normal((1, n_features)))[0]
        draws += 1
        if draws > _MAX_DRAWS_PER_ATOM * n_needed or not _repeats(direction, taken):
            new.append(direction)
            taken.append(direction)
    return np.asarray(new).reshape(n_needed, n_features)


def _repeats(direction, atoms):
    return bool(atoms) and np.abs(np.asarray(atoms) @ direction).max() > _SAME_DIRECTION


def repeated_atoms(dictionary):
    """True for each atom whose direction repeats that of an earlier atom."""
    cosines = np.abs(normalize_rows(dictionary) @ normalize_rows(dictionary).T)
    return np.tril(cosines > _SAME_DIRECTION, k=-1).any(axis=1)


def initial_dictionary(X, n_components, rng, fixed_atoms=None):
    """``n_components`` unit atoms: ``fixed_atoms`` first, then training rows of distinct
    directions taken in random order (random directions if the rows offer too few).

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
    fixed = np.zeros((0, n_features)) if fixed_atoms is None else normalize_rows(fixed_atoms)
    n_free = n_components - len(fixed)
    order = rng.permutation(len(X))[:_CANDIDATES_PER_ATOM * n_free]
    free = _new_directions(X[order], fixed, n_free, rng, n_features)
    return np.concatenate([fixed, free]).astype(X.dtype, copy=False)


def reseed_atoms(dictionary, unused, X, errors, rng, n_fixed=0):
    """Replace the ``unused`` atoms, and atoms repeating an earlier one, in place.

    Parameters
    ----------
    dictionary : ndarray of shape (n_atoms, n_features)
        Unit atoms; replaced rows are overwritten.
    unused : ndarray of bool of shape (n_atoms,)
        Atoms no signal used.
    X : ndarray of shape (n_samples, n_features)
        Training rows, the candidates for new atoms.
    errors : ndarray of shape (n_samples,)
        How badly each row is represented; the worst are tried first.
    rng : numpy.random.RandomState
        For random directions when the rows offer too few new ones.
    n_fixed : int, default=0
        The first ``n_fixed`` atoms are never replaced.

    Returns
    -------
    replaced : ndarray of bool of shape (n_atoms,)
    """
    replaced = unused | repeated_atoms(dictionary)
    replaced[:n_fixed] = False
    n_needed = int(replaced.sum())
    if n_needed:
        order = np.argsort(-errors, kind="stable")[:_CANDIDATES_PER_ATOM * n_needed]
        dictionary[replaced] = _new_directions(X[order], dictionary[~replaced], n_needed,
                                               rng, dictionary.shape[1])
    return replaced

