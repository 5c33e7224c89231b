"""Convolutional basis pursuit denoising (CBPDN) by ADMM in the DFT domain.

For a signal ``s`` (a 1-D signal or a 2-D image) and filters ``d_1 ... d_K``::

    min_a  1/2 ||sum_k d_k * a_k - s||^2 + lambda sum_k ||a_k||_1
           [+ mu sum_c sum_k ||P_c a_k||_2]

where ``*`` is convolution, the ``a_k`` are coefficient maps of the signal's size and
``P_c`` restricts a map to the block ``c`` of a grid of non-overlapping blocks (the local
group-sparsity term). ADMM splits ``a = z`` (Wohlberg, 2016):

* the a-step ``(D^H D + rho I) a = D^H s + rho (z - u)`` is, in the DFT domain, one
  rank-one system per frequency (``D`` at a frequency is the row of the K filters'
  coefficients), solved in closed form by the Sherman-Morrison formula: two FFTs of the
  K maps per iteration, no matrix inverse;
* the z-step is the exact prox of the penalty: soft thresholding, then, for the group
  term, block soft thresholding of every (map, block) pair (the prox of
  ``lambda ||.||_1 + mu ||.||_2`` on a block is the composition of the two);
* over-relaxation (factor 1.8) and residual balancing of ``rho`` every iteration, per
  signal.

Besides the FFTs, an iteration is two compiled passes (numba) over the maps' spectra for
the a-step and two over the maps for the relaxed z- and u-steps, the group term's block
sums and the squared norms of the stopping test.

Boundary: the DFT makes convolution periodic. ``boundary="periodic"`` solves exactly that
problem on the given signal (the model of SPORCO's ``ConvBPDN``). ``boundary="reflect"``
first extends the signal by mirror reflection, by ``f // 2`` samples before and
``f - 1 - f // 2`` after on each axis of a filter of length ``f`` (then up to a fast FFT
length), solves the periodic problem on the extended signal, and returns the maps of the
atoms *centred inside* the signal: their synthesis by linear ("same") convolution never
wraps around, and atoms near the border no longer see the opposite border.

Filters are centred: a coefficient at position ``n`` places the filter with its centre
(index ``f // 2`` on each axis) at ``n``.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.fft as sp_fft
from numba import njit

from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._parallel import rows_per_task, run_tasks
from ..utils._validation import FLOAT_DTYPES, check_real_array

# Over-relaxation factor of ADMM (Eckstein and Bertsekas); 1.8 is SPORCO's default too.
_RELAX = 1.8
# Residual balancing: rho is multiplied or divided by _BALANCE_FACTOR when one residual
# (each relative to its own scale) exceeds the other _BALANCE_RATIO times, at every
# iteration up to _BALANCE_UNTIL, then frozen (ADMM converges for a fixed rho; steps
# that are too large make rho oscillate: ratio 1.2 with factor 1.5 never converged on a
# small random problem). Measured on camera (16 random 8 x 8 filters): ratio 1.5 and
# factor 1.2 needed 133 iterations to 4e-6 of the optimum, ratio 10 and factor 2 (the
# usual choice for BPDN) 469.
_BALANCE_RATIO = 1.5
_BALANCE_FACTOR = 1.2
_BALANCE_UNTIL = 500
# Absolute part of the stopping test, per sqrt(coefficient), relative to the signal scale.
_ABS_TOL = 1e-5
# Working values per signal sample and filter: the maps x, z, u, the previous z, their
# spectra (complex, half the samples), D^H s and temporaries. One image needs them all at once
# (the problem couples every pixel), so memory is linear in the image size; several
# small images share a task within the shared work budget.
_MAPS_PER_FILTER = 8

# Rows per band of the z- and u-update without the group term (with it, the blocks'
# rows): a band of a 540-wide map and its five arrays stays in a core's cache.
_BAND_ROWS = 8

BOUNDARIES = ("reflect", "periodic")


def _padding(filter_shape, boundary):
    """Samples added before and after each axis (before any fast-length padding)."""
    if boundary == "periodic":
        return [(0, 0) for _ in filter_shape]
    return [(f // 2, f - 1 - f // 2) for f in filter_shape]


def padded_shape(signal_shape, filter_shape, boundary):
    """Shape of the periodic domain the problem is solved on."""
    if boundary == "periodic":
        return tuple(signal_shape)
    return tuple(sp_fft.next_fast_len(n + f - 1, real=True)
                 for n, f in zip(signal_shape, filter_shape))


def extend(signals, filter_shape, boundary):
    """Signals ``(n, *shape)`` extended to the periodic domain (mirror reflection)."""
    if boundary == "periodic":
        return signals
    shape = signals.shape[1:]
    target = padded_shape(shape, filter_shape, boundary)
    widths = [(0, 0)] + [(before, t - n - before)
                         for (before, _), n, t in zip(_padding(filter_shape, boundary),
                                                      shape, target)]
    # "symmetric" repeats the edge sample, so it also works on signals of length 1.
    return np.pad(signals, widths, mode="symmetric")


def crop(maps, signal_shape, filter_shape, boundary):
    """The part of arrays on the periodic domain that lies over the signal."""
    if boundary == "periodic":
        return maps
    index = tuple(slice(before, before + n)
                  for (before, _), n in zip(_padding(filter_shape, boundary), signal_shape))
    return maps[(Ellipsis, *index)]


def centre_on_domain(filters, domain):
    """Filters ``(K, *filter_shape)`` zero-padded to ``domain`` with each filter's sample
    ``f // 2`` moved to the origin (the centred convention of every convolution here)."""
    padded = np.zeros((filters.shape[0], *domain), dtype=filters.dtype)
    padded[(slice(None), *(slice(0, f) for f in filters.shape[1:]))] = filters
    return np.roll(padded, [-(f // 2) for f in filters.shape[1:]],
                   axis=tuple(range(-len(domain), 0)))


def filter_spectra(filters, domain):
    """rFFT of the centred filters zero-padded to ``domain``: ``(K, *half_spectrum)``."""
    return sp_fft.rfftn(centre_on_domain(filters, domain), axes=tuple(range(-len(domain), 0)))


def inverse_rfft(spectra, domain, workers=1, overwrite=False):
    """``scipy.fft.irfftn`` of ``spectra`` over the last ``len(domain)`` axes, taken as
    the complex inverse DFT over all of them but the last, then the real one over the
    last (``overwrite``: ``spectra`` may be destroyed). The same result, measured
    faster: 16 x 540 x 540 maps in float32, 16 ms instead of 22-27 ms with scipy 1.17;
    the coding takes one per iteration.
    """
    axes = tuple(range(-len(domain), 0))
    if len(domain) > 1:
        spectra = sp_fft.ifftn(spectra, axes=axes[:-1], overwrite_x=overwrite,
                               workers=workers)
    return sp_fft.irfft(spectra, n=domain[-1], axis=-1,
                        overwrite_x=overwrite or len(domain) > 1, workers=workers)


def synthesize(maps, spectra, domain, workers=1):
    """``sum_k d_k * a_k`` for maps ``(n, K, *domain)`` (periodic convolution)."""
    axes = tuple(range(-len(domain), 0))
    mf = sp_fft.rfftn(maps, axes=axes, workers=workers)
    return inverse_rfft(np.einsum("nk...,k...->n...", mf, spectra), domain, workers,
                        overwrite=True)


def _block_edges(length, origin, block):
    """Start indices of blocks of ``block`` samples with one edge at ``origin``."""
    edges = np.arange(origin % block, length, block)
    if edges.size == 0 or edges[0] != 0:
        edges = np.concatenate([[0], edges])
    return edges


def _block_sums(values, edges):
    """Sum of ``values`` over blocks whose starts per trailing axis are ``edges``."""
    ndim = len(edges)
    for axis, starts in zip(range(-ndim, 0), edges):
        values = np.add.reduceat(values, starts, axis=axis)
    return values


def group_norms(maps, edges):
    """``||P_c a_k||_2`` for every map k and block c: ``(..., K, *n_blocks)``."""
    return np.sqrt(_block_sums(maps * maps, edges))


@njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _relaxed_prox(x, z_old, u, lam, mu, relax, row_starts, col_starts, grouped, z, sums,
                  columns, w):
    """ADMM's z- and u-updates of ``(n, K, R, C)`` maps, and the squared norms its
    stopping test needs.

    ``v = relax x + u - (relax - 1) z_old``; ``z = prox(v)`` (soft thresholding by
    ``lam``, then, when ``grouped``, each block shrunk by ``mu`` in norm: rows in bands
    starting at ``row_starts``, columns in blocks starting at ``col_starts``, both
    ending with the maps' size); ``u = v - z``, written over ``u``; ``w = z - u``, the
    next a-step's input. ``sums[s]`` receives, per signal, ``||x - z||^2,
    ||z - z_old||^2, ||x||^2, ||z||^2, ||u||^2`` (in float64; the summation order may
    change, ADMM's stopping test does not depend on it). ``columns`` (``C`` float64) is
    scratch.

    One band of rows at a time, in two passes over its rows: soft thresholding, then
    the blocks' shrinkage and the rest; a band stays in cache between the two. The loops
    run along whole rows (``x[s, k, r]``), which the compiler vectorises: with the
    per-block loops inside, the same kernel took 2.5 times as long; the blocks'
    energies are summed per column along the band, then per block.
    """
    n, n_maps, n_rows, n_cols = x.shape
    n_bands = row_starts.shape[0] - 1
    n_col_blocks = col_starts.shape[0] - 1
    old_weight = relax - 1  # of z_old in the relaxed x
    for s in range(n):
        threshold, shrink = lam[s], mu[s]
        a0 = a1 = a2 = a3 = a4 = 0.0
        for k in range(n_maps):
            for band in range(n_bands):
                first, last = row_starts[band], row_starts[band + 1]
                columns[:] = 0.0
                for r in range(first, last):
                    xr, zo, ur, zr = x[s, k, r], z_old[s, k, r], u[s, k, r], z[s, k, r]
                    for c in range(n_cols):
                        v = relax * xr[c] + ur[c] - old_weight * zo[c]
                        ur[c] = v
                        t = v - min(max(v, -threshold), threshold)
                        zr[c] = t
                        columns[c] += t * t
                if grouped:
                    # Each block's energy, then its shrinkage factor on its columns.
                    for j in range(n_col_blocks):
                        energy = 0.0
                        for c in range(col_starts[j], col_starts[j + 1]):
                            energy += columns[c]
                        norm = np.sqrt(energy)
                        factor = 1.0 - shrink / norm if norm > shrink else 0.0
                        for c in range(col_starts[j], col_starts[j + 1]):
                            columns[c] = factor
                for r in range(first, last):
                    xr, zo, ur, zr = x[s, k, r], z_old[s, k, r], u[s, k, r], z[s, k, r]
                    wr = w[s, k, r]
                    for c in range(n_cols):
                        t = zr[c] * columns[c] if grouped else zr[c]
                        zr[c] = t
                        new_u = ur[c] - t
                        ur[c] = new_u
                        wr[c] = t - new_u
                        value = xr[c]
                        previous = zo[c]
                        a0 += (value - t) * (value - t)
                        a1 += (t - previous) * (t - previous)
                        a2 += value * value
                        a3 += t * t
                        a4 += new_u * new_u
        sums[s, 0], sums[s, 1], sums[s, 2], sums[s, 3], sums[s, 4] = a0, a1, a2, a3, a4


@njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _solve_spectra(b, dhs, spectra, energy, rho, acc):
    """ADMM's x-update in the DFT domain, in place: ``b`` holds the spectra of
    ``z - u`` (``(n, K, F)``) and receives those of ``x``.

    Per frequency, ``(d^H d + rho I) x = rho b + d^H s`` is solved by Sherman-Morrison:
    with ``c = rho b + d^H s``, ``x = (c - d^H (d c) / (rho + d d^H)) / rho``. Two passes
    over the maps' spectra, where the numpy version took six.
    """
    n, n_maps, n_freqs = b.shape
    for s in range(n):
        r = rho[s]
        inverse = 1.0 / r
        acc[:] = 0.0
        for k in range(n_maps):
            for f in range(n_freqs):
                value = r * b[s, k, f] + dhs[s, k, f]
                b[s, k, f] = value
                acc[f] += spectra[k, f] * value
        for f in range(n_freqs):
            acc[f] = acc[f] / (r + energy[f])
        for k in range(n_maps):
            for f in range(n_freqs):
                b[s, k, f] = (b[s, k, f] - np.conj(spectra[k, f]) * acc[f]) * inverse


def _cbpdn_task(signals, spectra, domain, lam, mu, edges, max_iter, tol, workers, state=None):
    """ADMM on a stack of extended signals; returns maps ``(n, K, *domain)`` and n_iter.

    ``state`` (dictionary learning's warm start) is ``None`` or a dict with the arrays
    ``z``, ``u`` and ``rho`` of a previous call, updated in place.
    """
    ndim = len(domain)
    axes = tuple(range(-ndim, 0))
    dtype = signals.dtype
    n, n_filters = signals.shape[0], spectra.shape[0]
    expand = (slice(None),) + (np.newaxis,) * (ndim + 1)  # per-signal scalars
    sf = sp_fft.rfftn(signals, axes=axes, workers=workers)
    conj = np.conj(spectra)
    dhs = conj[np.newaxis] * sf[:, np.newaxis]  # (n, K, *half)
    energy = np.sum(np.abs(spectra) ** 2, axis=0).real  # |d(f)|^2 summed over filters
    lam = np.asarray(lam, dtype=dtype)
    mu = np.asarray(mu, dtype=dtype)
    # The initial penalty of SPORCO's ConvBPDN (50 lambda + 1) for signals scaled to unit
    # range; residual balancing adapts it within a few iterations.
    scale = np.maximum(np.sqrt(np.mean(signals.reshape(n, -1) ** 2, axis=1)), 1e-12)
    rho = (50.0 * lam / scale + 1.0).astype(dtype)
    maps = np.zeros((n, n_filters, *domain), dtype=dtype)
    n_iter = np.full(n, max_iter, dtype=np.intp)
    if state is None or "z" not in state:
        z = np.zeros_like(maps)
        u = np.zeros_like(maps)
    else:
        # Copies: the update writes the maps in place.
        z, u, rho = state["z"].copy(), state["u"].copy(), state["rho"]
    ids = np.arange(n)
    size = np.sqrt(n_filters * np.prod(domain))
    # The fused z- and u-update sees every signal as (n, K, rows, columns): a 1-D
    # signal is one row, one block high.
    rows, cols = (1, domain[0]) if ndim == 1 else domain
    grouped = edges is not None
    if grouped:
        row_edges, col_edges = ([0], edges[0]) if ndim == 1 else edges
    else:
        # Bands of a few rows, whole rows wide: the same passes with no shrinkage.
        row_edges, col_edges = np.arange(0, rows, _BAND_ROWS), [0]
    row_starts = np.append(np.asarray(row_edges, dtype=np.int64), rows)
    col_starts = np.append(np.asarray(col_edges, dtype=np.int64), cols)
    columns = np.empty(cols)
    spare = np.empty_like(z)
    w = z - u  # the a-step's input, written by the z- and u-update from then on
    sums = np.empty((n, 5))
    flat_spectra = np.ascontiguousarray(spectra).reshape(n_filters, -1)
    flat_energy = np.ascontiguousarray(energy, dtype=dtype).ravel()
    acc = np.empty(flat_spectra.shape[1], dtype=flat_spectra.dtype)

    for iteration in range(1, max_iter + 1):
        b = sp_fft.rfftn(w, axes=axes, workers=workers)
        _solve_spectra(b.reshape(len(ids), n_filters, -1),
                       dhs.reshape(len(ids), n_filters, -1),
                       flat_spectra, flat_energy, rho, acc)
        x = inverse_rfft(b, domain, workers, overwrite=True)
        del b
        # v = relaxed x + u, with relaxed x = _RELAX x + (1 - _RELAX) z; z = prox(v);
        # u = v - z: one compiled kernel, which also returns the residuals' norms.
        z_old, z = z, spare
        _relaxed_prox(x.reshape(len(ids), n_filters, rows, cols),
                      z_old.reshape(len(ids), n_filters, rows, cols),
                      u.reshape(len(ids), n_filters, rows, cols),
                      (lam[ids] / rho).astype(dtype), (mu[ids] / rho).astype(dtype),
                      dtype.type(_RELAX), row_starts, col_starts, grouped,
                      z.reshape(len(ids), n_filters, rows, cols), sums[:len(ids)], columns,
                      w.reshape(len(ids), n_filters, rows, cols))
        spare = z_old
        del x  # not alive during the next iteration's transforms: memory stays 8 maps
        norms = np.sqrt(sums[:len(ids)])
        primal, dual = norms[:, 0], rho * norms[:, 1]
        scale_primal = np.maximum(norms[:, 2], norms[:, 3])
        scale_dual = rho * norms[:, 4]
        floor = size * _ABS_TOL * scale[ids]
        primal_rel = primal / np.maximum(scale_primal, floor)
        dual_rel = dual / np.maximum(scale_dual, floor)
        converged = (primal_rel <= tol) & (dual_rel <= tol)
        if iteration <= _BALANCE_UNTIL:
            # Balance the relative residuals (Wohlberg, 2017); u is scaled with 1 / rho.
            factor = np.where(primal_rel > _BALANCE_RATIO * dual_rel, _BALANCE_FACTOR,
                              np.where(dual_rel > _BALANCE_RATIO * primal_rel,
                                       1 / _BALANCE_FACTOR, 1.0)).astype(dtype)
            rho = rho * factor
            if np.any(factor != 1):
                u /= factor[expand]
                np.subtract(z, u, out=w)
        if converged.any() or iteration == max_iter:
            done = converged if iteration < max_iter else np.ones(len(ids), dtype=bool)
            maps[ids[done]] = z[done]
            n_iter[ids[done]] = iteration
            if state is not None:
                state.setdefault("u", np.zeros_like(maps))[ids[done]] = u[done]
                state.setdefault("rho", np.zeros(n, dtype=dtype))[ids[done]] = rho[done]
            keep = ~done
            ids, z, u, w, rho = ids[keep], z[keep], u[keep], w[keep], rho[keep]
            dhs = dhs[keep]
            spare = spare[keep]
            if len(ids) == 0:
                break
    if state is not None:
        state["z"] = maps
    return maps, n_iter


def _cbpdn(signals, filters, lam, *, mu=0.0, block_size=None, boundary="reflect",
           max_iter=200, tol=1e-3, n_jobs=None, return_reconstruction=False):
    """CBPDN of validated signals ``(n, *shape)`` with filters ``(K, *fshape)``.

    ``lam`` and ``mu`` are scalars or one value per signal. Returns the maps over the
    signal ``(n, K, *shape)``, the iterations per signal, and with
    ``return_reconstruction`` the synthesis from all maps (including those of atoms
    centred in the extension), cropped to the signal.
    """
    shape = signals.shape[1:]
    fshape = filters.shape[1:]
    domain = padded_shape(shape, fshape, boundary)
    n = signals.shape[0]
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), (n,))
    mu = np.broadcast_to(np.asarray(mu, dtype=np.float64), (n,))
    edges = None
    if block_size is not None and np.any(mu > 0):
        origins = [before for before, _ in _padding(fshape, boundary)]
        edges = [_block_edges(t, o, block_size) for t, o in zip(domain, origins)]
    spectra = filter_spectra(filters, domain)
    extended = extend(signals, fshape, boundary)
    per_signal = _MAPS_PER_FILTER * filters.shape[0] * int(np.prod(domain))
    images_per_task = rows_per_task(per_signal)
    slices = [slice(i, min(i + images_per_task, n)) for i in range(0, n, images_per_task)]
    # One FFT thread per task (parallelism is over tasks): two threads on one 512 x 512
    # image measured slower than one.
    tasks = [(extended[rows], spectra, domain, lam[rows], mu[rows], edges, max_iter, tol, 1)
             for rows in slices]
    maps = np.empty((n, filters.shape[0], *shape), dtype=signals.dtype)
    reconstruction = np.empty_like(signals) if return_reconstruction else None
    n_iter = np.empty(n, dtype=np.intp)
    for rows, (full, iters) in zip(slices, run_tasks(_cbpdn_task, tasks, n_jobs=n_jobs)):
        maps[rows] = crop(full, shape, fshape, boundary)
        n_iter[rows] = iters
        if return_reconstruction:
            reconstruction[rows] = crop(synthesize(full, spectra, domain), shape,
                                        fshape, boundary)
    if return_reconstruction:
        return maps, n_iter, reconstruction
    return maps, n_iter


