"""NoiseEstimator: the noise level of images, per image or per channel (the estimates
themselves are computed in :mod:`sk_sparse.image._noise`)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..image._noise import _estimate_noise_sigma
from ..utils._compat import Interval, StrOptions, _fit_context
from ..utils._validation import (
    ImageInputMixin,
    check_colour_images,
    check_image_size,
    check_image_stack,
)


class NoiseEstimator(ImageInputMixin, TransformerMixin, BaseEstimator):
    """Estimate the noise level of images from their finest details.

    For ``z = y + eta`` with ``eta ~ N(0, sigma^2)`` i.i.d., three estimators:

    * ``"dct"`` (default): the orthonormal 2-D DCT of every 8 x 8 window (every two
      pixels) splits it into 64 independent ``N(0, sigma^2)`` noise coefficients plus the
      image's own. The noise is read in the six coefficients nearest the frequency
      ``(pi, pi)`` (``u + v >= 12``), where natural images and most textures have the
      least energy, as ``median(|c|) / 0.67449``, over the flattest ``flat_fraction`` of
      the windows. Flatness is the energy of the window's other AC coefficients, which
      are independent of the measured ones under pure noise, so the selection does not
      bias the estimate.
    * ``"mad"`` and ``"std"`` (the lecture's estimators): first differences
      ``d = z * [-1, 1]`` along rows and columns are ``N(0, 2 sigma^2)`` plus a signal
      term; ``median(|d - median(d)|) / (0.67449 sqrt(2))`` or ``std(d) / sqrt(2)``,
      measured in the flattest ``flat_fraction`` of 16 x 16 blocks (flatness judged on a
      disjoint set of differences, for the same reason).

    Every method over-estimates ``sigma`` where the image itself has detail at the
    frequencies it reads, since that detail is counted as noise; "dct" reads the highest
    frequencies of the flattest windows, which makes it the least affected by texture.
    Windows and blocks holding clipped pixels (equal to the image's minimum or maximum)
    are left out, since clipping truncates the noise. ``flat_fraction=1`` reads the whole
    image. See the :ref:`user guide <noise>`.

    The estimator learns nothing: ``fit`` only validates the parameters.

    Parameters
    ----------
    method : {"dct", "mad", "std"}, default="dct"
        The estimator (above).
    flat_fraction : float in (0, 1] or None, default=None
        Fraction of the flattest windows ("dct") or blocks ("mad", "std") used for the
        measurement; 1 means the whole image. None means 0.1 for "dct" and 0.5 for the
        difference methods, the fractions measured best on the benchmarks page.
    channel_axis : int or None, default=None
        The axis of colour channels (scikit-image's convention), e.g. -1 for ``(H, W, 3)``;
        the noise is then estimated in each channel. None reads grey images.

    Attributes
    ----------
    n_features_in_ : int
        Not set: the input is images, not feature vectors.
    n_channels_ : int
        Channels of the images given to ``fit`` (only with ``channel_axis``).

    See Also
    --------
    SlidingDCTDenoiser : uses this estimator when ``sigma="auto"``.
    skimage.restoration.estimate_sigma : wavelet-based (MAD of the finest diagonal
        sub-band) estimator.

    Notes
    -----
    Images are ``(H, W)`` arrays or ``(n_images, H, W)`` stacks; each image gets its own
    estimate. Images with fewer than 64 windows (about 22 x 22 pixels) fall back from
    "dct" to "mad" on the whole image. The benchmarks page gives the errors measured
    against scikit-image's ``estimate_sigma`` on photographs, textures and synthetic
    images, including the textures no local estimator reads right at low noise (an
    image's own finest texture is indistinguishable from noise of that level).

    References
    ----------
    N. N. Ponomarenko, V. V. Lukin, M. S. Zriakhov, A. Kaarna and J. Astola, "An
    automatic approach to lossy compression of AVIRIS images", IGARSS 2007 (noise read in
    the high-frequency coefficients of 8 x 8 DCT blocks).

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.restoration import NoiseEstimator
    >>> rng = np.random.default_rng(0)
    >>> noisy = 0.5 + rng.normal(0, 0.1, size=(2, 128, 128))
    >>> NoiseEstimator().estimate(noisy).round(2)
    array([0.1, 0.1])
    >>> NoiseEstimator().fit_transform(noisy).shape
    (2, 1)
    """

    _parameter_constraints: dict = {
        "method": [StrOptions({"dct", "mad", "std"})],
        "flat_fraction": [Interval(Real, 0, 1, closed="right"), None],
        "channel_axis": [Integral, None],
    }

    def __init__(self, method: str = "dct", *, flat_fraction: float | None = None,
                 channel_axis: int | None = None):
        self.method = method
        self.flat_fraction = flat_fraction
        self.channel_axis = channel_axis

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and the images; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images; only validated.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : NoiseEstimator
            The estimator.
        """
        stack, layout = self._check(X)
        if self.channel_axis is not None:
            self.n_channels_ = layout[0]
        return self

    def _check(self, X):
        """A grey stack ``(n, H, W)`` (channels as images) and its layout: a bool (single
        grey image) or ``(n_channels, single)``."""
        if self.channel_axis is None:
            stack, layout = check_image_stack(X)
        else:
            colour, _ = check_colour_images(X, self.channel_axis)
            stack = colour.reshape(-1, *colour.shape[2:])
            layout = (colour.shape[1], np.ndim(X) == 3)
        # One difference at least: a single pixel says nothing about the noise.
        check_image_size(stack, 2)
        return stack, layout

    def estimate(self, X) -> np.ndarray | float:
        """Noise standard deviation of each image.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images.

        Returns
        -------
        sigma : float or ndarray of shape (n_images,)
            A float for a single image, else one value per image, in the units of ``X``.
            With ``channel_axis``: shape ``(n_channels,)`` for one image, else
            ``(n_images, n_channels)``.
        """
        # Stateless: parameters are checked here too, since fit may never be called.
        self._validate_params()
        stack, layout = self._check(X)
        sigmas = np.array(
            [_estimate_noise_sigma(image, self.method, self.flat_fraction) for image in stack]
        )
        if self.channel_axis is not None:
            n_channels, single = layout
            sigmas = sigmas.reshape(-1, n_channels)
            return sigmas[0] if single else sigmas
        return float(sigmas[0]) if layout else sigmas

    def transform(self, X) -> np.ndarray:
        """Noise standard deviation of each image as a column.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images.

        Returns
        -------
        sigma : ndarray of shape (n_images, 1)
            One row per image (``(n_images, n_channels)`` with ``channel_axis``).
        """
        sigmas = self.estimate(X)
        if self.channel_axis is not None:
            return np.atleast_2d(sigmas)
        return np.atleast_1d(sigmas)[:, np.newaxis]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output feature names: ``["noise_sigma"]``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored: the output does not depend on the input's names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``["noise_sigma"]``; with ``channel_axis``, ``["noise_sigma_0", ...]``, one per
            channel of the images given to ``fit``.
        """
        if self.channel_axis is None:
            return np.asarray(["noise_sigma"], dtype=object)
        check_is_fitted(self, "n_channels_")
        return np.asarray([f"noise_sigma_{c}" for c in range(self.n_channels_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags
