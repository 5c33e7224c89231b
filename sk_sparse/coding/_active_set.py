"""Exact finishing of l1 codes: an active-set search started from ADMM's iterates.

ADMM converges slowly on coherent overcomplete dictionaries, but its iterates point at
the support and signs of the solution. The l1 problem restricted to a support and signs is
a small linear system, and a solution that satisfies the KKT conditions of the full
problem is the exact optimum. :func:`polish` runs that search for many signals at once.
"""

from __future__ import annotations

import numpy as np

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


def _solve_on_support(sd, gram, support, signs, lam, sizes):
    """``x_S (D_S D_S^T) = s D_S^T - lam sigma`` for every signal, batched.

    ``gram`` is ``D D^T`` bordered by a zero row and column (:func:`_bordered`), the
    padding of the batched solves. ``sizes`` is ``support.sum(axis=1)``. Rows are
    grouped by support size (up to 4, 8, 16, ... atoms) so that the padding of each
    batched solve, whose cost grows with the cube of the largest support, stays small.
    """
    codes = np.zeros(support.shape, dtype=sd.dtype)
    signs_agree = np.ones(len(sizes), dtype=bool)
    lower = -1
    for upper in _SIZE_CLASSES:
        rows = np.flatnonzero((sizes > lower) & (sizes <= upper))
        lower = upper
        if len(rows):
            codes[rows], signs_agree[rows] = _solve_padded(sd[rows], gram, support[rows],
                                                           signs[rows], lam[rows], sizes[rows])
    return codes, signs_agree


def _solve_padded(sd, gram, support, signs, lam, sizes):
    n_signals = support.shape[0]
    largest = int(sizes.max()) if n_signals else 0
    codes = np.zeros(support.shape, dtype=sd.dtype)
    if largest == 0:
        return codes, np.ones(n_signals, dtype=bool)
    # Atoms of each support, in increasing order (without a sort), padded with the
    # border atom, whose row and column of the bordered Gram matrix are zero: the padded
    # systems need only ones on their diagonal.
    n_atoms = support.shape[1]
    signal, atom = np.nonzero(support)
    slot = np.arange(len(atom)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    index = np.full((n_signals, largest), n_atoms, dtype=np.intp)
    index[signal, slot] = atom
    valid = index < n_atoms
    sub_gram = gram[index[:, :, np.newaxis], index[:, np.newaxis, :]]
    diagonal = np.arange(largest)
    sub_gram[:, diagonal, diagonal] += ~valid
    inside = np.minimum(index, n_atoms - 1)
    sub_signs = np.where(valid, np.take_along_axis(signs, inside, axis=1), 0.0)
    rhs = np.where(valid, np.take_along_axis(sd, inside, axis=1) - lam * sub_signs, 0.0)
    try:
        values = np.linalg.solve(sub_gram, rhs[..., np.newaxis])[..., 0]
    except np.linalg.LinAlgError:  # dependent atoms on some support: give up this round
        return codes, np.zeros(n_signals, dtype=bool)
    signs_agree = np.all(~valid | (np.sign(values) == sub_signs), axis=1)
    rows = np.repeat(np.arange(n_signals), largest)[valid.ravel()]
    codes[rows, index[valid]] = values[valid]
    return codes, signs_agree


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
    support, sizes, signs = nonzero[rows], all_sizes[rows], np.sign(z[rows])
    sd, lam = sd[rows], lam[rows]
    cost = np.zeros(len(rows))  # per signal, so that no signal's result depends on others
    bordered = _bordered(gram)
    for attempt in range(n_refine + 1):
        cost += sizes.astype(np.float64) ** 3
        candidate, signs_agree = _solve_on_support(sd, bordered, support, signs, lam, sizes)
        correlation = sd - candidate @ gram
        violation = ~support & (np.abs(correlation) > lam * (1 + _KKT_RTOL) + _KKT_ATOL)
        ok = signs_agree & ~violation.any(axis=1)
        codes[rows[ok]] = candidate[ok]
        certified[rows[ok]] = True
        if attempt == n_refine or ok.all():
            break
        rows, candidate, violation, correlation, support, signs, sd, lam, cost = compact(
            ~ok, rows, candidate, violation, correlation, support, signs, sd, lam, cost)
        keep = support & (np.sign(candidate) == signs)
        excess = np.where(violation, np.abs(correlation), 0.0)
        # The largest violations: n_add, or a fraction of the violating atoms when there
        # are many (large supports then take a few corrections, not tens).
        n_violating = violation.sum(axis=1)
        counts = np.minimum(np.maximum(n_add, np.ceil(_ADD_FRACTION * n_violating)),
                            _MAX_ADDED).astype(np.intp)
        widest = int(min(counts.max(), excess.shape[1]))
        top = np.argpartition(-excess, widest - 1, axis=1)[:, :widest]
        ranked = np.take_along_axis(top, np.argsort(-np.take_along_axis(excess, top, axis=1),
                                                    axis=1), axis=1)
        chosen = np.arange(widest)[np.newaxis, :] < counts[:, np.newaxis]
        added = np.zeros_like(violation)
        np.put_along_axis(added, ranked, chosen, axis=1)
        added &= violation
        support = keep | added
        signs = np.where(added, np.sign(correlation), np.where(keep, signs, 0.0))
        sizes = support.sum(axis=1)
        affordable = (sizes <= max_support) & (cost <= max_cost)
        rows, support, sizes, signs, sd, lam, cost = compact(
            affordable, rows, support, sizes, signs, sd, lam, cost)
        if len(rows) == 0:
            break
    return codes, certified


