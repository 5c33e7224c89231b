"""OMPInpainter: fill missing pixels by sparse coding of the observed part of each patch."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from scipy import ndimage
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._compat import _fit_context
from ._dct import overcomplete_dct_dictionary
from ._ksvd import ksvd
from ._omp import masked_omp
from ._validation import check_image_stack, check_patch_fits
from ._windows import (
    accumulate_strips,
    assemble_patch_grid,
    assemble_patch_weights,
    extract_patch_grid,
    patch_positions,
)
from .datasets import load_dictionary

# Patch values coded per strip (patches x pixels): bounds codes and Gram-column buffers.
_STRIP_VALUES = 2**21


def _split_masked(X, mask):
    """Images and their *observed* mask from ``(X, mask)`` or a masked array."""
    if isinstance(X, np.ma.MaskedArray):
        if mask is not None:
            raise ValueError("Pass either a masked array or mask=, not both.")
        mask = np.ma.getmaskarray(X)
        X = X.filled(0.0)
    if mask is None:
        raise ValueError(
            "OMPInpainter.transform needs the missing pixels: pass mask= (True where a "
            "pixel is missing) or a numpy masked array."
        )
    missing = np.asarray(mask)
    if missing.dtype != bool:
        raise TypeError(f"mask must be a boolean array (True = missing); got {missing.dtype}.")
    # Missing pixels may hold anything (NaN included): they are replaced before validation.
    values = np.where(missing, 0.0, np.asarray(X, dtype=float)) if missing.shape == np.shape(
        X) else X
    stack, single = check_image_stack(values)
    missing_stack = missing[np.newaxis] if missing.ndim == 2 else missing
    if missing_stack.shape != stack.shape:
        raise ValueError(
            f"mask must have the shape of X, {np.shape(X)}; got {missing.shape}."
        )
    observed = ~missing_stack
    empty = ~observed.any(axis=(1, 2))
    if empty.any():
        raise ValueError(
            f"Every pixel of image(s) {np.flatnonzero(empty).tolist()} is missing: nothing "
            "to inpaint from."
        )
    return stack, observed, single


class OMPInpainter(TransformerMixin, BaseEstimator):
    """Inpaint missing pixels with sparse codes of the observed part of every patch.

    Every ``p x p`` patch ``x_i`` (stride 1 by default) is coded by orthogonal matching
    pursuit against the dictionary restricted to its observed pixels, ``P_i D``, until the
    residual on those pixels falls to

    ``delta_i = 1.15 * p * sigma * sqrt((p^2 - m_i) / p^2)``,

    ``m_i`` being the number of missing pixels of the patch; the patch is then synthesised
    with the full dictionary, ``D^T c_i``, clipped to the valid range, and the overlapping
    estimates are averaged. A constant atom is added to the dictionary and patches are not
    mean-subtracted.

    Parameters
    ----------
    dictionary : {"learned", "dct", "ksvd"} or array-like of shape (n_atoms, p * p), \
            default="learned"
        "learned": the K-SVD dictionary shipped with sk_sparse (8 x 8, learned on other
        images, see :func:`~sk_sparse.datasets.load_dictionary`); "dct": an overcomplete
        DCT dictionary (``n_components`` atoms); "ksvd": learned by ``fit`` on the patches
        of the (complete) training images; or an array of atoms as rows.
    sigma : float, default=0.01
        Noise level of the observed pixels (images in [0, 1]); sets the residual target.
        For clean 8-bit images it is a tolerance rather than a noise level: on camera,
        astronaut and brick, 0.01 gave 0.1 to 1.1 dB more than 0.02 at 30% missing and
        the same or better up to 70% (``benchmarks/bench_inpaint.py``). For noisy
        images, pass the noise level.
    patch_size : int, default=8
        Patch side for "dct" and "ksvd"; otherwise taken from the dictionary.
    stride : int, default=1
        Distance between patches.
    n_nonzero_coefs : int, default=None
        Cap on atoms per patch; None means ``p * p // 8`` (8 for 8 x 8 patches). Texture
        rarely meets the residual target; more atoms then cost time and overfit the
        observed pixels.
    n_components : int, default=256
        Atoms of the "dct" and "ksvd" dictionaries (for "dct", a square number).
    keep_observed : bool, default=True
        Return the observed pixels unchanged; only missing pixels are replaced.
    clip : (float, float) or None, default=(0.0, 1.0)
        Valid range each patch estimate is clipped to before aggregation (an atom that is
        nearly zero on the observed pixels can otherwise produce wild values); None
        disables clipping.
    norm_floor : float, default=0.1
        Floor of the observed-pixel norm of an atom when ranking atoms (see
        :func:`~sk_sparse.masked_omp`).
    max_iter : int, default=10
        K-SVD rounds for ``dictionary="ksvd"``.
    random_state : int, RandomState instance or None, default=None
        Seeds K-SVD for ``dictionary="ksvd"``.
    n_jobs : int, default=None
        Strips of patches coded in parallel by joblib (threads preferred), in
        ``transform``; None means 1 unless in a :func:`joblib.parallel_config` context.

    Attributes
    ----------
    dictionary_ : ndarray of shape (n_atoms, p * p)
        Atoms used, constant atom first.
    patch_size_ : int

    See Also
    --------
    masked_omp : the coding kernel.
    skimage.restoration.inpaint_biharmonic : diffusion-type inpainting.

    Notes
    -----
    Missing pixels are given either as ``transform(X, mask=mask)`` with a boolean ``mask``
    of the shape of ``X`` that is **True where a pixel is missing**, or as a
    :class:`numpy.ma.MaskedArray` ``X`` (same convention: masked = missing). The masked
    array form works inside a :class:`~sklearn.pipeline.Pipeline`, which passes only
    ``X``. Images are ``(H, W)`` or ``(n_images, H, W)``; a patch with no observed pixel
    contributes nothing, and a pixel no patch estimates (a hole wider than a patch)
    takes the value of the nearest estimated pixel, so the output has no NaN.

    References
    ----------
    J. Mairal, M. Elad and G. Sapiro, "Sparse representation for color image
    restoration", IEEE Trans. Image Processing 17(1), 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse import OMPInpainter
    >>> from sk_sparse.datasets import load_image
    >>> from sk_sparse.metrics import psnr
    >>> clean = load_image("camera")[100:164, 100:164]
    >>> missing = np.random.default_rng(0).random(clean.shape) < 0.5
    >>> inpainted = OMPInpainter().fit().transform(clean, mask=missing)
    >>> psnr(clean, inpainted) > 25
    True
    """

    _parameter_constraints: dict = {
        "dictionary": [StrOptions({"learned", "dct", "ksvd"}), "array-like"],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "patch_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "n_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "keep_observed": ["boolean"],
        "clip": [tuple, list, None],
        "norm_floor": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, dictionary="learned", *, sigma=0.01, patch_size=8, stride=1,
                 n_nonzero_coefs=None, n_components=256, keep_observed=True, clip=(0.0, 1.0),
                 norm_floor=0.1, max_iter=10, random_state=None, n_jobs=None):
        self.dictionary = dictionary
        self.sigma = sigma
        self.patch_size = patch_size
        self.stride = stride
        self.n_nonzero_coefs = n_nonzero_coefs
        self.n_components = n_components
        self.keep_observed = keep_observed
        self.clip = clip
        self.norm_floor = norm_floor
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Set up the dictionary (learn it from ``X`` when ``dictionary="ksvd"``).

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W), default=None
            Complete training images; needed only for ``dictionary="ksvd"``.
        y : Ignored

        Returns
        -------
        self : OMPInpainter
        """
        if self.clip is not None and (len(self.clip) != 2 or self.clip[0] >= self.clip[1]):
            raise ValueError(f"clip must be None or a (low, high) pair; got {self.clip!r}.")
        if X is not None:
            check_image_stack(X)
        if isinstance(self.dictionary, str) and self.dictionary == "learned":
            atoms, size = load_dictionary(), 8
        elif isinstance(self.dictionary, str) and self.dictionary == "dct":
            per_axis = int(round(np.sqrt(self.n_components)))
            if per_axis**2 != self.n_components or per_axis < self.patch_size:
                raise ValueError(
                    "dictionary='dct' needs n_components to be a square of at least "
                    f"patch_size**2 = {self.patch_size**2}; got {self.n_components}."
                )
            atoms, size = overcomplete_dct_dictionary(self.patch_size, per_axis), self.patch_size
        elif isinstance(self.dictionary, str):  # "ksvd"
            atoms, size = self._learn(X), self.patch_size
        else:
            atoms = check_array(self.dictionary, input_name="dictionary")
            size = int(round(np.sqrt(atoms.shape[1])))
            if size**2 != atoms.shape[1]:
                raise ValueError(
                    f"dictionary atoms must be square patches; got {atoms.shape[1]} features."
                )
        self.patch_size_ = size
        self.dictionary_ = self._with_constant_atom(atoms)
        return self

    def _learn(self, X) -> np.ndarray:
        if X is None:
            raise ValueError("dictionary='ksvd' learns from images: pass them to fit(X).")
        stack, _ = check_image_stack(X)
        p = self.patch_size
        check_patch_fits((p, p), stack.shape)
        rows = patch_positions(stack.shape[1], p, 1)
        cols = patch_positions(stack.shape[2], p, 1)
        patches = extract_patch_grid(stack, rows, cols, (p, p)).reshape(-1, p * p)
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31))
        if len(patches) > 40_000:
            patches = patches[rng.choice(len(patches), 40_000, replace=False)]
        constant = np.full((1, p * p), 1.0 / p)
        atoms, _ = ksvd(patches, self.n_components + 1, n_nonzero_coefs=max(1, p * p // 10),
                        max_iter=self.max_iter, fixed_atoms=constant,
                        random_state=self.random_state)
        return atoms[1:]

    @staticmethod
    def _with_constant_atom(atoms: np.ndarray) -> np.ndarray:
        atoms = np.asarray(atoms, dtype=np.float64)
        norms = np.linalg.norm(atoms, axis=1, keepdims=True)
        atoms = atoms[norms[:, 0] > 0] / norms[norms[:, 0] > 0]
        constant = np.full((1, atoms.shape[1]), 1.0 / np.sqrt(atoms.shape[1]))
        is_constant = np.abs(atoms @ constant[0]) > 1 - 1e-9
        return np.concatenate([constant, atoms[~is_constant]])

    def transform(self, X, mask=None) -> np.ndarray:
        """Inpaint the missing pixels.

        Parameters
        ----------
        X : array-like or numpy masked array of shape (H, W) or (n_images, H, W)
            Images; values at missing pixels are ignored (NaN allowed there).
        mask : array-like of bool of the shape of ``X``, default=None
            True where a pixel is missing. Not needed for a masked array.

        Returns
        -------
        inpainted : ndarray of the shape of ``X``, float64
        """
        check_is_fitted(self)
        stack, observed, single = _split_masked(X, mask)
        p = self.patch_size_
        check_patch_fits((p, p), stack.shape)
        height, width = stack.shape[1:]
        rows = patch_positions(height, p, self.stride)
        cols = patch_positions(width, p, self.stride)
        numerator, weight_sum = accumulate_strips(
            lambda index, local_rows, strip, seen: self._inpaint_strip(strip, seen, local_rows,
                                                                       cols),
            (stack, observed), p, rows, len(cols) * p * p, _STRIP_VALUES, n_jobs=self.n_jobs,
        )
        result = np.empty(stack.shape)
        for i in range(len(stack)):
            result[i] = self._finish(numerator[i], weight_sum[i], stack[i], observed[i])
        return result[0] if single else result

    def _inpaint_strip(self, strip, observed, local_rows, col_positions):
        p = self.patch_size_
        grid_shape = (1, len(local_rows), len(col_positions), p, p)
        values = extract_patch_grid(strip[np.newaxis], local_rows, col_positions,
                                    (p, p)).reshape(-1, p * p)
        seen = extract_patch_grid(observed[np.newaxis], local_rows, col_positions,
                                  (p, p)).reshape(-1, p * p)
        n_observed = seen.sum(axis=1)
        # delta_i = 1.15 p sigma sqrt((p^2 - m_i) / p^2); OMP takes the squared norm.
        tol = (1.15 * p * self.sigma) ** 2 * n_observed / (p * p)
        cap = self.n_nonzero_coefs or max(1, (p * p) // 8)
        codes = masked_omp(values, seen, self.dictionary_, n_nonzero_coefs=cap, tol=tol,
                           norm_floor=self.norm_floor)
        estimates = codes @ self.dictionary_
        if self.clip is not None:
            np.clip(estimates, self.clip[0], self.clip[1], out=estimates)
        weights = (n_observed > 0).astype(np.float64).reshape(grid_shape[:3])
        estimates *= weights.reshape(-1, 1)
        numerator = assemble_patch_grid(estimates.reshape(grid_shape), local_rows,
                                        col_positions, strip.shape)[0]
        weight_sum = assemble_patch_weights(weights, local_rows, col_positions, (p, p),
                                            strip.shape)[0]
        return numerator, weight_sum

    def _finish(self, numerator, weight_sum, image, observed):
        estimated = weight_sum > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            result = numerator / weight_sum
        if not estimated.all():
            # Holes wider than a patch: copy the nearest estimated pixel.
            nearest = ndimage.distance_transform_edt(
                ~estimated, return_distances=False, return_indices=True
            )
            result = result[tuple(nearest)]
        if self.keep_observed:
            result[observed] = image[observed]
        return result

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        return tags
