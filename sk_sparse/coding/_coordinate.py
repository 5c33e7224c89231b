"""Exact l1 codes by cyclic coordinate descent on incoherent dictionaries (numba).

On a dictionary whose atoms are far from one another (mutual coherence
``max |<d_i, d_j>|`` well below 1, as random Gaussian dictionaries in many dimensions),
coordinate descent on ``1/2 ||x D - s||^2 + lambda ||x||_1`` converges linearly and fast:
on 500 Gaussian atoms in 784 dimensions, a dozen sweeps reach the optimum to rounding,
where the homotopy path pays one product with the Gram matrix per breakpoint. Each
coordinate is minimised exactly (soft thresholding of its correlation); when it moves,
every correlation is updated with one row of the Gram matrix ``D D^T``. The sweeps stop
when no coefficient moved by more than :data:`_MOVE_RTOL` of the largest correlation, or
after :data:`_MAX_SWEEPS`.

The result is then certified exactly as the homotopy path's: correlations recomputed
from the code, KKT conditions checked (:func:`._homotopy._certified`). A signal that is
not certified (a coherent neighbourhood slowed the sweeps down) goes on to the path.
On coherent dictionaries (image patches, digits) coordinate descent needs hundreds of
sweeps; :func:`~sk_sparse.coding.bpdn` does not try it there (:data:`MAX_COHERENCE`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._homotopy import _OFF, _ON, _certified, as_float64

# Mutual coherence of the (normalised) atoms up to which bpdn tries coordinate descent
# first: 0.16 for 500 Gaussian atoms in 784 dimensions (a dozen sweeps), 0.54 for 256
# in 64 (40 sweeps, no faster than the path), 0.99 and more for patches and digits.
MAX_COHERENCE = 0.3
_MAX_SWEEPS = 50
# A sweep in which no coefficient moved by more than this fraction of the largest
# correlation ends the descent.
_MOVE_RTOL = 1e-11


@njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _descend(c, gram, lam, x, corr):
    """Coordinate descent of one signal (correlations ``c = s D^T``) from ``x = 0``;
    the code is left in ``x``."""
    n_atoms = c.shape[0]
    top = 0.0
    for j in range(n_atoms):
        x[j] = 0.0
        corr[j] = c[j]
        top = max(top, abs(c[j]))
    floor = _MOVE_RTOL * top
    for _ in range(_MAX_SWEEPS):
        largest = 0.0
        for j in range(n_atoms):
            diagonal = gram[j, j]
            if not diagonal > 0.0:
                continue
            value = corr[j] + diagonal * x[j]
            if value > lam:
                new = (value - lam) / diagonal
            elif value < -lam:
                new = (value + lam) / diagonal
            else:
                new = 0.0
            move = new - x[j]
            if move != 0.0:
                x[j] = new
                for i in range(n_atoms):
                    corr[i] -= gram[j, i] * move
                largest = max(largest, abs(move) * diagonal)
        if largest <= floor:
            break
    return top


@njit(nogil=True, cache=True)
def _descents(sd, gram, lam):
    n_signals, n_atoms = sd.shape
    codes = np.zeros((n_signals, n_atoms))
    certified = np.zeros(n_signals, dtype=np.bool_)
    x, corr = np.empty(n_atoms), np.empty(n_atoms)
    active = np.empty(n_atoms, dtype=np.int64)
    state = np.empty(n_atoms, dtype=np.int8)
    for s in range(n_signals):
        top = _descend(sd[s], gram, lam[s], x, corr)
        k = 0
        for j in range(n_atoms):
            if x[j] != 0.0:
                active[k] = j
                k += 1
                state[j] = _ON
            else:
                state[j] = _OFF
        certified[s] = _certified(sd[s], gram, lam[s], top, x, active, k, state, corr)
        codes[s] = x
    return codes, certified


def descent_codes(sd, gram, lam):
    """Exact l1 codes of many signals by coordinate descent, each certified.

    Takes and returns what :func:`._homotopy.homotopy_codes` does, without the rank and
    the residual bounds (and without the levels).
    """
    return _descents(*as_float64(sd, gram, lam))


@njit(nogil=True, cache=True)
def _incoherent(gram, limit):
    n_atoms = gram.shape[0]
    bound = limit * limit
    for i in range(n_atoms):
        if not gram[i, i] > 0.0:
            continue
        for j in range(i + 1, n_atoms):
            if gram[j, j] > 0.0 and gram[i, j] * gram[i, j] > bound * gram[i, i] * gram[j, j]:
                return False
    return True


def incoherent(gram, limit=MAX_COHERENCE):
    """Whether the atoms whose Gram matrix is ``gram`` have a mutual coherence (the
    largest ``|<d_i, d_j>| / (||d_i|| ||d_j||)`` over distinct atoms; zero atoms are
    ignored) of at most ``limit``. One compiled pass over the upper triangle that stops
    at the first coherent pair: it runs at every call of :func:`~sk_sparse.coding.bpdn`,
    and coherent dictionaries end it at once."""
    return bool(_incoherent(np.ascontiguousarray(gram, dtype=np.float64), float(limit)))
