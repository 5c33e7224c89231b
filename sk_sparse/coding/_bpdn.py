"""Basis pursuit denoising (BPDN), batched over signals: exact methods, and ADMM.

Solves, for every row ``s`` of ``X`` and dictionary ``D`` (atoms as rows)::

    min_x  1/2 ||x D - s||^2 + lambda ||x||_1  [+ mu sum_g ||x_g||_2]

with the splitting ``x = z``, ``f(x) = 1/2 ||x D - s||^2``, ``g(z) = lambda ||z||_1 (+ mu
...)`` (Boyd et al., 2011, section 6.4) and a penalty ``rho`` adapted *per signal* by
residual balancing every 10 iterations. (Over-relaxation was measured to slow the tail of
hard signals down here, so it is not used.)

The x-update solves ``x (D D^T + rho I) = s D^T + rho (z - u)`` for every signal. One
eigendecomposition ``D^T D = W diag(mu) W^T`` is computed once, and with the Woodbury
identity

    (D D^T + rho I)^{-1} = (I - D W diag(1 / (mu + rho)) W^T D^T) / rho,

each iteration is two matrix products over all active signals, whatever their ``rho``.
Because nothing couples the signals (own ``rho``, own stopping test, converged signals
dropped from the working set), the code of a signal does not depend on which other
signals share the batch.

Every signal with lambda > 0 is first solved exactly, and the result certified by the
KKT conditions (all compiled with numba):

* without the group term, by the homotopy (LARS-lasso) path from ``x = 0``
  (:mod:`._homotopy`), which follows the solution as lambda decreases, one atom joining
  or leaving at each breakpoint; on incoherent dictionaries coordinate descent runs
  first (:mod:`._coordinate`) and the path finishes what it does not certify;
* with it, whose optimality conditions are not piecewise linear, by an active-set
  Newton method (:mod:`._sparse_group`).

No factorisation is computed when every code is certified, which is the rule. ADMM
solves the rare signals that were not certified (an atom refused as lying in the span
of the support and needed later, a support as large as the rank, too many steps) and
those with lambda = 0.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from ..utils._compat import Interval, validate_params
from ..utils._linalg import compact
from ..utils._parallel import run_chunks
from ..utils._validation import check_signals_and_dictionary
from ._coordinate import descent_codes, incoherent
from ._homotopy import homotopy_codes
from ._sparse_group import sparse_group_codes

# Working values per signal of a chunk, per atom: the correlations and ADMM's x, z, u.
_VALUES_PER_ATOM = 1
# Residual balancing (Boyd et al., 3.4.1): every _BALANCE_EVERY iterations, rho is
# doubled or halved when one residual exceeds the other _BALANCE_RATIO times.
_BALANCE_EVERY = 10
_BALANCE_RATIO = 10
# Absolute part of ADMM's stopping test, per sqrt(atom), relative to the signals' scale.
_ABS_TOL = 1e-3
# Eigenvalues of D^T D below this fraction of the largest count as zero for rho's choice.
_EIG_CUTOFF = 1e-6


def _group_shrink(z, groups, threshold):
    """Block soft-thresholding ``z_g * max(0, 1 - threshold / ||z_g||)`` per group."""
    norms = np.sqrt(np.maximum((z * z) @ groups, 0))  # (n, n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(norms > threshold, 1 - threshold / norms, 0.0)
    return z * (factor @ groups.T)


def _prox(v, lam, group_weight, groups, rho):
    """Proximal operator of ``(lam ||.||_1 + group_weight sum_g ||._g||_2) / rho``."""
    z = np.sign(v) * np.maximum(np.abs(v) - lam / rho, 0)
    if groups is not None and group_weight > 0:
        z = _group_shrink(z, groups, group_weight / rho)
    return z


def _initial_rho(eig: np.ndarray) -> float:
    """Geometric mean of the extreme non-zero eigenvalues of ``D^T D``.

    The classical step for ADMM on quadratic problems (Ghadimi et al., 2015); it needed
    1.5 to 3 times fewer iterations than SPORCO's ``50 lambda + 1`` on 8 x 8 and
    15 x 15 image patches. Residual balancing then adapts it per signal.
    """
    top = float(eig.max()) if eig.size else 1.0
    if top <= 0:
        return 1.0
    nonzero = eig[eig > _EIG_CUTOFF * top]
    return float(np.sqrt(nonzero.min() * top))


def _exact_chunk(S, lam, dictionary, gram, labels, group_weight, descend):
    """Exact codes of one chunk (``dictionary`` and ``gram`` in float64): for the l1
    problem (``labels`` None) coordinate descent first on an incoherent dictionary
    (``descend``), then the homotopy path for the signals it did not certify; the
    active-set Newton method for the sparse-group problem. Returns codes and which of
    them are certified optimal."""
    sd = S.astype(np.float64, copy=False) @ dictionary.T
    rank = min(dictionary.shape)
    if labels is not None:
        codes, certified = sparse_group_codes(sd, gram, labels, lam, group_weight, rank)
    elif descend:
        codes, certified = descent_codes(sd, gram, lam)
        rest = np.flatnonzero(~certified)
        if len(rest):
            codes[rest], certified[rest], _ = homotopy_codes(sd[rest], gram, lam[rest], rank)
    else:
        codes, certified, _ = homotopy_codes(sd, gram, lam, rank)
    return codes.astype(S.dtype, copy=False), certified


def _bpdn_chunk(S, lam, dictionary, projector, eig, group_weight, groups, max_iter, tol):
    """ADMM on one chunk; returns codes (n, n_atoms) and iterations used per signal."""
    n_signals = S.shape[0]
    dtype = S.dtype
    n_atoms = dictionary.shape[0]
    sd = S @ dictionary.T  # (n, n_atoms), compacted with the working set
    lam = lam[:, np.newaxis]  # one lambda per signal, as a column
    codes = np.zeros((n_signals, n_atoms), dtype=dtype)
    n_iter = np.full(n_signals, max_iter, dtype=np.intp)
    rho = np.full((n_signals, 1), _initial_rho(eig), dtype=dtype)
    z = np.zeros((n_signals, n_atoms), dtype=dtype)
    u = np.zeros_like(z)
    ids = np.arange(n_signals)
    sqrt_n = np.sqrt(n_atoms)
    for iteration in range(1, max_iter + 1):
        rhs = sd + rho * (z - u)
        x = (rhs - ((rhs @ projector) / (eig + rho)) @ projector.T) / rho
        z_old = z
        z = _prox(x + u, lam, group_weight, groups, rho)
        u = u + x - z
        primal = np.linalg.norm(x - z, axis=1)
        dual = rho[:, 0] * np.linalg.norm(z - z_old, axis=1)
        scale_primal = np.maximum(np.linalg.norm(x, axis=1), np.linalg.norm(z, axis=1))
        scale_dual = rho[:, 0] * np.linalg.norm(u, axis=1)
        converged = (primal <= tol * (sqrt_n * _ABS_TOL + scale_primal)) & (
            dual <= tol * (sqrt_n * _ABS_TOL + scale_dual))
        if iteration % _BALANCE_EVERY == 0:
            # Residual balancing; u is scaled with 1 / rho.
            factor = np.where(primal > _BALANCE_RATIO * dual, 2.0,
                              np.where(dual > _BALANCE_RATIO * primal, 0.5, 1.0))[:, np.newaxis]
            rho = rho * factor
            u = u / factor
        if converged.any() or iteration == max_iter:
            done = converged if iteration < max_iter else np.ones_like(converged)
            codes[ids[done]] = z[done]
            n_iter[ids[done]] = iteration
            ids, z, u, rho, sd, lam = compact(~done, ids, z, u, rho, sd, lam)
            if len(ids) == 0:
                break
    return codes, n_iter


def group_indicator(groups, n_atoms, dtype):
    """One-hot ``(n_atoms, n_groups)`` matrix of the atoms' group labels (validated)."""
    labels = np.asarray(groups)
    if labels.shape != (n_atoms,):
        raise ValueError(
            f"groups must give one group label per atom, shape ({n_atoms},); got "
            f"{labels.shape}."
        )
    _, index = np.unique(labels, return_inverse=True)
    onehot = np.zeros((n_atoms, index.max() + 1), dtype=dtype)
    onehot[np.arange(n_atoms), index] = 1.0
    return onehot


