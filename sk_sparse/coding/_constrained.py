"""l1 minimisation under a residual constraint, by bisection on BPDN's lambda."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from ..utils._compat import Interval, validate_params
from ..utils._validation import check_signals_and_dictionary
from ._bpdn import _bpdn, factorize


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

    Solved through its Lagrangian form: the BPDN residual grows with ``lambda``, so a
    per-signal bisection on ``log lambda`` (each step one batched :func:`bpdn` call with one
    ``lambda`` per signal) finds the largest ``lambda`` whose residual is at most
    ``epsilon``, i.e. the sparsest feasible code the bisection resolves.

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
        the upper end the code is zero).
    tol : float, default=1e-4
        ADMM tolerance of each :func:`bpdn` call.
    max_iter : int, default=500
        ADMM iterations of each :func:`bpdn` call.
    n_jobs : int, default=None
        Passed to :func:`bpdn`.

    Returns
    -------
    codes : ndarray of shape (n_signals, n_atoms)
        Zero where ``||y|| <= epsilon``; for a signal that no ``lambda`` in the range makes
        feasible, the code at the smallest ``lambda`` tried.

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


def _constrained_l1(Y, dictionary, epsilon, *, n_bisections=10, tol=1e-4, max_iter=500,
                    n_jobs=None, factors=None):
    """The computation of :func:`constrained_l1` on validated arrays of one dtype;
    ``factors`` from :func:`~sk_sparse.coding._bpdn.factorize`, computed here if None."""
    if factors is None:
        factors = factorize(dictionary)
    high = np.maximum(np.abs(Y @ dictionary.T).max(axis=1, initial=0.0), 1e-12)
    low = high * 1e-4
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
    best[np.linalg.norm(Y, axis=1) <= epsilon] = 0.0
    return best
