"""Convolutional dictionary learning: CBPDN coding and a filter update in the DFT domain.

Alternates, on a stack of signals ``s_n`` extended as in :func:`~sk_sparse.coding.cbpdn`,

1. coding: a few ADMM iterations of CBPDN for the maps ``a_nk``, warm-started from the
   previous round (maps, scaled dual and penalty);
2. filter update (convolutional MOD, Wohlberg 2016, section V): a few ADMM iterations of

       min_d  1/2 sum_n ||sum_k a_nk * d_k - s_n||^2   s.t.  d_k in C

   with the split ``d = g``. The d-step is, per frequency, a ``K x K`` system
   ``(A^H A + sigma I) d = A^H s + sigma (g - h)`` whose matrix ``A`` (``n x K``, the
   maps' coefficients at that frequency) is fixed during the update: it is factorised
   once per round by the Woodbury identity, so each iteration costs products only
   (``n x n`` inverses when there are fewer signals than filters, ``K x K`` otherwise).
   The g-step projects on ``C``: zero outside the filter's support, norm at most one
   (the convex relaxation of a unit norm; the l1 penalty makes it active).

Filters start as random patches of the signals (mean removed, unit norm), so they live
in the signals' subspace from the first round.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.fft as sp_fft
from sklearn.utils import check_random_state

from ..coding._cbpdn import (
    BOUNDARIES,
    _block_edges,
    _cbpdn_task,
    _padding,
    centre_on_domain,
    check_signals_and_filters,
    extend,
    group_norms,
    inverse_rfft,
    padded_shape,
    synthesize,
)
from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._validation import as_pair
from ._init import initial_dictionary, reseed_atoms

# Coding iterations per round and filter-update iterations per round (SPORCO's
# ConvBPDNDictLearn alternates single iterations; a few of each cost about the same per
# unit of progress and need fewer objective evaluations).
CODING_ITER = 5
UPDATE_ITER = 5
# Ridge of the normal equations of the filter update, relative to their mean diagonal.
_SIGMA = 0.1
# Every _RESEED_EVERY rounds, filters whose maps carry less than _UNUSED of the mean l1
# norm per filter are replaced by the worst-represented patches (the reseeding rule of
# every dictionary learner, :func:`~sk_sparse.decomposition._init.reseed_atoms`).
# Candidate patches per filter: _CANDIDATES.
_RESEED_EVERY = 10
_UNUSED = 0.05
_CANDIDATES = 8


def _support_mask(filter_shape, domain):
    """Boolean mask of a centred filter's support on the periodic domain."""
    return centre_on_domain(np.ones((1, *filter_shape), dtype=bool), domain)[0]


def _project(g, mask):
    """Zero outside the support, then scale down to norm at most one (per filter)."""
    g = g * mask
    norms = np.sqrt(np.sum(g.reshape(len(g), -1) ** 2, axis=1))
    g /= np.where(norms > 0, norms, 1.0).reshape((-1,) + (1,) * (g.ndim - 1))
    return g