@validate_params(
    {
        "X": ["array-like"],
        "dictionary": ["array-like"],
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
        "groups": ["array-like", None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "return_n_iter": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def bpdn(X, dictionary, *, alpha, group_alpha=0.0, groups=None, max_iter=500, tol=1e-4,
         n_jobs=None, return_n_iter=False):
    """Basis pursuit denoising of many signals at once: exact homotopy path, or ADMM.

    Solves ``min_x 1/2 ||x @ dictionary - s||^2 + alpha ||x||_1
    + group_alpha sum_g ||x_g||_2`` for every row ``s`` of ``X``.

    Every signal with ``alpha > 0`` is solved exactly: by the homotopy (LARS-lasso)
    path without the group term (preceded by coordinate descent on dictionaries of
    mutual coherence at most 0.3), by an active-set Newton method with it; each code is
    certified by the KKT conditions. ``max_iter`` and ``tol`` only concern ADMM, which
    solves the rare signals whose code could not be certified and those with
    ``alpha = 0``. See the :ref:`user guide <sparse_coding>`.

    Parameters
    ----------
    X : ndarray of shape (n_signals, n_features)
        Signals, one per row.
    dictionary : ndarray of shape (n_atoms, n_features)
        Atoms as rows.
    alpha : float or array-like of shape (n_signals,)
        Weight ``lambda`` of the l1 penalty (``>= 0``), shared or one per signal.
    group_alpha : float, default=0.0
        Weight ``mu`` of the group penalty ``sum_g ||x_g||_2`` (needs ``groups``).
    groups : array-like of shape (n_atoms,), default=None
        Group label of each atom (e.g. the scale of each atom of a multiscale dictionary).
    max_iter : int, default=500
        Maximum ADMM iterations per signal (uncertified codes, ``alpha = 0``).
    tol : float, default=1e-4
        Relative tolerance on the primal and dual residuals (each signal stops on its own).
    n_jobs : int, default=None
        Chunks of signals solved in parallel by joblib (threads preferred).
    return_n_iter : bool, default=False
        Also return the iterations each signal used.

    Returns
    -------
    codes : ndarray of shape (n_signals, n_atoms)
        Exactly sparse (ADMM's are its ``z`` variable).
    n_iter : ndarray of int of shape (n_signals,)
        ADMM iterations each signal used: 0 when an exact method solved it.
        Only with ``return_n_iter=True``.

    References
    ----------
    M. R. Osborne, B. Presnell and B. A. Turlach, "A new approach to variable selection in
    least squares problems", IMA Journal of Numerical Analysis 20(3), 2000.

    B. Efron, T. Hastie, I. Johnstone and R. Tibshirani, "Least angle regression", The
    Annals of Statistics 32(2), 2004.

    H. Lee, A. Battle, R. Raina and A. Y. Ng, "Efficient sparse coding algorithms",
    Advances in Neural Information Processing Systems 19, 2007 (feature-sign search).

    S. Boyd, N. Parikh, E. Chu, B. Peleato and J. Eckstein, "Distributed optimization and
    statistical learning via the alternating direction method of multipliers", Foundations
    and Trends in Machine Learning 3(1), 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.coding import bpdn
    >>> codes = bpdn(np.array([[3.0, 0.5]]), np.eye(2), alpha=1.0, tol=1e-8)
    >>> np.round(codes, 4)  # soft thresholding for an orthonormal dictionary
    array([[2., 0.]])
    """
    X, dictionary = check_signals_and_dictionary(X, dictionary)
    n_signals = X.shape[0]
    alpha = np.asarray(alpha, dtype=np.float64)
    if alpha.ndim > 1 or (alpha.ndim == 1 and alpha.shape != (n_signals,)):
        raise ValueError(
            f"alpha must be a float or an array of shape ({n_signals},), one per signal; "
            f"got shape {alpha.shape}."
        )
    if np.any(alpha < 0) or not np.all(np.isfinite(alpha)):
        raise ValueError("alpha must be finite and non-negative.")
    alpha = np.broadcast_to(alpha, (n_signals,))
    if group_alpha > 0 and groups is None:
        raise ValueError("group_alpha > 0 needs groups (one label per atom).")
    group_matrix = None if groups is None else group_indicator(groups, dictionary.shape[0],
                                                               X.dtype)
    return _bpdn(X, dictionary, alpha, group_alpha=group_alpha, group_matrix=group_matrix,
                 max_iter=max_iter, tol=tol, n_jobs=n_jobs, return_n_iter=return_n_iter)


def factorize(dictionary, gram=None):
    """The factors of ADMM's x-update: ``eig`` and ``P`` with ``P^T P = diag(eig)`` and
    ``D D^T = P P^T``, so that ``(D D^T + rho I)^{-1} = (I - P diag(1 / (eig + rho)) P^T)
    / rho``.

    The eigendecomposition is taken on the smaller side: ``D^T D = W diag(eig) W^T``
    gives ``P = D W`` (more atoms than features), ``D D^T = V diag(eig) V^T`` gives
    ``P = V diag(sqrt(eig))`` (fewer atoms than features, as SRC's 784-pixel samples with
    500 atoms). Either way each ADMM iteration costs two products with ``P``. An
    estimator that codes many calls' worth of signals on one dictionary (SRC) computes
    the factors once and passes them to :func:`_bpdn`.

    Parameters
    ----------
    dictionary : ndarray of shape (n_atoms, n_features)
    gram : ndarray of shape (n_atoms, n_atoms), default=None
        ``D D^T`` when the caller has it already; computed here if None.

    Returns
    -------
    eig : ndarray of shape (min(n_atoms, n_features),)
    projector : ndarray of shape (n_atoms, min(n_atoms, n_features))
    gram : ndarray of shape (n_atoms, n_atoms)
        ``D D^T``, which the homotopy path needs (computing it is most of the cost of
        coding one signal on 898 atoms).
    """
    n_atoms, n_features = dictionary.shape
    if gram is None:
        gram = dictionary @ dictionary.T
    if n_atoms < n_features:
        eig, basis = np.linalg.eigh(gram)
        eig = np.maximum(eig, 0)
        return eig, basis * np.sqrt(eig), gram
    eig, basis = np.linalg.eigh(dictionary.T @ dictionary)
    return np.maximum(eig, 0), dictionary @ basis, gram


def _bpdn(X, dictionary, alpha, *, group_alpha=0.0, group_matrix=None, max_iter=500,
          tol=1e-4, n_jobs=None, return_n_iter=False, factors=None):
    """The computation of :func:`bpdn`: validated arrays of one dtype, ``alpha`` one value
    per signal, ``group_matrix`` from :func:`group_indicator` or None, ``factors`` from
    :func:`factorize` or None."""
    dtype = X.dtype
    n_signals, n_atoms = X.shape[0], dictionary.shape[0]
    alpha = np.ascontiguousarray(alpha)
    codes = np.zeros((n_signals, n_atoms), dtype=dtype)
    n_iter = np.zeros(n_signals, dtype=np.intp)
    rest = np.arange(n_signals)
    gram = None
    # With lambda > 0 (at lambda = 0 the code is not unique on an overcomplete
    # dictionary: ADMM's), every signal is solved exactly before any factorisation (one
    # signal on 784 x 500 costs milliseconds, not an eigendecomposition): the l1 problem
    # by the homotopy path (coordinate descent first on incoherent dictionaries), the
    # sparse-group one by the active-set Newton method. All run in float64, which their
    # KKT certificates need.
    on_path = np.flatnonzero(alpha > 0)
    grouped = group_alpha > 0 and group_matrix is not None
    labels = np.argmax(group_matrix, axis=1) if grouped else None
    if len(on_path):
        exact = dictionary.astype(np.float64, copy=False)
        gram = (exact @ exact.T if factors is None
                else factors[2].astype(np.float64, copy=False))
        # Per signal, a chunk holds its correlations and code (float64) and the signal.
        # Coordinate descent converges in a few sweeps only when atoms are far apart.
        descend = labels is None and incoherent(gram)
        results = run_chunks(_exact_chunk, (X[on_path], alpha[on_path]),
                             (exact, gram, labels, float(group_alpha), descend),
                             values_per_row=2 * n_atoms + X.shape[1], n_jobs=n_jobs)
        codes[on_path] = np.concatenate([r[0] for r in results])
        certified = np.zeros(n_signals, dtype=bool)
        certified[on_path] = np.concatenate([r[1] for r in results])
        rest = np.flatnonzero(~certified)
    if len(rest):
        # The Gram matrix of the homotopy path, if computed, is not computed again.
        eig, projector, _ = (factorize(dictionary, gram=gram) if factors is None
                             else factors)
        eig, projector = eig.astype(dtype, copy=False), projector.astype(dtype, copy=False)
        results = run_chunks(
            _bpdn_chunk, (X[rest], alpha[rest]),
            (dictionary, projector, eig, float(group_alpha), group_matrix, max_iter, tol),
            values_per_row=_VALUES_PER_ATOM * n_atoms, n_jobs=n_jobs)
        codes[rest] = np.concatenate([r[0] for r in results])
        n_iter[rest] = np.concatenate([r[1] for r in results])
    if return_n_iter:
        return codes, n_iter
    return codes


@validate_params(
    {
        "X": ["array-like"],
        "dictionary": ["array-like"],
        "codes": ["array-like"],
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
        "groups": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def bpdn_objective(X, dictionary, codes, *, alpha, group_alpha=0.0, groups=None):
    """Per-signal BPDN objective ``1/2 ||c D - s||^2 + alpha ||c||_1 (+ group term)``.

    Parameters
    ----------
    X : array-like of shape (n_signals, n_features)
        Signals.
    dictionary : array-like of shape (n_atoms, n_features)
        Atoms as rows.
    codes : array-like of shape (n_signals, n_atoms)
        Codes of the signals.
    alpha : float or array-like of shape (n_signals,)
        Weight of the l1 penalty.
    group_alpha : float, default=0.0
        Weight of the group penalty (needs ``groups``).
    groups : array-like of shape (n_atoms,), default=None
        Group label of each atom.

    Returns
    -------
    objective : ndarray of shape (n_signals,)
        The objective of each signal's code.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.coding import bpdn_objective
    >>> bpdn_objective(np.array([[3.0, 0.5]]), np.eye(2), np.array([[2.0, 0.0]]), alpha=1.0)
    array([2.625])
    """
    X, dictionary = check_signals_and_dictionary(X, dictionary)
    codes = np.asarray(codes, dtype=X.dtype)
    if codes.shape != (X.shape[0], dictionary.shape[0]):
        raise ValueError(
            f"codes must have shape (n_signals, n_atoms) = {(X.shape[0], dictionary.shape[0])}"
            f"; got {codes.shape}."
        )
    if group_alpha > 0 and groups is None:
        raise ValueError("group_alpha > 0 needs groups (one label per atom).")
    residual = codes @ dictionary - X
    value = 0.5 * np.sum(residual**2, axis=1) + np.asarray(alpha) * np.sum(np.abs(codes),
                                                                           axis=1)
    if group_alpha > 0:
        onehot = group_indicator(groups, dictionary.shape[0], codes.dtype)
        value = value + group_alpha * np.sqrt((codes**2) @ onehot).sum(axis=1)
    return value
