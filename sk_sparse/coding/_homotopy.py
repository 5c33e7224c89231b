"""Exact l1 codes by the homotopy (LARS-lasso) path, compiled with numba.

For ``min_x 1/2 ||x D - s||^2 + lambda ||x||_1`` the solution is piecewise linear in
lambda (Osborne, Presnell and Turlach, 2000; Efron et al., 2004). The path starts at
``x = 0`` for ``lambda >= max |s D^T|`` and, between breakpoints, moves the support's
coefficients along ``(D_A D_A^T)^{-1} sigma_A``; a breakpoint is an atom whose
correlation reaches the current lambda (it joins) or a coefficient that reaches zero (it
leaves). The path is followed down to the requested lambda. Each step costs one product
of the direction with the support's rows of the Gram matrix ``D D^T`` and two triangular
solves with its Cholesky factor, which grows by one row when an atom joins and loses one
by Givens rotations when an atom leaves. This is what SPAMS's ``lasso`` does in C++;
here it is one compiled loop per signal, the signals of a chunk one after the other (no
Python per signal, no padding of batched solves). Stopped instead where the residual,
which shrinks along the path, meets a bound, the same path solves ``min ||x||_1``
subject to ``||x D - s|| <= epsilon`` (:func:`~sk_sparse.coding.constrained_l1`).

A path from ``x = 0`` takes at least one step per atom of the final support, each
costing a product with that many rows of the Gram matrix: codes that use most atoms of
a small, undercomplete dictionary (a learned dictionary of 64 atoms for 15 x 15 patches
at a small lambda) are the most expensive ones. Their path is shorter from the other
end. When the atoms are linearly independent, the code at ``lambda = 0`` is the
least-squares solution on every atom, and the same path, followed *up* from it, reaches
the requested lambda after one step per atom that leaves (or joins again). The
least-squares codes of a whole chunk cost two triangular solves with one Cholesky
factor of the Gram matrix, and so does a first-order prediction of how many atoms leave
before the requested lambda; each signal then takes the end it is predicted to reach
sooner (:data:`_REVERSE_FRACTION`), which depends on that signal alone. Both ends give
the same code, to rounding.

Every code is certified before it is returned: the correlations are recomputed from the
code, and the KKT conditions (``|s D^T - x D D^T| <= lambda``, with equality and the
code's sign on the support) are checked. A signal whose path failed (an atom refused
because it lies in the span of the support and later needed, a support as large as the
rank, too many steps) is reported uncertified, and :func:`~sk_sparse.coding.bpdn` solves
it by ADMM instead.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.linalg import cho_solve

# Slack of the KKT certificate: relative to lambda, and to the largest correlation (the
# rounding of correlations recomputed from the code grows with the signal's scale).
_KKT_RTOL = 1e-7
_KKT_SCALE_RTOL = 1e-12
# An atom whose new Cholesky pivot is below this fraction of its squared norm lies (to
# rounding) in the span of the support: it is refused, as the factor would be singular
# with it, and the certificate tells whether the code is optimal without it.
_PIVOT_RTOL = 1e-10
# Breakpoints closer than this fraction of the starting lambda are rounding: an atom that
# has just left has a correlation equal to lambda up to rounding, and would join again.
_STEP_FLOOR = 1e-12
# Steps allowed per atom of the largest possible support before the path is abandoned.
_STEPS_PER_ATOM = 8
_MIN_STEPS = 100
# The path from the least-squares end is taken by a signal predicted to lose at most
# this fraction of the atoms. Per signal, the path from zero to a support of K of n
# atoms costs about n K^2 / 2 + K^3 / 3 (products with the Gram rows, triangular
# solves), the path from the other end about 2 k^2 per atom that leaves (k ~ n atoms on
# the support): they cost the same near a quarter (measured on learned dictionaries of
# 64 atoms: the same time at 17-19 predicted departures, 4 times less at 6).
_REVERSE_FRACTION = 0.25
# A path from the least-squares end that needs more steps than this fraction of the
# atoms is abandoned (the prediction was wrong) and the signal starts again from zero.
_REVERSE_STEPS = 0.5
# The least-squares end is tried on dictionaries of at most this many (independent)
# atoms, where its solves cost a few percent of a path: they cost 2 n^2 per signal
# whatever the support, as much as a whole path of a few atoms on SRC's 500.
_REVERSE_MAX_ATOMS = 128

# Membership of each atom: off the support, on it, refused (in the span of the support).
_OFF, _ON, _REFUSED = 0, 1, 2
# What ends a step of the path.
_REACHED, _JOINS, _LEAVES = 0, 1, 2


# The triangular solves and the factor's growth may reorder their sums (vectorised dot
# products); the certificate does not depend on it.
@njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _solve_gram(chol, k, rhs, out):
    """``out[:k] = (L L^T)^{-1} rhs[:k]`` for the lower-triangular ``L = chol[:k, :k]``;
    both solves read ``L`` by rows."""
    for i in range(k):
        value = rhs[i]
        for m in range(i):
            value -= chol[i, m] * out[m]
        out[i] = value / chol[i, i]
    for i in range(k - 1, -1, -1):
        out[i] /= chol[i, i]
        value = out[i]
        for m in range(i):
            out[m] -= chol[i, m] * value


@njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _append(gram, active, k, atom, chol):
    """Grow the Cholesky factor of the support's Gram matrix by ``atom``; False when its
    pivot is too small (``atom`` lies in the span of the support)."""
    pivot = gram[atom, atom]
    for i in range(k):
        value = gram[active[i], atom]
        for m in range(i):
            value -= chol[i, m] * chol[k, m]
        value /= chol[i, i]
        chol[k, i] = value
        pivot -= value * value
    if not pivot > _PIVOT_RTOL * gram[atom, atom]:
        return False
    chol[k, k] = np.sqrt(pivot)
    return True


@njit(nogil=True, cache=True)
def _remove(chol, k, which):
    """Delete row and column ``which`` of the Cholesky factor ``chol[:k, :k]``: the rows
    below move up, and Givens rotations of adjacent columns make the factor
    lower-triangular again (O(k^2) instead of a new factorisation)."""
    for i in range(which, k - 1):
        for m in range(i + 2):
            chol[i, m] = chol[i + 1, m]
    for j in range(which, k - 1):
        a, b = chol[j, j], chol[j, j + 1]
        norm = np.hypot(a, b)
        cos, sin = a / norm, b / norm
        chol[j, j], chol[j, j + 1] = norm, 0.0
        for m in range(j + 1, k - 1):
            u, v = chol[m, j], chol[m, j + 1]
            chol[m, j] = cos * u + sin * v
            chol[m, j + 1] = cos * v - sin * u


@njit(nogil=True, cache=True)
def correlations(c, gram, x, active, k, out):
    """``out = c - x D D^T`` for the code ``x`` with support ``active[:k]`` (``c = s
    D^T``), recomputed from the code support row by support row: contiguous reads of the
    Gram matrix. The certificates of every exact solver use it."""
    for j in range(c.shape[0]):
        out[j] = c[j]
    for i in range(k):
        row, value = active[i], x[active[i]]
        for j in range(c.shape[0]):
            out[j] -= gram[row, j] * value


@njit(nogil=True, cache=True)
def _certified(c, gram, lam, top, x, active, k, state, work):
    """Whether ``x`` (support ``active[:k]``) satisfies the KKT conditions, from
    correlations recomputed from the code (in ``work``) rather than updated along the
    path (``top`` is the largest correlation of the signal)."""
    slack = _KKT_RTOL * lam + _KKT_SCALE_RTOL * top
    correlations(c, gram, x, active, k, work)
    for j in range(c.shape[0]):
        correlation = work[j]
        if state[j] == _ON and x[j] != 0.0:
            if abs(correlation - np.sign(x[j]) * lam) > slack:
                return False
        elif abs(correlation) > lam + slack:
            return False
    return True


@njit(nogil=True, cache=True, inline="always")
def _closes_first(gap, rate, step, floor):
    """Whether a correlation ``gap`` away from +-lambda, the gap closing at ``rate`` per
    unit of the path's step, reaches it before ``step``, and not at once (a gap within
    ``floor`` is rounding). Compared by products, divided by the caller only for a new
    minimum: two divisions per atom and step cost more than the rest of the step."""
    return rate > 1e-12 and gap < step * rate and gap > floor * rate


@njit(nogil=True, cache=True)
def _path(c, gram, lam, residual, target, max_size, max_steps, x, corr, active, signs,
          chol, direction, slope, state):
    """Follow the path of one signal (correlations ``c = s D^T``) down to ``lam``, or
    until its squared residual (``residual = ||s||^2`` at ``x = 0``) falls to ``target``
    when ``target >= 0``; the code is left in ``x``. Returns whether it is certified, and
    the lambda where the path stopped."""
    n_atoms = c.shape[0]
    top, first = 0.0, -1
    for j in range(n_atoms):
        x[j] = 0.0
        corr[j] = c[j]
        state[j] = _OFF
        if abs(c[j]) > top:
            top, first = abs(c[j]), j
    if top <= lam or residual <= target:
        return True, top
    level = top  # the current lambda of the path
    floor = _STEP_FLOOR * top
    k = 0
    joining = first
    for _ in range(max_steps):
        if joining >= 0:
            if k < max_size and _append(gram, active, k, joining, chol):
                active[k] = joining
                signs[k] = 1.0 if corr[joining] > 0 else -1.0
                state[joining] = _ON
                k += 1
            else:
                state[joining] = _REFUSED
            joining = -1
        # The direction of the support's coefficients and of every correlation.
        _solve_gram(chol, k, signs, direction)
        for j in range(n_atoms):
            slope[j] = 0.0
        for i in range(k):
            row, weight = active[i], direction[i]
            for j in range(n_atoms):
                slope[j] += weight * gram[row, j]
        # The first breakpoint (an atom joins or leaves), or the requested lambda.
        step, event, which = level - lam, _REACHED, -1
        for j in range(n_atoms):
            if state[j] != _OFF:
                continue
            slope_j = slope[j]
            corr_j = corr[j]
            if _closes_first(level - corr_j, 1.0 - slope_j, step, floor):
                step, event, which = (level - corr_j) / (1.0 - slope_j), _JOINS, j
            if _closes_first(level + corr_j, 1.0 + slope_j, step, floor):
                step, event, which = (level + corr_j) / (1.0 + slope_j), _JOINS, j
        for i in range(k):
            value = x[active[i]]
            if value * direction[i] < 0.0:
                candidate = -value / direction[i]
                if candidate < step:
                    step, event, which = candidate, _LEAVES, i
        if target >= 0.0:
            # Along the step the squared residual is residual - 2 t level a + t^2 a, with
            # a = sigma . w = w^T G_AA w > 0 (it decreases while t < level): stop where
            # it reaches the target.
            curvature = 0.0
            for i in range(k):
                curvature += signs[i] * direction[i]
            after = residual - 2.0 * step * level * curvature + step * step * curvature
            if after <= target and curvature > 0.0:
                half = level * curvature
                root = np.sqrt(max(half * half - curvature * (residual - target), 0.0))
                step, event = (half - root) / curvature, _REACHED
                residual = target
            else:
                residual = after
        for i in range(k):
            x[active[i]] += step * direction[i]
        for j in range(n_atoms):
            corr[j] -= step * slope[j]
        level -= step
        if event == _REACHED:
            return _certified(c, gram, level, top, x, active, k, state, slope), level
        if event == _JOINS:
            joining = which
        else:
            atom = active[which]
            x[atom] = 0.0
            for i in range(which, k - 1):
                active[i] = active[i + 1]
                signs[i] = signs[i + 1]
            k -= 1
            # The span of the support changed: refused atoms may join again.
            for j in range(n_atoms):
                if state[j] == _REFUSED:
                    state[j] = _OFF
            state[atom] = _OFF
            _remove(chol, k + 1, which)
    return False, level


@njit(nogil=True, cache=True)
def _paths(sd, gram, lam, residuals, targets, max_size, max_steps):
    n_signals, n_atoms = sd.shape
    codes = np.zeros((n_signals, n_atoms))
    certified = np.zeros(n_signals, dtype=np.bool_)
    levels = np.zeros(n_signals)
    x, corr = np.empty(n_atoms), np.empty(n_atoms)
    direction, slope, signs = np.empty(n_atoms), np.empty(n_atoms), np.empty(n_atoms)
    active = np.empty(n_atoms, dtype=np.int64)
    state = np.empty(n_atoms, dtype=np.int8)
    chol = np.zeros((max_size + 1, max_size + 1))
    for s in range(n_signals):
        certified[s], levels[s] = _path(sd[s], gram, lam[s], residuals[s], targets[s],
                                        max_size, max_steps, x, corr, active, signs, chol,
                                        direction, slope, state)
        codes[s] = x
    return codes, certified, levels


@njit(nogil=True, cache=True)
def _reverse_path(c, gram, full_chol, start, lam, max_steps, x, corr, active, signs,
                  chol, direction, slope, state, inactive):
    """Follow the path of one signal *up* from ``lambda = 0``, where its code is the
    least-squares ``start`` on every atom (the Gram matrix is positive definite, with
    Cholesky factor ``full_chol``), to ``lam``; the code is left in ``x``. Between
    breakpoints the support's coefficients move along ``-(D_A D_A^T)^{-1} sigma_A`` and
    the correlations of the atoms off the support (``inactive``, only those are kept)
    along the product of that direction with their Gram rows; a breakpoint is a
    coefficient that reaches zero (it leaves) or an off-support correlation that reaches
    the growing lambda (it joins). Returns whether the code is certified, False also
    when ``max_steps`` did not reach ``lam``."""
    n_atoms = c.shape[0]
    top = 0.0
    for j in range(n_atoms):
        top = max(top, abs(c[j]))
    for i in range(n_atoms):
        if start[i] == 0.0:  # no sign to start from: the path from zero decides
            return False
        for m in range(i + 1):
            chol[i, m] = full_chol[i, m]
        active[i] = i
        signs[i] = 1.0 if start[i] > 0.0 else -1.0
        x[i] = start[i]
        state[i] = _ON
    k, n_off, level = n_atoms, 0, 0.0
    floor = _STEP_FLOOR * top
    for _ in range(max_steps):
        _solve_gram(chol, k, signs, direction)
        for t in range(n_off):
            j = inactive[t]
            value = 0.0
            for i in range(k):
                value += gram[active[i], j] * direction[i]
            slope[j] = value
        # The first breakpoint above the current lambda, or the requested one. An
        # off-support correlation moves as corr + t slope while lambda grows as
        # level + t: it reaches +lambda when slope > 1, -lambda when slope < -1.
        step, event, which = lam - level, _REACHED, -1
        for t in range(n_off):
            j = inactive[t]
            slope_j, corr_j = slope[j], corr[j]
            if _closes_first(level - corr_j, slope_j - 1.0, step, floor):
                step, event, which = (level - corr_j) / (slope_j - 1.0), _JOINS, t
            if _closes_first(level + corr_j, -1.0 - slope_j, step, floor):
                step, event, which = (level + corr_j) / (-1.0 - slope_j), _JOINS, t
        for i in range(k):
            value = x[active[i]]
            if value * direction[i] > 0.0:
                candidate = value / direction[i]
                if candidate < step:
                    step, event, which = candidate, _LEAVES, i
        for i in range(k):
            x[active[i]] -= step * direction[i]
        for t in range(n_off):
            j = inactive[t]
            corr[j] += step * slope[j]
        level += step
        if event == _REACHED:
            return _certified(c, gram, lam, top, x, active, k, state, slope)
        if event == _JOINS:
            atom = inactive[which]
            if not _append(gram, active, k, atom, chol):
                return False
            active[k] = atom
            signs[k] = 1.0 if corr[atom] > 0.0 else -1.0
            state[atom] = _ON
            k += 1
            n_off -= 1
            inactive[which] = inactive[n_off]
        else:
            atom = active[which]
            x[atom] = 0.0
            # On the support its correlation was sign * lambda (the KKT condition).
            corr[atom] = signs[which] * level
            for i in range(which, k - 1):
                active[i] = active[i + 1]
                signs[i] = signs[i + 1]
            k -= 1
            state[atom] = _OFF
            _remove(chol, k + 1, which)
            inactive[n_off] = atom
            n_off += 1
    return False


@njit(nogil=True, cache=True)
def _reverse_paths(sd, gram, full_chol, starts, lam, max_steps):
    n_signals, n_atoms = sd.shape
    codes = np.zeros((n_signals, n_atoms))
    certified = np.zeros(n_signals, dtype=np.bool_)
    x, corr = np.empty(n_atoms), np.empty(n_atoms)
    direction, slope, signs = np.empty(n_atoms), np.empty(n_atoms), np.empty(n_atoms)
    active = np.empty(n_atoms, dtype=np.int64)
    inactive = np.empty(n_atoms, dtype=np.int64)
    state = np.empty(n_atoms, dtype=np.int8)
    chol = np.zeros((n_atoms + 1, n_atoms + 1))
    for s in range(n_signals):
        certified[s] = _reverse_path(sd[s], gram, full_chol, starts[s], lam[s], max_steps,
                                     x, corr, active, signs, chol, direction, slope,
                                     state, inactive)
        if certified[s]:
            codes[s] = x
    return codes, certified


def _independent_factor(gram):
    """The Cholesky factor of the Gram matrix when its atoms are independent (every
    pivot above the refusal threshold of the path), else None."""
    try:
        factor = np.linalg.cholesky(gram)
    except np.linalg.LinAlgError:
        return None
    pivots = np.diag(factor) ** 2
    if not np.all(pivots > _PIVOT_RTOL * np.diag(gram)):
        return None
    return factor


def _from_least_squares(sd, gram, lam):
    """Codes of the signals predicted to reach ``lam`` sooner from the least-squares
    end, and which signals those are (certified ones only; the rest take the path from
    zero). Nothing when the dictionary is too large or its atoms dependent."""
    n_signals, n_atoms = sd.shape
    none = np.zeros((0, n_atoms)), np.zeros(n_signals, dtype=bool)
    if n_atoms > _REVERSE_MAX_ATOMS or n_signals == 0:
        return none
    factor = _independent_factor(gram)
    if factor is None:
        return none
    starts = np.ascontiguousarray(cho_solve((factor, True), sd.T).T)
    # First order: the coefficient j reaches zero at lambda = start_j / d_j with d the
    # starting direction (D D^T)^{-1} sign(start).
    direction = cho_solve((factor, True), np.sign(starts).T).T
    leaving = np.count_nonzero((starts * direction > 0)
                               & (np.abs(starts) <= lam[:, np.newaxis] * np.abs(direction)),
                               axis=1)
    chosen = np.flatnonzero(leaving <= _REVERSE_FRACTION * n_atoms)
    if not len(chosen):
        return none
    taken = np.zeros(n_signals, dtype=bool)
    max_steps = max(1, int(_REVERSE_STEPS * n_atoms))
    codes, certified = _reverse_paths(sd[chosen], gram, np.ascontiguousarray(factor),
                                      starts[chosen], lam[chosen], max_steps)
    taken[chosen[certified]] = True
    return codes[certified], taken


def as_float64(*arrays):
    """The arrays as contiguous float64, which the compiled solvers and their KKT
    certificates take whatever the data's dtype."""
    return tuple(np.ascontiguousarray(a, dtype=np.float64) for a in arrays)