def _crop_filters(g, filter_shape):
    """Filters of ``filter_shape`` from centred filters on the periodic domain."""
    ndim = len(filter_shape)
    rolled = np.roll(g, [f // 2 for f in filter_shape], axis=tuple(range(-ndim, 0)))
    return rolled[(slice(None), *(slice(0, f) for f in filter_shape))]


def _random_patches(signals, n_patches, filter_shape, rng):
    """Random windows of the signals, flattened ``(n_patches, prod(filter_shape))``, with
    their top-left corners ``(n_patches, 1 + ndim)``."""
    shape = signals.shape[1:]
    corners = np.stack([rng.randint(0, len(signals), size=n_patches)]
                       + [rng.randint(0, n - f + 1, size=n_patches)
                          for n, f in zip(shape, filter_shape)], axis=1)
    patches = np.stack([signals[(c[0], *(slice(s, s + f) for s, f in zip(c[1:], filter_shape)))]
                        for c in corners])
    return patches.reshape(n_patches, -1), corners


def initial_filters(signals, n_filters, filter_shape, rng):
    """Random patches of the signals of distinct directions, mean removed, unit norm."""
    patches, _ = _random_patches(signals, _CANDIDATES * n_filters, filter_shape, rng)
    patches = patches - patches.mean(axis=1, keepdims=True)
    return initial_dictionary(patches, n_filters, rng).reshape(n_filters, *filter_shape)


def _woodbury(af, sigma):
    """Per frequency, ``(sigma I + A A^H)^{-1}`` (n <= K) or ``(sigma I + A^H A)^{-1}``."""
    n, k = af.shape[-2:]
    if n <= k:
        gram = af @ np.conj(np.swapaxes(af, -1, -2))
        return np.linalg.inv(gram + sigma * np.eye(n, dtype=af.dtype)), True
    gram = np.conj(np.swapaxes(af, -1, -2)) @ af
    return np.linalg.inv(gram + sigma * np.eye(k, dtype=af.dtype)), False


def _reseed(g, h, maps, residual, extended, filter_shape, rng, state):
    """Replace the filters the maps hardly use by badly represented patches."""
    usage = np.abs(maps).reshape(len(maps), len(g), -1).sum(axis=(0, 2))
    unused = usage < _UNUSED * usage.mean()
    if not unused.any():
        return g
    filters = _crop_filters(g, filter_shape).reshape(len(g), -1)
    norms = np.linalg.norm(filters, axis=1, keepdims=True)
    filters = filters / np.maximum(norms, 1e-12)
    patches, corners = _random_patches(extended, _CANDIDATES * len(g), filter_shape, rng)
    errors = np.array([np.sum(residual[(c[0], *(slice(s, s + f) for s, f in
                                                zip(c[1:], filter_shape)))] ** 2)
                       for c in corners])
    patches = patches - patches.mean(axis=1, keepdims=True)
    reseed_atoms(filters, unused, patches, errors, rng)
    g[unused] = centre_on_domain(filters[unused].reshape(-1, *filter_shape), g.shape[1:])
    h[unused] = 0
    state["z"][:, unused] = 0
    state["u"][:, unused] = 0
    return g


def _conv_dictionary_learning(signals, n_filters, filter_shape, lam, *, mu=0.0,
                             block_size=8, boundary="reflect", max_iter=50,
                             random_state=None, verbose=0):
    """Learn filters on validated signals ``(n, *shape)``; see the module docstring.

    Returns ``(filters, objective, n_iter)``: unit-norm filters ``(K, *filter_shape)``,
    the objective of each round (on the extended signals) and the rounds run.
    """
    rng = check_random_state(random_state)
    dtype = signals.dtype
    shape = signals.shape[1:]
    ndim = len(shape)
    axes = tuple(range(-ndim, 0))
    domain = padded_shape(shape, filter_shape, boundary)
    extended = extend(signals, filter_shape, boundary)
    n = len(signals)
    filters = initial_filters(signals, n_filters, filter_shape, rng)
    edges = None
    if mu > 0:
        origins = [before for before, _ in _padding(filter_shape, boundary)]
        edges = [_block_edges(t, o, block_size) for t, o in zip(domain, origins)]
    mask = _support_mask(filter_shape, domain)
    sf = sp_fft.rfftn(extended, axes=axes)  # (n, *half)
    g = centre_on_domain(filters.astype(dtype, copy=False), domain)
    h = np.zeros_like(g)
    lam_n = np.full(n, lam, dtype=np.float64)
    mu_n = np.full(n, mu, dtype=np.float64)
    state: dict = {}
    objective = []
    for round_ in range(1, max_iter + 1):
        spectra = sp_fft.rfftn(g, axes=axes)
        maps, _ = _cbpdn_task(extended, spectra, domain, lam_n, mu_n, edges, CODING_ITER,
                              0.0, 1, state)
        # Filter update, with the maps' spectra as the fixed system matrix.
        af = np.moveaxis(sp_fft.rfftn(maps, axes=axes).reshape(n, n_filters, -1), -1, 0)
        # af: (F, n, K); right-hand side A^H s per frequency: (F, K).
        sflat = sf.reshape(n, -1).T  # (F, n)
        ahs = np.einsum("fnk,fn->fk", np.conj(af), sflat)
        sigma = _SIGMA * max(float(np.mean(np.sum(np.abs(af) ** 2, axis=1))), 1e-12)
        inverse, small = _woodbury(af, sigma)
        for _ in range(UPDATE_ITER):
            b = ahs + sigma * sp_fft.rfftn(g - h, axes=axes).reshape(n_filters, -1).T
            if small:
                ab = np.einsum("fnk,fk->fn", af, b)
                correction = np.einsum("fnk,fn->fk", np.conj(af),
                                       np.einsum("fmn,fn->fm", inverse, ab))
                df = (b - correction) / sigma
            else:
                df = np.einsum("fkl,fl->fk", inverse, b)
            d = inverse_rfft(df.T.reshape(n_filters, *sf.shape[1:]), domain, overwrite=True)
            g = _project(d + h, mask)
            h += d - g
        spectra = sp_fft.rfftn(g, axes=axes)
        residual = synthesize(maps, spectra, domain) - extended
        value = 0.5 * float(np.sum(residual**2)) + lam * float(np.sum(np.abs(maps)))
        if edges is not None:
            value += mu * float(np.sum(group_norms(maps, edges)))
        objective.append(value)
        if round_ % _RESEED_EVERY == 0 and round_ < max_iter:
            g = _reseed(g, h, maps, residual, extended, filter_shape, rng, state)
        if verbose:
            print(f"[conv_dictionary_learning] round {round_}/{max_iter}: objective "
                  f"{value:.6g}", flush=True)
    filters = _crop_filters(g, filter_shape)
    norms = np.sqrt(np.sum(filters.reshape(n_filters, -1) ** 2, axis=1))
    # A filter the maps never used may have shrunk: back to unit norm (or a new patch).
    dead = norms < 1e-6
    if dead.any():
        filters[dead] = initial_filters(signals, int(dead.sum()), filter_shape, rng)
        norms[dead] = 1.0
    filters /= norms.reshape((-1,) + (1,) * ndim)
    return filters.astype(dtype, copy=False), np.array(objective), max_iter


@validate_params(
    {
        "X": ["array-like"],
        "n_filters": [Interval(Integral, 1, None, closed="left")],
        "filter_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
        "block_size": [Interval(Integral, 1, None, closed="left")],
        "boundary": [StrOptions(set(BOUNDARIES))],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def conv_dictionary_learning(X, n_filters, *, filter_size=8, alpha, group_alpha=0.0,
                             block_size=8, boundary="reflect", max_iter=50,
                             random_state=None, verbose=0):
    """Learn convolutional filters: CBPDN coding alternated with a DFT-domain filter update.

    Minimises over filters ``d_k`` (support ``filter_size``, unit norm) and maps ``a_nk``::

        sum_n [ 1/2 ||sum_k d_k * a_nk - s_n||^2 + alpha sum_k ||a_nk||_1
                + group_alpha sum_c sum_k ||P_c a_nk||_2 ]

    by alternating a few ADMM iterations of each block (warm-started), the filter update
    being convolutional MOD with one Woodbury factorisation per round. Filters start as
    patches of the signals of distinct directions; filters the maps stop using are
    reseeded with badly represented patches every 10 rounds.

    Parameters
    ----------
    X : array-like of shape (n_images, H, W), (H, W) or (n_signals, L)
        Training images (2-D filters) or 1-D signals (pass an int ``filter_size`` in a
        one-element tuple for 1-D filters).
    n_filters : int
        Number of filters.
    filter_size : int or tuple of int, default=8
        Filter shape: an int gives square 2-D filters; ``(l,)`` gives 1-D filters.
    alpha : float
        l1 weight.
    group_alpha : float, default=0.0
        Weight of the local group-sparsity term.
    block_size : int, default=8
        Side of the blocks of the group term.
    boundary : {"reflect", "periodic"}, default="reflect"
        Border handling (see :func:`~sk_sparse.coding.cbpdn`).
    max_iter : int, default=50
        Rounds of alternation.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial filters and reseeding.
    verbose : int, default=0
        Print the objective after every round.

    Returns
    -------
    filters : ndarray of shape (n_filters, h, w) or (n_filters, l)
        Unit-norm filters.
    objective : ndarray of shape (max_iter,)
        Objective after each round (on the extended signals for ``boundary="reflect"``).

    See Also
    --------
    sk_sparse.decomposition.ConvolutionalSparseCoder : the estimator around it.

    References
    ----------
    B. Wohlberg, "Efficient algorithms for convolutional sparse representations", IEEE
    Transactions on Image Processing, 25(1), 2016, pp. 301-315.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.decomposition import conv_dictionary_learning
    >>> signals = np.random.default_rng(0).normal(size=(4, 64))
    >>> filters, objective = conv_dictionary_learning(signals, 3, filter_size=(5,),
    ...                                               alpha=0.5, max_iter=5,
    ...                                               random_state=0)
    >>> filters.shape, bool(objective[-1] < objective[0])
    ((3, 5), True)
    """
    shape = (filter_size,) if isinstance(filter_size, Integral) else tuple(filter_size)
    if isinstance(filter_size, Integral):
        shape = as_pair(filter_size, "filter_size")
    elif len(shape) not in (1, 2) or any(int(f) != f or f < 1 for f in shape):
        raise ValueError(f"filter_size must be an int, (l,) or (h, w); got {filter_size!r}.")
    signals, _, _ = check_signals_and_filters(X, np.ones((1, *shape)))
    if any(f > n for f, n in zip(shape, signals.shape[1:])):
        raise ValueError(f"filter_size={filter_size!r} is larger than the signals "
                         f"{signals.shape[1:]}.")
    filters, objective, _ = _conv_dictionary_learning(
        signals, n_filters, tuple(int(f) for f in shape), alpha, mu=group_alpha,
        block_size=block_size, boundary=boundary, max_iter=max_iter,
        random_state=random_state, verbose=verbose)
    return filters, objective
