"""l1 minimisation under a residual constraint: the homotopy path stopped where the
residual meets the bound, or a bisection on BPDN's lambda."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from ..utils._compat import Interval, validate_params
from ..utils._parallel import run_chunks
from ..utils._validation import check_signals_and_dictionary
from ._bpdn import _bpdn, factorize
from ._homotopy import homotopy_codes

# The range of lambda searched, relative to the largest correlation of each signal: below
# it a signal counts as infeasible and gets its code at the bottom of the range.
_LOWEST = 1e-4


@validate_params(
    {
        "Y": ["array-like"],
        "dictionary": ["array-like"],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "n_bisections": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def constrained_l1(Y, dictionary, epsilon, *, n_bisections=10, tol=1e-4, max_iter=500,
                   n_jobs=None):
    """``min ||x||_1`` subject to ``||x D - y|| <= epsilon``, for every row ``y`` of ``Y``.

    Solved through its Lagrangian form: the BPDN residual grows with ``lambda``, and the
    solution is the BPDN code at the largest ``lambda`` whose residual is ``epsilon``.
    The homotopy path of :func:`bpdn` finds it exactly: it follows the code as ``lambda``
    decreases and stops, within a step, where the residual (a quadratic in the step)
    meets the bound; the code is certified by the KKT conditions at that ``lambda``. The
    rare signals whose path is not certified get a per-signal bisection on
    ``log lambda`` instead (each step one batched :func:`bpdn` call).

    Parameters
    ----------
    Y : array-like of shape (n_signals, n_features)
        Signals.
    dictionary : array-like of shape (n_atoms, n_features)
        Atoms as rows.
    epsilon : float
        Bound on the residual norm.
    n_bisections : int, default=10
        Bisection steps on ``lambda`` between ``1e-4`` and ``1`` times ``max |y D^T|`` (at
        the upper end the code is zero), for the signals the path leaves.
    tol : float, default=1e-4
        ADMM tolerance of the bisection's :func:`bpdn` calls.
    max_iter : int, default=500
        ADMM iterations of the bisection's :func:`bpdn` calls.
    n_jobs : int, default=None
        Passed to :func:`bpdn`.

    Returns
    -------
    codes : ndarray of shape (n_signals, n_atoms)
        Zero where ``||y|| <= epsilon``; for a signal that no ``lambda`` down to ``1e-4``
        times ``max |y D^T|`` makes feasible, the code at that smallest ``lambda``.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.coding import constrained_l1
    >>> codes = constrained_l1(np.array([[3.0, 0.5]]), np.eye(2), 1.0)
    >>> bool(np.linalg.norm(codes @ np.eye(2) - [3.0, 0.5]) <= 1.0)
    True
    """
    Y, dictionary = check_signals_and_dictionary(Y, dictionary, name="Y")
    return _constrained_l1(Y, dictionary, epsilon, n_bisections=n_bisections, tol=tol,
                           max_iter=max_iter, n_jobs=n_jobs)


def _constrained_chunk(Y, targets, dictionary, gram):
    """The path of each signal of a chunk, stopped at its residual bound (``dictionary``
    and ``gram`` in float64); returns codes and which of them are certified."""
    exact = Y.astype(np.float64, copy=False)
    sd = exact @ dictionary.T
    lowest = np.maximum(_LOWEST * np.abs(sd).max(axis=1, initial=0.0), 1e-300)
    codes, certified, _ = homotopy_codes(sd, gram, lowest, min(dictionary.shape),
                                         norms_sq=np.einsum("ij,ij->i", exact, exact),
                                         targets=targets)
    return codes.astype(Y.dtype, copy=False), certified


def _constrained_l1(Y, dictionary, epsilon, *, n_bisections=10, tol=1e-4, max_iter=500,
                    n_jobs=None, factors=None):
    """The computation of :func:`constrained_l1` on validated arrays of one dtype;
    ``factors`` from :func:`~sk_sparse.coding._bpdn.factorize`, or None."""
    exact = dictionary.astype(np.float64, copy=False)
    gram = (exact @ exact.T if factors is None
            else factors[2].astype(np.float64, copy=False))
    targets = np.full(len(Y), float(epsilon) ** 2)
    results = run_chunks(_constrained_chunk, (Y, targets), (exact, gram),
                         values_per_row=2 * len(dictionary) + Y.shape[1], n_jobs=n_jobs)
    best = np.zeros((len(Y), len(dictionary)), dtype=np.result_type(Y, np.float32))
    if not results:
        return best
    best[:] = np.concatenate([r[0] for r in results])
    rest = np.flatnonzero(~np.concatenate([r[1] for r in results]))
    if len(rest):
        best[rest] = _bisection(Y[rest], dictionary, epsilon, n_bisections=n_bisections,
                                tol=tol, max_iter=max_iter, n_jobs=n_jobs, factors=factors)
    best[np.linalg.norm(Y, axis=1) <= epsilon] = 0.0
    return best


def _bisection(Y, dictionary, epsilon, *, n_bisections, tol, max_iter, n_jobs, factors):
    """Per-signal bisection on ``log lambda``, one BPDN call per step (for the signals
    whose path was not certified)."""
    if factors is None:
        factors = factorize(dictionary)
    high = np.maximum(np.abs(Y @ dictionary.T).max(axis=1, initial=0.0), 1e-12)
    low = high * _LOWEST
    best = np.zeros((len(Y), len(dictionary)), dtype=np.result_type(Y, np.float32))
    found = np.zeros(len(Y), dtype=bool)
    for _ in range(n_bisections):
        middle = np.sqrt(low * high)
        trial = _bpdn(Y, dictionary, middle, tol=tol, max_iter=max_iter, n_jobs=n_jobs,
                      factors=factors)
        fits = np.linalg.norm(trial @ dictionary - Y, axis=1) <= epsilon
        best[fits] = trial[fits]
        found |= fits
        # Feasible lambdas form an interval [0, lambda*]: keep bracketing lambda*.
        low = np.where(fits, middle, low)
        high = np.where(fits, high, middle)
    best[~found] = trial[~found]
    return best
