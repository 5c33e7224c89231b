"""ConvolutionalSparseCoder: learned filters and coefficient maps of whole images."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..coding._cbpdn import (
    BOUNDARIES,
    _cbpdn,
    crop,
    filter_spectra,
    padded_shape,
    synthesize,
)
from ..utils._compat import Interval, StrOptions, _fit_context
from ..utils._validation import (
    FLOAT_DTYPES,
    ImageInputMixin,
    as_pair,
    check_image_stack,
    check_real_array,
)
from ._conv_dict import _conv_dictionary_learning


def check_filters(filters, images):
    """Given filters ``(n_filters, h, w)``, validated and normalised to unit norm, in the
    images' dtype; they must fit in the images ``(n, H, W)``."""
    given = check_real_array(filters, name="filters", dtype=FLOAT_DTYPES, ensure_2d=False,
                             allow_nd=True)
    if given.ndim != 3:
        raise ValueError(f"filters must have shape (n_filters, h, w); got shape {given.shape}.")
    norms = np.sqrt(np.sum(given.reshape(len(given), -1) ** 2, axis=1))
    if np.any(norms == 0):
        raise ValueError("filters contains an all-zero filter.")
    if given.shape[1] > images.shape[1] or given.shape[2] > images.shape[2]:
        raise ValueError(f"filters of shape {given.shape[1:]} do not fit in images of shape "
                         f"{images.shape[1:]}.")
    return (given / norms[:, np.newaxis, np.newaxis]).astype(images.dtype)


def resolve_filters(filters, n_filters, filter_size, images, *, alpha, group_alpha,
                    block_size, boundary, max_iter, random_state, verbose):
    """Filters for a ``filters`` parameter: given (unit norm) or learned on ``images``.

    Returns ``(filters, objective, n_iter)``; objective is empty and n_iter 0 for given
    filters.
    """
    if filters is not None:
        return check_filters(filters, images), np.array([]), 0
    shape = as_pair(filter_size, "filter_size")
    if shape[0] > images.shape[1] or shape[1] > images.shape[2]:
        raise ValueError(f"filter_size={filter_size} is larger than the images "
                         f"{images.shape[1:]}.")
    return _conv_dictionary_learning(
        images, n_filters, shape, alpha, mu=group_alpha, block_size=block_size,
        boundary=boundary, max_iter=max_iter, random_state=random_state, verbose=verbose)


