"""Exact sparse-group codes by an active-set Newton method, compiled with numba.

For ``min_x 1/2 ||x D - s||^2 + lambda ||x||_1 + mu sum_g ||x_g||_2`` (lambda > 0) the
solution is not piecewise linear in lambda, so the homotopy path of :mod:`._homotopy`
does not apply. But once the support and its signs are known, the objective restricted
to that orthant is smooth (the l1 term is linear there, and ``||x_g||`` is smooth away
from ``x_g = 0``), and Newton's method solves it to rounding in a few steps. Per signal:

1. the correlations ``c = s D^T - x D D^T`` are recomputed from the code, and the KKT
   conditions checked: ``|c_j| <= lambda`` off the support in a group that has one,
   ``||S_lambda(c_g)|| <= mu`` for a group that has none (``S`` soft thresholding), and
   ``c_j = lambda sign(x_j) + mu x_j / ||x_g||`` on the support. When they hold, the code
   is certified optimal;
2. otherwise the atoms violating them most enter, up to half as many as the support
   holds and at least two (it doubles in a few rounds instead of growing by one),
   moved off zero along their excesses ``sign(c_j) (|c_j| - lambda)`` by the exact
   minimiser of a quadratic upper bound of the objective (a group with no support
   enters only through atoms whose excesses together beat ``mu``). The objective
   strictly decreases;
3. damped Newton steps (Armijo) minimise the objective over the support's orthant, to a
   tolerance that is loose while atoms are still entering and tight at the end. The
   Hessian is factored again only when the gradient stops shrinking fast (a chord
   method), and entering atoms' rows are appended to the last factor. A step that would
   flip signs is first tried with those coefficients at zero (all of them leave);
   otherwise it stops where the first reaches zero, and the atoms there leave, their
   rows removed from the factor by Givens rotations. A group whose optimum is zero
   shrinks radially (all its atoms in proportion, none first at zero) until
   ``mu / ||x_g||`` makes the Hessian singular; a group that a step shrinks a
   thousandfold is set to zero when that does not increase the objective. Then back
   to 1.

The objective does not increase (beyond rounding) at any step; a signal whose loop runs
too long, whose support would exceed the rank, or whose Hessian is singular, is reported
uncertified and solved by ADMM in :func:`~sk_sparse.coding.bpdn`. This is the
feature-sign search of Lee, Battle, Raina and Ng (2007) extended to the group term, with
Newton steps where the l1 problem solves one linear system.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._homotopy import (
    _KKT_RTOL,
    _KKT_SCALE_RTOL,
    _remove,
    _solve_gram,
    as_float64,
    correlations,
)

# Newton stops when its gradient is this fraction of the certificate's slack, or, while
# atoms are still entering, of the worst violation of the KKT conditions that let them in.
_NEWTON_FRACTION = 1e-2
_LOOSE = 0.1
_MAX_NEWTON = 60
# The Hessian is factored again when the gradient shrank by less than this factor.
_CHORD_RATE = 0.25
# Armijo's sufficient decrease and the number of halvings before giving up.
_ARMIJO = 1e-4
_MAX_HALVINGS = 40
# Atoms reaching zero within this factor of the step of the first one leave with it.
_TIE = 1.0 + 1e-9
# A group whose norm a step divided by more than 1 / _COLLAPSE is tried at zero.
_COLLAPSE = 1e-3
# A Cholesky pivot below this fraction of its diagonal entry: singular to rounding.
_SINGULAR = 1e-13
# Relative rounding of the objective, against the sum of the magnitudes of its terms.
_ROUNDING = 1e-13
# Support changes (atoms or groups entering or leaving) allowed per atom of the largest
# possible support before the signal is handed to ADMM.
_CHANGES_PER_ATOM = 8
_MIN_CHANGES = 100


# The dense kernels may reorder their sums (vectorised dot products); the certificate,
# computed from correlations recomputed in order, does not depend on it.
@njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _cholesky(h, first, k):
    """Rows ``first`` to ``k`` of the lower Cholesky factor of ``h[:k, :k]``, in place
    (the rows above are a factor already); False when not positive definite (to
    rounding)."""
    for i in range(first, k):
        for j in range(i + 1):
            value = h[i, j]
            for m in range(j):
                value -= h[i, m] * h[j, m]
            if i == j:
                if not value > _SINGULAR * h[i, i] + 1e-300:
                    return False
                h[i, i] = np.sqrt(value)
            else:
                h[i, j] = value / h[j, j]
    return True


@njit(nogil=True, cache=True)
def _group_norms(x, active, k, labels, norms):
    norms[:] = 0.0
    for i in range(k):
        atom = active[i]
        norms[labels[atom]] += x[atom] * x[atom]
    for g in range(norms.shape[0]):
        norms[g] = np.sqrt(norms[g])


@njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _decrease(sub, c0, lam, mu, x, active, k, labels, norms, gx, direction, t, moved):
    """The change of the objective when the support's coefficients move from ``x`` by
    ``t direction`` (``gx = G_AA x``, ``norms`` the group norms at ``x``), computed as a
    difference rather than of two objective values, which would cancel to rounding."""
    linear, quadratic, l1 = 0.0, 0.0, 0.0
    moved[:] = 0.0
    for i in range(k):
        a = active[i]
        d = direction[i]
        linear += (gx[i] - c0[a]) * d
        value = 0.0
        for m in range(k):
            value += sub[i, m] * direction[m]
        quadratic += d * value
        after = x[a] + t * d
        l1 += abs(after) - abs(x[a])
        moved[labels[a]] += after * after
    group = 0.0
    for g in range(norms.shape[0]):
        group += np.sqrt(moved[g]) - norms[g]
    return t * linear + 0.5 * t * t * quadratic + lam * l1 + mu * group


@njit(nogil=True, cache=True)
def _drop_zeros(x, active, signs, k, labels, count, max_changes, chol, sub):
    """Remove the atoms whose coefficient is zero or has lost its sign (rounding, or
    several atoms of a group reaching zero together), and their rows and columns of the
    factor ``chol``; returns the new support size."""
    for i in range(k - 1, -1, -1):
        a = active[i]
        if x[a] * signs[i] > 0.0:
            continue
        x[a] = 0.0
        count[labels[a]] -= 1
        max_changes[0] -= 1
        _remove(chol, k, i)
        for m in range(i, k - 1):
            active[m], signs[m] = active[m + 1], signs[m + 1]
        for r in range(k):
            for m in range(i, k - 1):
                sub[r, m] = sub[r, m + 1]
        for r in range(i, k - 1):
            for m in range(k - 1):
                sub[r, m] = sub[r + 1, m]
        k -= 1
    return k


@njit(nogil=True, cache=True)
def _factor_hessian(sub, mu, x, active, first, k, labels, norms, hess):
    """Rows ``first`` to ``k`` of the Cholesky factor of the Hessian over the support:
    the Gram block plus, per group, ``mu / ||x_g|| (I - u u^T)`` with ``u = x_g /
    ||x_g||``; False if singular. The rows above ``first`` are kept: with ``first > 0``
    the atoms that just entered are appended to the factor of an earlier Hessian, which
    the chord steps of :func:`_newton` accept."""
    for i in range(first, k):
        a = active[i]
        ga = labels[a]
        for m in range(i + 1):
            b = active[m]
            value = sub[i, m]
            if labels[b] == ga:
                weight = mu / norms[ga]
                value -= weight * x[a] * x[b] / (norms[ga] * norms[ga])
                if m == i:
                    value += weight
            hess[i, m] = value
    return _cholesky(hess, first, k)


@njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _newton(sub, c0, lam, mu, x, active, signs, k, labels, count, norms, grad, hess,
            step, trial, gx, moved, shrunk, tol, max_changes):
    """Minimise the objective over the orthant of the support ``active[:k]`` (signs
    ``signs``), dropping atoms that reach zero. Returns the new support size, or -1 if
    the Hessian is singular or the iterations ran out.

    The Hessian is factored again only when the gradient stops shrinking fast (a chord
    method): after atoms enter, the curvature of the group terms barely changes, and a
    step with the previous factor (``hess`` holds one for the support on entry) costs
    two triangular solves instead of a factorisation."""
    fresh, previous = True, np.inf
    for _ in range(_MAX_NEWTON):
        if k == 0:
            return 0
        _group_norms(x, active, k, labels, norms)
        worst, size = 0.0, 0.0
        for i in range(k):
            step[i] = x[active[i]]  # gathered: the products below read memory in order
        for i in range(k):
            a = active[i]
            value = 0.0
            for m in range(k):
                value += sub[i, m] * step[m]
            gx[i] = value
            grad[i] = value - c0[a] + lam * signs[i] + mu * x[a] / norms[labels[a]]
            worst = max(worst, abs(grad[i]))
            size += abs(x[a] * c0[a])
        if worst <= tol:
            return k
        refactored = False
        if not fresh or worst > _CHORD_RATE * previous:
            if not _factor_hessian(sub, mu, x, active, 0, k, labels, norms, hess):
                return -1
            fresh, refactored = True, True
        previous = worst
        _solve_gram(hess, k, grad, step)
        slope = 0.0
        for i in range(k):
            step[i] = -step[i]
            slope += grad[i] * step[i]
        # Near the optimum the decrease is below the rounding of the objective: a step
        # within that rounding is accepted (Newton converges there, and the gradient,
        # not the objective, tells when to stop).
        rounding = _ROUNDING * size
        # First the full step with every coefficient that would change sign set to zero
        # (projected Newton): when it decreases the objective, all those atoms leave at
        # once instead of one per step.
        crossing = False
        for i in range(k):
            a = active[i]
            trial[i] = step[i]
            if (x[a] + step[i]) * signs[i] <= 0.0:
                trial[i], crossing = -x[a], True
        if crossing and _decrease(sub, c0, lam, mu, x, active, k, labels, norms, gx, trial,
                                  1.0, moved) < -rounding:
            for i in range(k):
                x[active[i]] += trial[i]
            _zero_crossed(x, active, k, trial, 1.0)
            k = _drop_zeros(x, active, signs, k, labels, count, max_changes, hess, sub)
            if max_changes[0] < 0:
                return -1
            continue
        # The longest step that keeps every sign; the atoms reaching zero there leave.
        longest, leaving = 1.0, False
        for i in range(k):
            a = active[i]
            if x[a] * step[i] < 0.0 and -x[a] / step[i] < longest:
                longest, leaving = -x[a] / step[i], True
        t = longest
        for _ in range(_MAX_HALVINGS):
            change = _decrease(sub, c0, lam, mu, x, active, k, labels, norms, gx, step, t,
                               moved)
            if change <= _ARMIJO * t * slope + rounding:
                break
            t *= 0.5
            leaving = False
        else:
            if refactored:
                return -1
            fresh = False  # a stale factor gave a poor direction: factor again
            continue
        for i in range(k):
            x[active[i]] += t * step[i]
        if leaving:
            _zero_crossed(x, active, k, step, t)
        _collapse_groups(sub, c0, lam, mu, x, active, k, labels, gx, trial, moved, norms,
                         shrunk, rounding)
        k = _drop_zeros(x, active, signs, k, labels, count, max_changes, hess, sub)
        if max_changes[0] < 0:
            return -1
    return -1


@njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _collapse_groups(sub, c0, lam, mu, x, active, k, labels, gx, direction, moved, norms,
                     shrunk, rounding):
    """Set to zero each group that the step just taken shrank many times over
    (``norms`` are the group norms before it; they are overwritten) when that does not
    increase the objective.

    A group whose optimum is zero shrinks radially under Newton's steps, its atoms in
    proportion: none reaches zero first, the norm decays geometrically, and the Hessian's
    ``mu / ||x_g||`` becomes singular. Here it goes to zero at once instead."""
    _group_norms(x, active, k, labels, moved)
    candidates = False
    for g in range(norms.shape[0]):
        shrunk[g] = 0.0 < moved[g] <= _COLLAPSE * norms[g]
        candidates = candidates or shrunk[g]
    if not candidates:
        return
    for g in range(norms.shape[0]):
        if not shrunk[g]:
            continue
        _group_norms(x, active, k, labels, norms)
        for i in range(k):
            direction[i] = x[active[i]]
        for i in range(k):
            value = 0.0
            for m in range(k):
                value += sub[i, m] * direction[m]
            gx[i] = value
        for i in range(k):
            a = active[i]
            direction[i] = -x[a] if labels[a] == g else 0.0
        if _decrease(sub, c0, lam, mu, x, active, k, labels, norms, gx, direction, 1.0,
                     moved) <= rounding:
            for i in range(k):
                if labels[active[i]] == g:
                    x[active[i]] = 0.0


@njit(nogil=True, cache=True)
def _zero_crossed(x, active, k, direction, t):
    """Set to zero the coefficients that a step ``t direction`` (already taken) brought
    to zero up to rounding: the atoms of a group shrinking radially reach it together,
    and rounding would leave them tiny instead of zero."""
    for i in range(k):
        a = active[i]
        before = x[a] - t * direction[i]
        if before * direction[i] < 0.0 and -before / direction[i] <= _TIE * t:
            x[a] = 0.0


@njit(nogil=True, cache=True)
def _enter(j, corr, lam, x, active, signs, on, k, gram, sub):
    """Put atom ``j`` at position ``k`` of the support, its coefficient set to its
    excess ``sign(c_j) (|c_j| - lambda)`` (scaled afterwards)."""
    signs[k] = 1.0 if corr[j] > 0 else -1.0
    x[j] = signs[k] * (abs(corr[j]) - lam)
    active[k] = j
    on[j] = True
    for m in range(k + 1):
        sub[k, m] = sub[m, k] = gram[j, active[m]]


@njit(nogil=True, cache=True)
def _entry_bound(sub, mu, x, active, first, k, labels, count, norms, sizes):
    """The linear and quadratic coefficients of the bound on the objective along the
    entering atoms' coefficients ``x[active[first:k]]`` (see :func:`_solve`)."""
    gain, curvature = 0.0, 0.0
    sizes[:] = 0.0  # the squared norm of each group's part
    for i in range(first, k):
        a = active[i]
        sizes[labels[a]] += x[a] * x[a]
        for m in range(first, k):
            curvature += x[a] * sub[i, m] * x[active[m]]
    for g in range(norms.shape[0]):
        gain += sizes[g]
        if count[g] == 0:
            gain -= mu * np.sqrt(sizes[g])
        else:
            curvature += mu * sizes[g] / norms[g]
    return gain, curvature


