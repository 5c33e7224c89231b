"""Exact finishing of l1 codes: an active-set search started from ADMM's iterates.

ADMM converges slowly on coherent overcomplete dictionaries, but its iterates point at
the support and signs of the solution. The l1 problem restricted to a support and signs is
a small linear system, and a solution that satisfies the KKT conditions of the full
problem is the exact optimum. :func:`polish` runs that search for many signals at once.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from ..utils._linalg import compact

# Supports are solved in batches of similar size (up to 4, 8, 16, ... atoms): the padded
# batched solve costs the cube of the largest support in its batch.
_SIZE_CLASSES = (4, 8, 16, 32, 64, 128, 256, 512, 1024, np.inf)
# Relative and absolute slack of the KKT check |s D^T - x D D^T| <= lambda off the support.
_KKT_RTOL = 1e-7
_KKT_ATOL = 1e-12
# Atoms joining a support per correction: at least polish's n_add, a quarter of the
# violating atoms when there are more, at most _MAX_ADDED. On supports of 40-60 atoms
# (Gaussian dictionaries) this cut the time by a third; more (a half, or up to 16)
# brought in wrong atoms that had to leave again.
_ADD_FRACTION = 0.25
_MAX_ADDED = 8
# The product with the Gram matrix is sparse when supports fill less than a quarter of the
# atoms on average.
_SPARSE_PRODUCT = 4


def _solve_on_support(sd, gram, support, signs, lam, sizes):
    """``x_S (D_S D_S^T) = s D_S^T - lam sigma`` for every signal, batched.

    ``gram`` is ``D D^T`` bordered by a zero row and column (:func:`_bordered`), the
    padding of the batched solves. ``sizes`` is ``support.sum(axis=1)``. Returns the
    codes as a padded list: ``index`` (the atoms of each support in increasing order,
    padded with the border atom ``n_atoms``) and ``values`` (zero at the padding), and
    whether each solution has the signs ``signs`` asked for. Rows are grouped by support
    size (up to 4, 8, 16, ... atoms) so that the padding of each batched solve, whose
    cost grows with the cube of the largest support, stays small; each group reads only
    its rows' entries of ``sd`` and ``signs`` (copying whole rows of them per group cost
    more than the solves on small supports).
    """
    n_signals, n_atoms = support.shape
    largest = int(sizes.max()) if n_signals else 0
    index = np.full((n_signals, max(largest, 1)), n_atoms, dtype=np.intp)
    values = np.zeros(index.shape, dtype=sd.dtype)
    signs_agree = np.ones(n_signals, dtype=bool)
    if largest == 0:
        return index, values, signs_agree
    signal, atom = np.nonzero(support)
    slot = np.arange(len(atom)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    index[signal, slot] = atom
    size_class = np.searchsorted(_SIZE_CLASSES, sizes)
    for label in np.unique(size_class[sizes > 0]):
        rows = np.flatnonzero(size_class == label)
        width = int(sizes[rows].max())
        sub_index = index[rows, :width]
        valid = sub_index < n_atoms
        inside = np.minimum(sub_index, n_atoms - 1)
        sub_signs = np.where(valid, signs[rows[:, np.newaxis], inside], 0.0)
        rhs = np.where(valid, sd[rows[:, np.newaxis], inside] - lam[rows] * sub_signs, 0.0)
        sub_gram = gram[sub_index[:, :, np.newaxis], sub_index[:, np.newaxis, :]]
        diagonal = np.arange(width)
        # The padded systems need only ones on their diagonal: the border atom's row and
        # column of the Gram matrix are zero.
        sub_gram[:, diagonal, diagonal] += ~valid
        try:
            solved = np.linalg.solve(sub_gram, rhs[..., np.newaxis])[..., 0]
        except np.linalg.LinAlgError:  # dependent atoms on some support: give up this round
            signs_agree[rows] = False
            continue
        values[rows, :width] = solved
        signs_agree[rows] = np.all(~valid | (np.sign(solved) == sub_signs), axis=1)
    return index, values, signs_agree


def _scatter(index, values, n_atoms):
    """Dense codes ``(n, n_atoms)`` from the padded list of :func:`_solve_on_support`."""
    codes = np.zeros((index.shape[0], n_atoms + 1), dtype=values.dtype)
    np.put_along_axis(codes, index, values, axis=1)
    return codes[:, :n_atoms]


def _times_gram(index, values, sizes, codes, gram):
    """``codes @ gram``; from the padded list when the supports are small.

    A sparse product costs ``sizes.sum() * n_atoms`` multiplications instead of
    ``n * n_atoms**2``: on 8 x 8 patches (2 atoms of 256 on average) it took half the
    time of the dense one.
    """
    n_signals, n_atoms = codes.shape
    if _SPARSE_PRODUCT * sizes.sum() >= n_signals * n_atoms:
        return codes @ gram
    valid = index < n_atoms  # each row's first ``sizes`` slots, in row order
    indptr = np.concatenate(([0], np.cumsum(sizes)))
    sparse = csr_matrix((values[valid], index[valid], indptr), shape=codes.shape)
    return np.asarray(sparse @ gram)


def _bordered(gram):
    """``gram`` with one more row and column of zeros."""
    n_atoms = gram.shape[0]
    bordered = np.zeros((n_atoms + 1, n_atoms + 1), dtype=gram.dtype)
    bordered[:n_atoms, :n_atoms] = gram
    return bordered


def polish(sd, gram, z, lam, max_support, n_refine=3, n_add=1, max_cost=np.inf):
    """Exact l1 solutions from the supports and signs of the ADMM iterates ``z``.

    On a support ``S`` with signs ``sigma`` the Lasso optimum solves
    ``x_S (D_S D_S^T) = s D_S^T - lam sigma``; the result is the global optimum exactly when
    its signs are ``sigma`` and ``|s D^T - x D D^T| <= lam`` off the support (KKT
    conditions). Up to ``n_refine`` active-set corrections follow a failed check: the
    atoms violating the bound most (``n_add``, or a quarter of the violating atoms when
    that is more, up to 8) join the support with the sign of their correlation, atoms
    whose sign flipped leave it. Supports larger than ``max_support``
    are not tried (the padded batched solve costs the cube of the largest support), and a
    signal's corrections stop once the summed cubes of its supports exceed ``max_cost``.
    Returns the codes and which of them are certified optimal.
    """
    codes = np.zeros_like(z)
    certified = np.zeros(z.shape[0], dtype=bool)
    # Working set, compacted as signals are certified or run out of budget.
    nonzero = z != 0
    all_sizes = nonzero.sum(axis=1)
    rows = np.flatnonzero(all_sizes <= max_support)
    sizes, signs = all_sizes[rows], np.sign(z[rows])
    sd, lam = sd[rows], lam[rows]
    cost = np.zeros(len(rows))  # per signal, so that no signal's result depends on others
    bordered = _bordered(gram)
    for attempt in range(n_refine + 1):
        support = signs != 0
        cost += sizes.astype(np.float64) ** 3
        index, values, signs_agree = _solve_on_support(sd, bordered, support, signs, lam,
                                                       sizes)
        candidate = _scatter(index, values, gram.shape[0])
        correlation = sd - _times_gram(index, values, sizes, candidate, gram)
        # How far each atom off the support exceeds the bound (violations are > 0).
        excess = np.abs(correlation)
        excess -= lam * (1 + _KKT_RTOL) + _KKT_ATOL
        np.copyto(excess, 0.0, where=support)
        violation = excess > 0
        ok = signs_agree & ~violation.any(axis=1)
        codes[rows[ok]] = candidate[ok]
        certified[rows[ok]] = True
        if attempt == n_refine or ok.all():
            break
        fail = np.flatnonzero(~ok)
        rows, sd, lam, cost = rows[fail], sd[fail], lam[fail], cost[fail]
        excess, violation, correlation = excess[fail], violation[fail], correlation[fail]
        # Atoms whose sign flipped leave the support.
        signs = signs[fail]
        signs *= candidate[fail] * signs > 0
        # The largest violations join: n_add, or a fraction of the violating atoms when
        # there are many (large supports then take a few corrections, not tens). Rows
        # with no more violations than that take them all, without a ranking.
        n_violating = violation.sum(axis=1)
        counts = np.minimum(np.maximum(n_add, np.ceil(_ADD_FRACTION * n_violating)),
                            _MAX_ADDED).astype(np.intp)
        added = violation  # in place: the violations are not needed after this
        ranking = np.flatnonzero(n_violating > counts)
        if len(ranking):
            widest = int(counts[ranking].max())
            top = np.argpartition(-excess[ranking], widest - 1, axis=1)[:, :widest]
            ranked = np.take_along_axis(top, np.argsort(
                -np.take_along_axis(excess[ranking], top, axis=1), axis=1), axis=1)
            chosen = np.zeros((len(ranking), excess.shape[1]), dtype=bool)
            np.put_along_axis(chosen, ranked,
                              np.arange(widest) < counts[ranking, np.newaxis], axis=1)
            added[ranking] = chosen
        np.copyto(signs, np.sign(correlation), where=added)
        sizes = np.count_nonzero(signs, axis=1)
        affordable = (sizes <= max_support) & (cost <= max_cost)
        rows, sizes, signs, sd, lam, cost = compact(
            affordable, rows, sizes, signs, sd, lam, cost)
        if len(rows) == 0:
            break
    return codes, certified