def homotopy_codes(sd, gram, lam, rank, *, norms_sq=None, targets=None):
    """Exact l1 codes of many signals by the homotopy path.

    Without bounds, on a dictionary of at most :data:`_REVERSE_MAX_ATOMS` independent
    atoms, the signals predicted to lose few atoms between the least-squares code and
    ``lam`` follow the path from that end (see the module's docstring); the others, and
    any of those whose path from that end is not certified, follow it from zero.

    Parameters
    ----------
    sd : ndarray of shape (n_signals, n_atoms)
        Correlations ``S D^T``.
    gram : ndarray of shape (n_atoms, n_atoms)
        ``D D^T``.
    lam : ndarray of shape (n_signals,)
        Positive l1 weights: where each path stops.
    rank : int
        Largest possible support, ``min(n_atoms, n_features)``.
    norms_sq, targets : ndarray of shape (n_signals,), default=None
        The signals' squared norms and bounds on their squared residuals: each path
        stops earlier, at the largest lambda whose residual meets its bound (the
        residual shrinks along the path), which solves ``min ||x||_1`` subject to
        ``||x D - s||^2 <= target`` exactly. None: no bounds.

    Returns
    -------
    codes : ndarray of float64 of shape (n_signals, n_atoms)
    certified : ndarray of bool of shape (n_signals,)
        Whether each code passed the KKT check (the others are to be solved otherwise).
    levels : ndarray of shape (n_signals,)
        The lambda where each path stopped (``lam``, or larger where a bound was met).
    """
    # The path runs in float64 whatever the data's dtype: its KKT certificate needs it.
    sd, gram, lam = as_float64(sd, gram, lam)
    bounded = targets is not None
    if not bounded:
        norms_sq, targets = np.zeros(len(sd)), np.full(len(sd), -1.0)
    norms_sq = np.ascontiguousarray(norms_sq, dtype=np.float64)
    targets = np.ascontiguousarray(targets, dtype=np.float64)
    rank = max(1, min(int(rank), gram.shape[0]))
    max_steps = max(_MIN_STEPS, _STEPS_PER_ATOM * rank)
    if not bounded and rank == gram.shape[0]:
        reversed_codes, taken = _from_least_squares(sd, gram, lam)
        if taken.any():
            rest = np.flatnonzero(~taken)
            codes, certified, levels = np.zeros(sd.shape), np.ones(len(sd), bool), lam.copy()
            codes[taken] = reversed_codes
            codes[rest], certified[rest], levels[rest] = _paths(
                sd[rest], gram, lam[rest], norms_sq[rest], targets[rest], rank, max_steps)
            return codes, certified, levels
    return _paths(sd, gram, lam, norms_sq, targets, rank, max_steps)
