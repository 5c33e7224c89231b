"""Batched orthogonal matching pursuit (OMP), plain and masked.

Both variants run the same loop on many signals at once; each step is a handful of
batched array operations over all still-active signals, so the Python loop runs over the
sparsity level, never over signals. Per step, the least-squares coefficients on the support
come from the small support Gram matrix (grown by one row per step, solved in a batch),
and the correlations of the residual with all atoms from one matrix product
``residual @ D^T``. Signals that stop are written out and dropped from the working set.

* Plain OMP reads the support Gram matrix from the precomputed ``D D^T``.
* Masked OMP codes each signal ``x_i`` on its observed entries only, i.e. against
  ``P_i D``: residuals and Gram entries are taken on the observed entries. Atoms are
  compared by their correlation divided by their norm on the observed entries (floored,
  so that an atom whose energy sits in the missing entries is not blown up).

Dictionaries follow scikit-learn's convention: one atom per row, ``(n_atoms, n_features)``.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from ..utils._compat import Interval, validate_params
from ..utils._linalg import compact
from ..utils._parallel import run_chunks
from ..utils._validation import check_signals_and_dictionary

# Working values per signal of a chunk: the correlations with every atom, twice (the
# initial ones and the residual's). Sets how many signals share a chunk.
_VALUES_PER_ATOM = 2
# Compact the working set once this fraction of it has stopped (compaction copies every
# working array; doing it at every step costs more than carrying finished rows a while).
_COMPACT_FRACTION = 0.3
# Singular-support guard: an atom is only worth adding while its (scaled) correlation
# with the residual exceeds this many machine epsilons of the signal norm.
_EXPLAINS_NOTHING = 10


def default_n_nonzero_coefs(n_features: int) -> int:
    """The default sparsity of every OMP-based step: 10% of the features, at least 1.

    Used by :func:`batch_omp`, :class:`~sk_sparse.decomposition.KSVD` and the K-SVD
    dictionaries of the estimators when no ``n_nonzero_coefs`` is given.

    Parameters
    ----------
    n_features : int
        Length of the signals.

    Returns
    -------
    n_nonzero_coefs : int
        ``max(1, n_features // 10)``.

    Examples
    --------
    >>> from sk_sparse.coding import default_n_nonzero_coefs
    >>> default_n_nonzero_coefs(64), default_n_nonzero_coefs(5)
    (6, 1)
    """
    return max(1, n_features // 10)


def _omp_chunk(X, mask, dictionary, gram, selection_norms, n_nonzero, tol):
    """Core loop on one chunk of signals.

    Parameters
    ----------
    X : ndarray (n, n_features)
        Signals, already zero at unobserved entries when ``mask`` is given.
    mask : ndarray (n, n_features) of 0/1 floats, or None
        Observed entries.
    dictionary : ndarray (n_atoms, n_features)
    gram : ndarray (n_atoms, n_atoms) or None
        ``D D^T``, used for the support Gram matrix when there is no mask.
    selection_norms : ndarray (n, n_atoms) or None
        Divide correlations by these before the argmax (None: unit-norm atoms).
    n_nonzero : int
        Maximum number of atoms per signal.
    tol : ndarray (n,) or None
        Stop a signal once its squared residual norm is at most ``tol[i]``.

    Returns
    -------
    support : ndarray of int (n, n_nonzero), -1 where unused
    coefs : ndarray (n, n_nonzero)
    """
    n_signals = X.shape[0]
    dtype = X.dtype
    support = np.full((n_signals, n_nonzero), -1, dtype=np.intp)
    coefs = np.zeros((n_signals, n_nonzero), dtype=dtype)
    squared_norms = np.einsum("ij,ij->i", X, X)
    # Working state of the signals still being coded, compacted as signals finish.
    ids = np.arange(n_signals)
    if tol is not None:
        ids = ids[squared_norms > tol]
    x = X[ids]
    m = None if mask is None else mask[ids]
    norms = squared_norms[ids]
    limits = None if tol is None else tol[ids]
    weights = None if selection_norms is None else selection_norms[ids]
    corr0 = x @ dictionary.T
    residual_corr = corr0
    chosen = np.zeros(corr0.shape, dtype=bool)
    w_support = np.zeros((len(ids), n_nonzero), dtype=np.intp)
    w_coefs = np.zeros((len(ids), n_nonzero), dtype=dtype)
    gram_ss = np.zeros((len(ids), n_nonzero, n_nonzero), dtype=dtype)
    alive = np.ones(len(ids), dtype=bool)
    tiny = np.finfo(dtype).eps * _EXPLAINS_NOTHING

    def flush(rows, k):
        support[ids[rows], :k] = w_support[rows, :k]
        coefs[ids[rows], :k] = w_coefs[rows, :k]

    k = 0
    for step in range(n_nonzero):
        if len(ids) == 0:
            break
        rows = np.arange(len(ids))
        scores = np.abs(residual_corr)
        if weights is not None:
            scores /= weights
        scores[chosen] = -np.inf
        best = np.argmax(scores, axis=1)
        # Stop signals whose best atom explains nothing more (exact fit, dependent atoms).
        alive &= scores[rows, best] > tiny * np.sqrt(np.maximum(norms, tiny))
        k = step + 1
        chosen[rows, best] = True
        w_support[:, step] = best
        atoms = dictionary[w_support[:, :k]]  # (n, k, n_features)
        # Gram entries of the new atom with the support (on the observed entries).
        if m is None and gram is not None:
            new_row = gram[best[:, np.newaxis], w_support[:, :k]]
        else:
            new_atom = atoms[:, step] if m is None else atoms[:, step] * m
            new_row = np.einsum("np,nkp->nk", new_atom, atoms)
        gram_ss[:, step, :k] = new_row
        gram_ss[:, :k, step] = new_row
        target = np.take_along_axis(corr0, w_support[:, :k], axis=1)
        try:
            solution = np.linalg.solve(gram_ss[:, :k, :k], target[..., np.newaxis])[..., 0]
        except np.linalg.LinAlgError:
            solution = _lstsq(gram_ss[:, :k, :k], target)
        # Signals stopped at this step keep the coefficients of the previous step.
        w_coefs[alive, :k] = solution[alive]
        residual = x - np.einsum("nk,nkp->np", solution, atoms)
        if m is not None:
            residual *= m
        residual_corr = residual @ dictionary.T
        if limits is not None:
            done = alive & (np.einsum("np,np->n", residual, residual) <= limits)
            flush(np.flatnonzero(done), k)
            alive &= ~done
        stopped = ~alive
        if stopped.any() and (stopped.mean() > _COMPACT_FRACTION or step == n_nonzero - 1):
            flush(np.flatnonzero(stopped & (w_coefs[:, :k] != 0).any(axis=1)), k)
            (ids, x, corr0, norms, m, limits, weights, residual_corr, chosen, w_support,
             w_coefs, gram_ss, alive) = compact(
                np.flatnonzero(alive), ids, x, corr0, norms, m, limits, weights,
                residual_corr, chosen, w_support, w_coefs, gram_ss, alive)
    flush(np.arange(len(ids)), k)
    # A signal stopped before using its last selected atom has a zero there: drop it.
    support[coefs == 0] = -1
    return support, coefs


def _lstsq(matrices, targets):
    """Least squares per system, for the rare singular support (dependent atoms)."""
    return np.stack([np.linalg.lstsq(m, t, rcond=None)[0] for m, t in zip(matrices, targets)])


def _scatter(support, coefs, n_atoms):
    codes = np.zeros((support.shape[0], n_atoms), dtype=coefs.dtype)
    rows, slots = np.nonzero(support >= 0)
    codes[rows, support[rows, slots]] = coefs[rows, slots]
    return codes


def _check_stopping(n_nonzero_coefs, tol, n_atoms, n_features, n_signals, dtype):
    limit = min(n_atoms, n_features)
    if n_nonzero_coefs is None:
        n_nonzero_coefs = limit if tol is not None else default_n_nonzero_coefs(n_features)
    n_nonzero_coefs = min(int(n_nonzero_coefs), limit)
    if tol is not None:
        tol = np.asarray(tol, dtype=dtype)
        if tol.ndim > 1 or (tol.ndim == 1 and tol.shape != (n_signals,)):
            raise ValueError(
                f"tol must be a float or an array of shape ({n_signals},), one per signal; "
                f"got shape {tol.shape}."
            )
        tol = np.broadcast_to(tol, (n_signals,))
        if np.any(tol < 0) or not np.all(np.isfinite(tol)):
            raise ValueError("tol must be finite and non-negative.")
    return n_nonzero_coefs, tol


def _code_in_chunks(task, row_arrays, shared, n_atoms, dtype, n_jobs):
    results = run_chunks(task, row_arrays, shared, values_per_row=_VALUES_PER_ATOM * n_atoms,
                         n_jobs=n_jobs)
    if not results:
        return np.zeros((0, n_atoms), dtype=dtype)
    return np.concatenate(results, axis=0)


_KERNEL_PARAMS = {
    "X": ["array-like"],
    "dictionary": ["array-like"],
    "n_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
    "tol": [Interval(Real, 0, None, closed="left"), "array-like", None],
    "n_jobs": [Integral, None],
}


@validate_params({**_KERNEL_PARAMS, "gram": ["array-like", None]},
                 prefer_skip_nested_validation=True)
def batch_omp(X, dictionary, *, n_nonzero_coefs=None, tol=None, gram=None, n_jobs=None):
    """Orthogonal matching pursuit of many signals against one dictionary.

    Each row ``x`` of ``X`` gets a code ``c`` such that ``x ~ c @ dictionary``, built by
    greedily adding the atom most correlated with the residual and re-fitting the
    coefficients of all selected atoms by least squares.

    Parameters
    ----------
    X : ndarray of shape (n_signals, n_features)
        Signals, one per row.
    dictionary : ndarray of shape (n_atoms, n_features)
        Atoms as rows, each of unit Euclidean norm.
    n_nonzero_coefs : int, default=None
        Maximum number of atoms per signal; capped at ``min(n_atoms, n_features)``. None
        means that cap when ``tol`` is given, else 10% of ``n_features`` (at least 1).
    tol : float or ndarray of shape (n_signals,), default=None
        Stop a signal once its **squared** residual norm ``||x - c D||^2`` is at most
        ``tol`` (scikit-learn's convention). With both ``tol`` and ``n_nonzero_coefs``,
        whichever is reached first stops the signal.
    gram : ndarray of shape (n_atoms, n_atoms), default=None
        Precomputed ``dictionary @ dictionary.T``.
    n_jobs : int, default=None
        Chunks of signals coded in parallel by joblib (threads preferred).

    Returns
    -------
    codes : ndarray of shape (n_signals, n_atoms)
        float32 when both ``X`` and ``dictionary`` are float32, else float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.coding import batch_omp
    >>> dictionary = np.eye(4)
    >>> batch_omp(np.array([[0.0, 3.0, 0.0, -1.0]]), dictionary, n_nonzero_coefs=1)
    array([[0., 3., 0., 0.]])
    """
    X, dictionary = check_signals_and_dictionary(X, dictionary)
    n_signals, n_features = X.shape
    n_atoms = dictionary.shape[0]
    n_nonzero_coefs, tol = _check_stopping(n_nonzero_coefs, tol, n_atoms, n_features,
                                           n_signals, X.dtype)
    if gram is not None:
        gram = np.asarray(gram, dtype=X.dtype)
        if gram.shape != (n_atoms, n_atoms) or not np.all(np.isfinite(gram)):
            raise ValueError(
                f"gram must be the finite ({n_atoms}, {n_atoms}) matrix dictionary @ "
                f"dictionary.T; got shape {gram.shape}."
            )
    return _batch_omp(X, dictionary, n_nonzero_coefs, tol, gram=gram, n_jobs=n_jobs)


def _batch_omp(X, dictionary, n_nonzero_coefs, tol, *, gram=None, n_jobs=None):
    """The computation of :func:`batch_omp`: validated arrays of one dtype, a resolved
    sparsity and ``tol`` None or one value per signal."""
    n_atoms = dictionary.shape[0]
    if gram is None:
        gram = dictionary @ dictionary.T
    return _code_in_chunks(_plain_task, (X, tol), (dictionary, gram, n_nonzero_coefs),
                           n_atoms, X.dtype, n_jobs)


def _plain_task(X, tol, dictionary, gram, n_nonzero_coefs):
    support, coefs = _omp_chunk(X, None, dictionary, gram, None, n_nonzero_coefs, tol)
    return _scatter(support, coefs, len(dictionary))


def _masked_task(X, mask, tol, dictionary, squared_atoms_t, norm_floor, n_nonzero_coefs):
    selection = np.maximum(np.sqrt(np.maximum(mask @ squared_atoms_t, 0)), norm_floor)
    support, coefs = _omp_chunk(X, mask, dictionary, None, selection, n_nonzero_coefs, tol)
    return _scatter(support, coefs, len(dictionary))


@validate_params({**_KERNEL_PARAMS, "mask": ["array-like"],
                  "norm_floor": [Interval(Real, 0, None, closed="neither")]},
                 prefer_skip_nested_validation=True)
def masked_omp(X, mask, dictionary, *, n_nonzero_coefs=None, tol=None, norm_floor=0.1,
               n_jobs=None):
    """OMP of each signal on its observed entries only, i.e. against ``P_i D``.

    Parameters
    ----------
    X : ndarray of shape (n_signals, n_features)
        Signals; values at unobserved entries are ignored.
    mask : ndarray of bool of shape (n_signals, n_features)
        True where an entry is **observed**.
    dictionary : ndarray of shape (n_atoms, n_features)
        Atoms as rows (full length; they are restricted to the observed entries here).
    n_nonzero_coefs : int, default=None
        As in :func:`batch_omp`, capped at ``n_atoms`` and ``n_features``.
    tol : float or ndarray of shape (n_signals,), default=None
        Squared residual norm on the observed entries at which a signal stops.
    norm_floor : float, default=0.1
        Atoms are ranked by ``|<r, P_i d>| / max(||P_i d||, norm_floor)``. Without the floor
        an atom with almost no energy on the observed entries gets a huge weight.
    n_jobs : int, default=None
        Chunks of signals coded in parallel by joblib (threads preferred).

    Returns
    -------
    codes : ndarray of shape (n_signals, n_atoms)
        Codes for the full dictionary: ``codes @ dictionary`` fills the missing entries.
        A signal with no observed entry gets an all-zero code.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.coding import masked_omp
    >>> dictionary = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) / [[2 ** 0.5], [1.0]]
    >>> signal = np.array([[2.0, 2.0, 0.0]])
    >>> observed = np.array([[True, False, True]])
    >>> codes = masked_omp(signal, observed, dictionary, n_nonzero_coefs=1)
    >>> np.round(codes @ dictionary, 6)  # the missing middle entry is filled in
    array([[2., 2., 0.]])
    """
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"mask must be a boolean array (True = observed); got {mask.dtype}.")
    # Unobserved entries may hold anything (NaN included): they are zeroed before checks.
    X = np.where(mask, X, 0) if mask.shape == np.shape(X) else X
    X, dictionary = check_signals_and_dictionary(X, dictionary)
    if mask.shape != X.shape:
        raise ValueError(f"mask must have the shape of X, {X.shape}; got {mask.shape}.")
    n_signals, n_features = X.shape
    n_nonzero_coefs, tol = _check_stopping(n_nonzero_coefs, tol, dictionary.shape[0],
                                           n_features, n_signals, X.dtype)
    return _masked_omp(X, mask, dictionary, n_nonzero_coefs, tol, norm_floor=norm_floor,
                       n_jobs=n_jobs)


def _masked_omp(X, mask, dictionary, n_nonzero_coefs, tol, *, norm_floor=0.1, n_jobs=None):
    """The computation of :func:`masked_omp`: validated arrays of one dtype (``X`` zero
    where ``mask`` is False), a resolved sparsity and ``tol`` None or one per signal."""
    squared_atoms_t = np.ascontiguousarray((dictionary**2).T)
    return _code_in_chunks(
        _masked_task, (X, mask.astype(X.dtype), tol),
        (dictionary, squared_atoms_t, norm_floor, n_nonzero_coefs), len(dictionary), X.dtype,
        n_jobs)