def check_signals_and_filters(X, filters, *, name="X"):
    """Validate a signal stack and filters of the same dimension; returns arrays + flag.

    ``X`` is one signal ``(L,)``/``(H, W)`` or a stack ``(n, L)``/``(n, H, W)``: with 2-D
    filters a 2-D ``X`` is one image, with 1-D filters a stack of 1-D signals.
    """
    filters = check_real_array(filters, name="filters", dtype=FLOAT_DTYPES, ensure_2d=False,
                               allow_nd=True)
    if filters.ndim not in (2, 3):
        raise ValueError(
            "filters must have shape (n_filters, length) for 1-D signals or "
            f"(n_filters, h, w) for images; got shape {filters.shape}."
        )
    ndim = filters.ndim - 1
    X = check_real_array(X, name=name, dtype=FLOAT_DTYPES, ensure_2d=False, allow_nd=True)
    if X.ndim == ndim:
        X, single = X[np.newaxis], True
    elif X.ndim == ndim + 1:
        single = False
    else:
        raise ValueError(
            f"{name} must have {ndim} or {ndim + 1} dimensions for {ndim}-D filters (one "
            f"signal or a stack); got shape {X.shape}."
        )
    if X.shape[0] == 0 or min(X.shape[1:]) < 1:
        raise ValueError(f"{name} is empty (shape {X.shape}).")
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    return X.astype(dtype, copy=False), filters.astype(dtype, copy=False), single