@njit(nogil=True, cache=True)
def _solve(c0, gram, labels, starts, members, lam, mu, max_size, max_changes, x, corr,
           active, signs, on, count, violating, norms, grad, hess, sub, step, trial, gx,
           moved, shrunk):
    """The sparse-group code of one signal (correlations ``c0 = s D^T``), left in ``x``;
    returns whether it is certified by the KKT conditions."""
    n_atoms, n_groups = c0.shape[0], starts.shape[0] - 1
    top = 0.0
    for j in range(n_atoms):
        x[j] = 0.0
        on[j] = False
        top = max(top, abs(c0[j]))
    for g in range(n_groups):
        count[g] = 0
    slack = _KKT_RTOL * max(lam, mu) + _KKT_SCALE_RTOL * top
    tol = _NEWTON_FRACTION * slack
    budget = np.empty(1, dtype=np.int64)
    budget[0] = max_changes
    k = 0
    precise = False
    while True:
        correlations(c0, gram, x, active, k, corr)
        _group_norms(x, active, k, labels, norms)
        stationary = True
        for i in range(k):
            a = active[i]
            if abs(corr[a] - lam * signs[i] - mu * x[a] / norms[labels[a]]) > slack:
                stationary = False
        # The worst violation of the KKT conditions off the support: an atom of a group
        # that has a support, or a whole group that has none (``worst_group``).
        worst, worst_atom, worst_group = slack, -1, -1
        for g in range(n_groups):
            if count[g] == 0:
                excess = 0.0
                for p in range(starts[g], starts[g + 1]):
                    over = abs(corr[members[p]]) - lam
                    if over > 0.0:
                        excess += over * over
                excess = np.sqrt(excess) - mu
                violating[g] = excess > slack
                if excess > worst:
                    worst, worst_atom, worst_group = excess, -1, g
            else:
                violating[g] = False
                for p in range(starts[g], starts[g + 1]):
                    j = members[p]
                    if not on[j] and abs(corr[j]) - lam > worst:
                        worst, worst_atom, worst_group = abs(corr[j]) - lam, j, -1
        budget[0] -= 1
        if budget[0] < 0:
            return False
        if worst_atom < 0 and worst_group < 0:
            if stationary:
                return True
            # The support is right; its Newton solve, loose so far, is made tight.
            if precise:
                return False  # rounding defeats it
            precise = True
            k = _newton(sub, c0, lam, mu, x, active, signs, k, labels, count, norms, grad,
                        hess, step, trial, gx, moved, shrunk, tol, budget)
            if k < 0:
                return False
            for j in range(n_atoms):
                on[j] = False
            for i in range(k):
                on[active[i]] = True
            continue
        precise = False
        # Up to half as many atoms as the support holds (at least two) enter at once
        # (the support doubles in a few rounds of Newton rather than growing by one):
        # the largest excesses ``|c_j| - lambda`` among the atoms of supported groups
        # and of violating new groups. They move along d_j = sign(c_j) (|c_j| - lambda),
        # where the objective is below f(0) - t (||d||^2 - mu sum_new ||d_g||) + t^2 / 2
        # (d^T G d + sum_old mu ||d_g||^2 / ||x_g||) (the group norm's curvature is at
        # most mu / ||x_g||; a new group's norm is linear in t); the bound's minimiser
        # is taken. If the new groups' atoms do not beat mu (the linear term is not
        # negative), the worst violation alone enters: one atom, or a group with all its
        # atoms above lambda, for which it is.
        first = k
        for _ in range(max(2, k // 2)):
            best, chosen = slack, -1
            for j in range(n_atoms):
                if on[j]:
                    continue
                g = labels[j]
                if count[g] > 0 or violating[g]:
                    over = abs(corr[j]) - lam
                    if over > best:
                        best, chosen = over, j
            if chosen < 0 or k >= max_size:
                break
            _enter(chosen, corr, lam, x, active, signs, on, k, gram, sub)
            k += 1
        gain, curvature = _entry_bound(sub, mu, x, active, first, k, labels, count, norms,
                                       grad)
        if not gain > 0.0:
            for i in range(first, k):
                x[active[i]] = 0.0
                on[active[i]] = False
            k = first
            if worst_atom >= 0:
                if k >= max_size:
                    return False
                _enter(worst_atom, corr, lam, x, active, signs, on, k, gram, sub)
                k += 1
            else:
                for p in range(starts[worst_group], starts[worst_group + 1]):
                    j = members[p]
                    if abs(corr[j]) > lam:
                        if k >= max_size:
                            return False
                        _enter(j, corr, lam, x, active, signs, on, k, gram, sub)
                        k += 1
            gain, curvature = _entry_bound(sub, mu, x, active, first, k, labels, count,
                                           norms, grad)
        if not (gain > 0.0 and curvature > 0.0):
            return False
        scale = gain / curvature
        for i in range(first, k):
            a = active[i]
            x[a] *= scale
            count[labels[a]] += 1
        before = k
        # The entering atoms' rows are appended to the factor of the last Hessian.
        _group_norms(x, active, k, labels, norms)
        if not _factor_hessian(sub, mu, x, active, first, k, labels, norms, hess):
            if not _factor_hessian(sub, mu, x, active, 0, k, labels, norms, hess):
                return False
        k = _newton(sub, c0, lam, mu, x, active, signs, k, labels, count, norms, grad,
                    hess, step, trial, gx, moved, shrunk, max(tol, _LOOSE * worst), budget)
        if k < 0:
            return False
        if k < before:
            for j in range(n_atoms):
                on[j] = False
            for i in range(k):
                on[active[i]] = True


@njit(nogil=True, cache=True)
def _codes(sd, gram, labels, starts, members, lam, mu, max_size, max_changes):
    n_signals, n_atoms = sd.shape
    n_groups = starts.shape[0] - 1
    codes = np.zeros((n_signals, n_atoms))
    certified = np.zeros(n_signals, dtype=np.bool_)
    x, corr = np.empty(n_atoms), np.empty(n_atoms)
    active = np.empty(n_atoms, dtype=np.int64)
    signs = np.empty(n_atoms)
    on = np.empty(n_atoms, dtype=np.bool_)
    count = np.empty(n_groups, dtype=np.int64)
    violating = np.empty(n_groups, dtype=np.bool_)
    norms = np.empty(n_groups)
    grad, step, trial = np.empty(n_atoms), np.empty(n_atoms), np.empty(n_atoms)
    gx, moved = np.empty(n_atoms), np.empty(n_groups)
    shrunk = np.empty(n_groups, dtype=np.bool_)
    hess, sub = np.empty((max_size, max_size)), np.empty((max_size, max_size))
    for s in range(n_signals):
        certified[s] = _solve(sd[s], gram, labels, starts, members, lam[s], mu, max_size,
                              max_changes, x, corr, active, signs, on, count, violating,
                              norms, grad, hess, sub, step, trial, gx,
                              moved, shrunk)
        codes[s] = x
    return codes, certified


def sparse_group_codes(sd, gram, labels, lam, mu, rank):
    """Exact sparse-group codes of many signals.

    Takes what :func:`._homotopy.homotopy_codes` does (without the residual bounds),
    plus ``labels``, the group index ``0 .. n_groups - 1`` of each atom, and ``mu``, the
    positive weight of the group term; returns the codes and whether each is certified.
    """
    sd, gram, lam = as_float64(sd, gram, lam)
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    n_groups = int(labels.max()) + 1 if labels.size else 0
    members = np.argsort(labels, kind="stable").astype(np.int64)
    starts = np.searchsorted(labels[members], np.arange(n_groups + 1)).astype(np.int64)
    rank = max(1, min(int(rank), gram.shape[0]))
    max_changes = max(_MIN_CHANGES, _CHANGES_PER_ATOM * rank)
    return _codes(sd, gram, labels, starts, members, lam, float(mu), rank, max_changes)