class ConvolutionalSparseCoder(ImageInputMixin, TransformerMixin, BaseEstimator):
    """Convolutional sparse coding: images as sums of filters convolved with sparse maps.

    Every image ``s`` is encoded entirely as ``s ~ sum_k d_k * a_k``: ``fit`` learns the
    filters ``d_k`` (or takes them as given), ``transform`` returns the coefficient maps
    ``a_k`` by convolutional basis pursuit denoising
    (:func:`~sk_sparse.coding.cbpdn`)::

        min_a  1/2 ||sum_k d_k * a_k - s||^2 + alpha sum_k ||a_k||_1
               + group_alpha sum_c sum_k ||P_c a_k||_2

    and ``inverse_transform`` synthesises images from maps. Unlike patch-based coding,
    there are no patches to aggregate: the whole image is one optimisation problem, and
    the filters are translation invariant by construction.

    Flat regions and slow gradients are represented poorly by a few small filters; code
    the detail of an image (``image - lowpass(image)``, see
    :func:`~sk_sparse.image.lowpass`) and keep its smooth part aside, as
    :class:`~sk_sparse.restoration.ConvolutionalDenoiser` does.

    Parameters
    ----------
    n_filters : int, default=32
        Number of filters to learn (ignored when ``filters`` is given).
    filter_size : int or (int, int), default=8
        Size of the learned filters.
    alpha : float, default=0.1
        The l1 weight, in learning and coding, in the units of the images.
    group_alpha : float, default=0.0
        Weight of the local group-sparsity term (blocks of ``block_size``).
    block_size : int, default=8
        Side of the blocks of the group term.
    filters : array-like of shape (n_filters, h, w), default=None
        Given filters (normalised to unit norm); None learns them in ``fit``.
    boundary : {"reflect", "periodic"}, default="reflect"
        How convolution treats the image border (see :func:`~sk_sparse.coding.cbpdn`).
    max_iter : int, default=50
        Rounds of dictionary learning (each round: a few coding and a few filter-update
        iterations).
    transform_max_iter : int, default=300
        ADMM iterations per image at most in ``transform``.
    transform_tol : float, default=1e-3
        ADMM's relative tolerance in ``transform``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial filters (random patches of the images).
    n_jobs : int, default=None
        Parallel coding over groups of images; None means 1 unless in a
        :func:`joblib.parallel_config` context.
    verbose : int, default=0
        Print the objective after every round of learning.

    Attributes
    ----------
    components_ : ndarray of shape (n_filters, h, w)
        Unit-norm filters.
    objective_ : ndarray of shape (n_rounds,)
        Objective after each round of learning (empty for given filters).
    n_iter_ : int
        Rounds of learning run (0 for given filters).

    See Also
    --------
    sk_sparse.coding.cbpdn : the coding kernel.
    sk_sparse.restoration.ConvolutionalDenoiser : denoising by CBPDN of the whole image.

    Notes
    -----
    Input: one image ``(H, W)`` or a stack ``(n_images, H, W)``; ``transform`` returns
    ``(n_filters, H, W)`` or ``(n_images, n_filters, H, W)``. With ``boundary="reflect"``
    the maps returned are those of atoms centred inside the image, so
    ``inverse_transform(transform(X))`` differs from the coding's own reconstruction
    within half a filter of the border (where atoms centred outside the image also
    contribute); with ``boundary="periodic"`` the two agree.

    References
    ----------
    B. Wohlberg, "Efficient algorithms for convolutional sparse representations", IEEE
    Transactions on Image Processing, 25(1), 2016, pp. 301-315.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.decomposition import ConvolutionalSparseCoder
    >>> from sk_sparse.datasets import load_image
    >>> from sk_sparse.image import lowpass
    >>> image = load_image("camera")[:64, :64]
    >>> detail = image - lowpass(image)
    >>> coder = ConvolutionalSparseCoder(n_filters=8, filter_size=6, alpha=0.02,
    ...                                  max_iter=5, random_state=0).fit(detail)
    >>> coder.components_.shape, coder.transform(detail).shape
    ((8, 6, 6), (8, 64, 64))
    """

    _parameter_constraints: dict = {
        "n_filters": [Interval(Integral, 1, None, closed="left")],
        "filter_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
        "block_size": [Interval(Integral, 1, None, closed="left")],
        "filters": ["array-like", None],
        "boundary": [StrOptions(set(BOUNDARIES))],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "transform_max_iter": [Interval(Integral, 1, None, closed="left")],
        "transform_tol": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, n_filters=32, *, filter_size=8, alpha=0.1, group_alpha=0.0,
                 block_size=8, filters=None, boundary="reflect", max_iter=50,
                 transform_max_iter=300, transform_tol=1e-3, random_state=None, n_jobs=None,
                 verbose=0):
        self.n_filters = n_filters
        self.filter_size = filter_size
        self.alpha = alpha
        self.group_alpha = group_alpha
        self.block_size = block_size
        self.filters = filters
        self.boundary = boundary
        self.max_iter = max_iter
        self.transform_max_iter = transform_max_iter
        self.transform_tol = transform_tol
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the filters from images (or set the given ones).

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Training images (their detail, see the class description).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : ConvolutionalSparseCoder
            The fitted coder.
        """
        stack, _ = check_image_stack(X)
        self.components_, self.objective_, self.n_iter_ = resolve_filters(
            self.filters, self.n_filters, self.filter_size, stack, alpha=self.alpha,
            group_alpha=self.group_alpha, block_size=self.block_size,
            boundary=self.boundary, max_iter=self.max_iter, random_state=self.random_state,
            verbose=self.verbose)
        return self

    def transform(self, X):
        """Coefficient maps of images.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images, at least the filters' size.

        Returns
        -------
        maps : ndarray of shape (n_filters, H, W) or (n_images, n_filters, H, W)
            One sparse map per filter and image.
        """
        check_is_fitted(self)
        stack, single = check_image_stack(X)
        filters = self._filters(stack)
        maps, _ = _cbpdn(stack, filters, self.alpha, mu=self.group_alpha,
                         block_size=self.block_size, boundary=self.boundary,
                         max_iter=self.transform_max_iter, tol=self.transform_tol,
                         n_jobs=self.n_jobs)
        return maps[0] if single else maps

    def _filters(self, stack):
        filters = self.components_.astype(stack.dtype, copy=False)
        if filters.shape[1] > stack.shape[1] or filters.shape[2] > stack.shape[2]:
            raise ValueError(f"X has images of {stack.shape[1:]} pixels, smaller than the "
                             f"filters {filters.shape[1:]}.")
        return filters

    def inverse_transform(self, X):
        """Synthesise images ``sum_k d_k * a_k`` from coefficient maps.

        Parameters
        ----------
        X : array-like of shape (n_filters, H, W) or (n_images, n_filters, H, W)
            Coefficient maps, as returned by :meth:`transform`.

        Returns
        -------
        images : ndarray of shape (H, W) or (n_images, H, W)
            Linear ("same") convolution for ``boundary="reflect"``, periodic convolution
            for ``boundary="periodic"``.
        """
        check_is_fitted(self)
        maps = check_real_array(X, name="X", dtype=FLOAT_DTYPES, ensure_2d=False,
                                allow_nd=True)
        single = maps.ndim == 3
        if single:
            maps = maps[np.newaxis]
        if maps.ndim != 4 or maps.shape[1] != len(self.components_):
            raise ValueError(
                f"X must be maps of shape ({len(self.components_)}, H, W) or (n_images, "
                f"{len(self.components_)}, H, W); got shape {np.shape(X)}.")
        filters = self._filters(maps[:, 0])
        shape, fshape = maps.shape[2:], filters.shape[1:]
        domain = padded_shape(shape, fshape, self.boundary)
        # Zero maps outside the image: the extension of the maps is what "same"
        # convolution leaves out.
        padded = np.zeros((*maps.shape[:2], *domain), dtype=maps.dtype)
        crop(padded, shape, fshape, self.boundary)[...] = maps
        images = crop(synthesize(padded, filter_spectra(filters, domain), domain), shape,
                      fshape, self.boundary)
        return images[0] if single else images

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
