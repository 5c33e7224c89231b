"""PatchExtractor: images to patch rows and back, with strides and weighted aggregation."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval, _fit_context
from ..utils._validation import (
    FLOAT_DTYPES,
    ImageInputMixin,
    as_pair,
    check_image_stack,
    check_patch_fits,
    check_real_array,
)
from ._grid import (
    assemble_patch_grid,
    assemble_patch_weights,
    extract_patch_grid,
    patch_positions,
)


class PatchExtractor(ImageInputMixin, TransformerMixin, BaseEstimator):
    """Cut images into (possibly overlapping) patches and put patches back together.

    ``transform`` turns images into one row per patch; ``inverse_transform`` rebuilds the
    images from (possibly modified) patch rows, averaging the pixels that several patches
    share, with uniform or per-patch weights. Extraction followed by reconstruction is the
    identity for every stride.

    Parameters
    ----------
    patch_size : int or (int, int), default=8
        Patch height and width.
    stride : int or (int, int), default=1
        Distance between the top-left corners of neighbouring patches. ``stride=1`` gives
        all sliding patches, ``stride=patch_size`` non-overlapping tiles.
    remove_mean : bool, default=False
        Subtract each patch's mean in ``transform``. ``fit`` records the means of the
        fitted images in ``patch_means_`` and ``inverse_transform`` adds them back (or the
        ``means`` it is given).
    cover_border : bool, default=True
        When ``(H - patch_height)`` is not a multiple of the stride, the regular grid misses
        the last rows; with True one more row of patches flush with the bottom border is
        added (likewise for columns), so that every pixel is covered and the round trip is
        exact. With False the grid is kept regular; ``transform`` then skips the border
        rows, and ``inverse_transform`` refuses to rebuild images it cannot cover.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(H, W)`` of the images seen in ``fit``; ``transform`` requires the same size.
    row_positions_ : ndarray of int
        Top rows of the patches.
    col_positions_ : ndarray of int
        Left columns of the patches.
    n_patches_per_image_ : int
        ``len(row_positions_) * len(col_positions_)``.
    patch_means_ : ndarray of shape (n_patches,)
        Patch means of the images seen in ``fit``; only with ``remove_mean=True``.

    See Also
    --------
    sklearn.feature_extraction.image.extract_patches_2d : all sliding patches, no stride.
    sklearn.feature_extraction.image.reconstruct_from_patches_2d : uniform averaging only.

    Notes
    -----
    Images are ``(H, W)`` arrays or ``(n_images, H, W)`` stacks; patch rows are ordered by
    image, then patch row, then patch column (C order), each patch flattened in C order.
    Because the number of output rows differs from the number of images, this is a
    utility for dictionary learning and patch-wise processing, not a step to place in the
    middle of a :class:`~sklearn.pipeline.Pipeline` (scikit-learn transformers must keep
    the number of samples). float32 input stays float32; other dtypes become float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse import PatchExtractor
    >>> image = np.arange(36.0).reshape(6, 6)
    >>> extractor = PatchExtractor(patch_size=4, stride=2)
    >>> patches = extractor.fit_transform(image)
    >>> patches.shape
    (4, 16)
    >>> np.array_equal(extractor.inverse_transform(patches), image)
    True
    """

    _parameter_constraints: dict = {
        "patch_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "stride": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "remove_mean": ["boolean"],
        "cover_border": ["boolean"],
    }

    def __init__(self, patch_size=8, *, stride=1, remove_mean: bool = False,
                 cover_border: bool = True):
        self.patch_size = patch_size
        self.stride = stride
        self.remove_mean = remove_mean
        self.cover_border = cover_border

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the image size, the patch grid and, with ``remove_mean``, the patch means.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : PatchExtractor
            The fitted extractor.
        """
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None) -> np.ndarray:
        """Fit on ``X`` and return its patches (extracted once).

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        patches : ndarray of shape (n_images * n_patches_per_image, ph * pw)
            One row per patch, each patch flattened in C order.
        """
        return self._fit(X)

    def _fit(self, X) -> np.ndarray:
        stack, single = check_image_stack(X)
        patch_shape = as_pair(self.patch_size, "patch_size")
        stride = as_pair(self.stride, "stride")
        check_patch_fits(patch_shape, stack.shape)
        self.image_shape_ = tuple(stack.shape[1:])
        self.row_positions_ = patch_positions(
            self.image_shape_[0], patch_shape[0], stride[0], self.cover_border
        )
        self.col_positions_ = patch_positions(
            self.image_shape_[1], patch_shape[1], stride[1], self.cover_border
        )
        self.n_patches_per_image_ = len(self.row_positions_) * len(self.col_positions_)
        self._patch_shape = patch_shape
        self._single_image = single
        patches = self._extract(stack)
        if self.remove_mean:
            self.patch_means_ = patches.mean(axis=1)
            patches -= self.patch_means_[:, np.newaxis]
        return patches

    def _extract(self, stack: np.ndarray) -> np.ndarray:
        grid = extract_patch_grid(stack, self.row_positions_, self.col_positions_,
                                  self._patch_shape)
        return grid.reshape(-1, self._patch_shape[0] * self._patch_shape[1])

    def transform(self, X) -> np.ndarray:
        """Extract the patches of every image.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images of the size seen in ``fit``.

        Returns
        -------
        patches : ndarray of shape (n_images * n_patches_per_image, ph * pw)
            With ``remove_mean``, each patch minus its own mean.
        """
        check_is_fitted(self)
        stack, _ = check_image_stack(X)
        if stack.shape[1:] != self.image_shape_:
            raise ValueError(
                f"X has images of shape {stack.shape[1:]}, but {type(self).__name__} was "
                f"fitted on images of shape {self.image_shape_}."
            )
        patches = self._extract(stack)
        if self.remove_mean:
            patches -= patches.mean(axis=1, keepdims=True)
        return patches

    def inverse_transform(self, patches, weights=None, means=None) -> np.ndarray:
        """Rebuild images from patch rows, averaging overlapping pixels.

        Each pixel becomes ``sum_k w_k P_k(pixel) / sum_k w_k`` over the patches ``k`` that
        cover it.

        Parameters
        ----------
        patches : array-like of shape (n_images * n_patches_per_image, ph * pw)
            Patch rows in the order produced by ``transform`` (``(n, ph, pw)`` also works).
        weights : array-like of shape (n_patches,), default=None
            Non-negative weight of each patch; None means uniform. Every pixel needs a
            covering patch of positive weight.
        means : array-like of shape (n_patches,), default=None
            With ``remove_mean=True``, the means to add back; None uses ``patch_means_``
            (the images seen in ``fit``). Ignored when ``remove_mean=False``.

        Returns
        -------
        images : ndarray of shape (n_images, H, W), or (H, W) when ``fit`` saw a single
            image and there is one image.

        Raises
        ------
        ValueError
            When some pixel has no covering patch (a stride larger than the patch, or
            ``cover_border=False`` on a grid that misses the border) or only patches of
            weight 0: such a pixel has no value to rebuild, and it is not invented.
        """
        check_is_fitted(self)
        ph, pw = self._patch_shape
        patches = check_real_array(patches, "patches", dtype=FLOAT_DTYPES, allow_nd=True)
        n_patches = patches.shape[0]
        if patches.shape[1:] not in ((ph * pw,), (ph, pw)):
            raise ValueError(
                f"patches must have {ph * pw} columns (patches of {ph}x{pw}); got an array "
                f"of shape {patches.shape}."
            )
        if n_patches % self.n_patches_per_image_:
            raise ValueError(
                f"patches has {n_patches} rows, not a multiple of the "
                f"{self.n_patches_per_image_} patches per image."
            )
        n_images = n_patches // self.n_patches_per_image_
        grid_shape = (n_images, len(self.row_positions_), len(self.col_positions_), ph, pw)
        grid = patches.reshape(grid_shape)
        if self.remove_mean:
            if means is None:
                means = self.patch_means_
            means = check_real_array(means, "means", ensure_2d=False, dtype=patches.dtype)
            if means.shape != (n_patches,):
                raise ValueError(
                    f"means must have shape ({n_patches},), one per patch; got {means.shape}"
                    ". Pass means= when rebuilding images other than those seen in fit."
                )
            grid = grid + means.reshape(grid_shape[:3] + (1, 1))
        if weights is None:
            weight_grid = np.ones(grid_shape[:3], dtype=patches.dtype)
        else:
            weights = check_real_array(weights, "weights", ensure_2d=False,
                                       dtype=patches.dtype)
            if weights.shape != (n_patches,):
                raise ValueError(
                    f"weights must have shape ({n_patches},), one per patch; got "
                    f"{weights.shape}."
                )
            if np.any(weights < 0):
                raise ValueError("weights must be non-negative.")
            weight_grid = weights.reshape(grid_shape[:3])
            grid = grid * weight_grid[..., np.newaxis, np.newaxis]
        numerator = assemble_patch_grid(grid, self.row_positions_, self.col_positions_,
                                        self.image_shape_)
        denominator = assemble_patch_weights(weight_grid, self.row_positions_,
                                             self.col_positions_, self._patch_shape,
                                             self.image_shape_)
        undefined = denominator == 0
        if undefined.any():
            uncovered = assemble_patch_weights(np.ones(grid_shape[1:3]), self.row_positions_,
                                               self.col_positions_, self._patch_shape,
                                               self.image_shape_) == 0
            if uncovered.any():
                reason = (f"no patch covers {int(uncovered.sum())} pixels of each image "
                          f"(stride={self.stride!r}, patch_size={self.patch_size!r}, "
                          f"cover_border={self.cover_border}); use a stride of at most the "
                          "patch size and cover_border=True to rebuild whole images")
            else:
                reason = (f"{int(undefined.sum())} pixels are covered only by patches of "
                          "weight 0")
            raise ValueError(f"inverse_transform cannot rebuild the images: {reason}.")
        images = numerator / denominator
        return images[0] if (self._single_image and n_images == 1) else images

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