@validate_params(
    {
        "X": ["array-like"],
        "filters": ["array-like"],
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
        "block_size": [Interval(Integral, 1, None, closed="left")],
        "boundary": [StrOptions(set(BOUNDARIES))],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "return_n_iter": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def cbpdn(X, filters, *, alpha, group_alpha=0.0, block_size=8, boundary="reflect",
          max_iter=300, tol=1e-3, n_jobs=None, return_n_iter=False):
    """Convolutional basis pursuit denoising: sparse coefficient maps of whole signals.

    Solves, for every signal ``s`` of ``X`` (a 1-D signal or a 2-D image)::

        min_a  1/2 ||sum_k d_k * a_k - s||^2 + alpha sum_k ||a_k||_1
               + group_alpha sum_c sum_k ||P_c a_k||_2

    by ADMM in the DFT domain (Wohlberg, 2016): each iteration costs two FFTs of the K
    maps and a closed-form solve per frequency (Sherman-Morrison). ``P_c`` restricts a
    map to the block ``c`` of a grid of non-overlapping ``block_size`` blocks aligned
    with the signal's first sample; the group term makes whole blocks of a map vanish
    together (the lecture's local group sparsity), and its prox is exact.

    Parameters
    ----------
    X : array-like of shape (H, W), (n_images, H, W), (L,) or (n_signals, L)
        Images (with 2-D filters) or 1-D signals (with 1-D filters). float32 is
        processed in float32.
    filters : array-like of shape (n_filters, h, w) or (n_filters, l)
        The filters ``d_k``, used as given (no normalisation), centred: the coefficient
        at position ``n`` places the filter's sample ``f // 2`` at ``n``.
    alpha : float or array-like of shape (n_signals,)
        The l1 weight ``lambda`` (per signal when an array).
    group_alpha : float, default=0.0
        Weight ``mu`` of the local group-sparsity term.
    block_size : int, default=8
        Side of the blocks ``c`` of the group term.
    boundary : {"reflect", "periodic"}, default="reflect"
        "periodic": the periodic convolution model on the signal as given (SPORCO's
        model). "reflect": the signal is extended by mirror reflection by the filter
        size (less one), the periodic problem is solved on the extended signal, and the
        maps of the atoms centred inside the signal are returned; see the user guide.
    max_iter : int, default=300
        ADMM iterations per signal at most.
    tol : float, default=1e-3
        Relative tolerance on ADMM's primal and dual residuals.
    n_jobs : int, default=None
        Parallel tasks over groups of signals (one image is one problem, solved by one
        task); None means 1 unless in a :func:`joblib.parallel_config` context.
    return_n_iter : bool, default=False
        Also return the iterations used per signal.

    Returns
    -------
    maps : ndarray of shape (n_signals, n_filters, H, W) or (n_signals, n_filters, L)
        Coefficient maps (without the leading axis for a single signal).
    n_iter : ndarray of shape (n_signals,)
        Only with ``return_n_iter``.

    See Also
    --------
    cbpdn_objective : the objective of a solution.
    bpdn : the same problem for independent patches.

    References
    ----------
    B. Wohlberg, "Efficient algorithms for convolutional sparse representations", IEEE
    Transactions on Image Processing, 25(1), 2016, pp. 301-315.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.coding import cbpdn
    >>> filters = np.zeros((1, 3, 3)); filters[0, 1, 1] = 1.0  # identity filter
    >>> image = np.zeros((16, 16)); image[4, 5] = 2.0
    >>> maps = cbpdn(image, filters, alpha=0.5, tol=1e-6)
    >>> maps.shape, round(float(maps[0, 4, 5]), 3)  # soft thresholding: 2 - 0.5
    ((1, 16, 16), 1.5)
    """
    signals, filters, single = check_signals_and_filters(X, filters)
    for n, f in zip(signals.shape[1:], filters.shape[1:]):
        if f > n:
            raise ValueError(
                f"filters of shape {filters.shape[1:]} do not fit in signals of shape "
                f"{signals.shape[1:]}."
            )
    lam = np.asarray(alpha, dtype=np.float64)
    if lam.ndim > 1 or (lam.ndim == 1 and lam.shape != (signals.shape[0],)) or np.any(lam < 0):
        raise ValueError(
            "alpha must be a non-negative float or one value per signal, shape "
            f"({signals.shape[0]},); got {alpha!r}."
        )
    maps, n_iter = _cbpdn(signals, filters, lam, mu=group_alpha, block_size=block_size,
                          boundary=boundary, max_iter=max_iter, tol=tol, n_jobs=n_jobs)
    if single:
        maps, n_iter = maps[0], n_iter[0]
    return (maps, n_iter) if return_n_iter else maps


@validate_params(
    {
        "X": ["array-like"],
        "filters": ["array-like"],
        "maps": ["array-like"],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
        "block_size": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def cbpdn_objective(X, filters, maps, *, alpha, group_alpha=0.0, block_size=8):
    """Objective of CBPDN (periodic model) for given maps, per signal.

    ``1/2 ||sum_k d_k * a_k - s||^2 + alpha sum_k ||a_k||_1 + group_alpha sum_c sum_k
    ||P_c a_k||_2`` with periodic convolution on the signal's own domain (the
    ``boundary="periodic"`` problem of :func:`cbpdn`).

    Parameters
    ----------
    X : array-like of shape (n_signals, H, W), (H, W), (n_signals, L) or (L,)
        Signals.
    filters : array-like of shape (n_filters, h, w) or (n_filters, l)
        Filters.
    maps : array-like of shape (n_signals, n_filters, H, W) or (n_signals, n_filters, L)
        Coefficient maps (without the leading axis for one signal).
    alpha : float
        l1 weight.
    group_alpha : float, default=0.0
        Weight of the group term.
    block_size : int, default=8
        Side of the blocks of the group term.

    Returns
    -------
    objective : ndarray of shape (n_signals,) or float
        Per signal (a float for a single signal).

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.coding import cbpdn, cbpdn_objective
    >>> filters = np.zeros((1, 3, 3)); filters[0, 1, 1] = 1.0
    >>> image = np.zeros((8, 8)); image[2, 2] = 2.0
    >>> maps = np.zeros((1, 8, 8))
    >>> float(cbpdn_objective(image, filters, maps, alpha=0.5))
    2.0
    """
    signals, filters, single = check_signals_and_filters(X, filters)
    maps = np.asarray(maps, dtype=signals.dtype)
    if single:
        maps = maps[np.newaxis]
    expected = (signals.shape[0], filters.shape[0], *signals.shape[1:])
    if maps.shape != expected:
        raise ValueError(f"maps must have shape {expected[single:]}; got {maps.shape[single:]}.")
    domain = signals.shape[1:]
    residual = synthesize(maps, filter_spectra(filters, domain), domain) - signals
    flat = (len(signals), -1)
    value = 0.5 * np.sum(residual.reshape(flat) ** 2, axis=1)
    value += alpha * np.sum(np.abs(maps).reshape(flat), axis=1)
    if group_alpha > 0:
        edges = [_block_edges(n, 0, block_size) for n in domain]
        value += group_alpha * np.sum(group_norms(maps, edges).reshape(flat), axis=1)
    return float(value[0]) if single else value
