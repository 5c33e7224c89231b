"""SlidingDCTDenoiser: hard thresholding of local DCT coefficients."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ..image._noise import sigma_per_image
from ..metrics import psnr
from ..utils._compat import Interval, StrOptions, _fit_context
from ..utils._validation import (
    ImageInputMixin,
    check_colour_images,
    check_image_size,
    check_image_stack,
    check_patch_fits,
    check_stride,
)
from ._dct_denoise import _sliding_dct_denoise, _sliding_dct_wiener

# The orthonormal opponent colour transform (rows: luminance, red-blue, green-magenta) of
# Yu and Sapiro's DCT denoising and of OpenCV's colour dctDenoising: it decorrelates the
# channels of natural images and, being orthonormal, keeps white noise white with the
# same sigma in every opponent channel.
OPPONENT = np.array([[1, 1, 1], [1, 0, -1], [1, -2, 1]], dtype=np.float64) / np.array(
    [[np.sqrt(3)], [np.sqrt(2)], [np.sqrt(6)]])


def _mix_channels(stack, matrix):
    """Apply ``matrix`` to the channel axis of ``(n, C, H, W)`` images."""
    return np.einsum("dc,nchw->ndhw", matrix.astype(stack.dtype), stack)


class SlidingDCTDenoiser(ImageInputMixin, TransformerMixin, BaseEstimator):
    """Denoise images by hard-thresholding the 2-D DCT of every patch.

    For the model ``z = y + eta`` with white Gaussian noise of standard deviation
    ``sigma``, each ``p x p`` patch of ``z`` is transformed with the orthonormal 2-D DCT,
    coefficients with ``|c| <= tau`` are set to zero (the DC coefficient, which carries
    the patch mean, never is), the patch is transformed back, and the overlapping patch
    estimates are averaged per pixel:

    * ``weights="uniform"``: plain average;
    * ``weights="sparsity"``: each patch weighted by ``1 / ||c_hat||_0`` (non-zeros
      counting the DC, at least 1), so that patches well represented by few coefficients
      count more.

    With ``stride=1`` every sliding patch is used (translation invariant); with
    ``stride=patch_size`` the image is cut into non-overlapping tiles.

    Parameters
    ----------
    sigma : float or "auto", default="auto"
        Noise standard deviation in the units of the input (for uint8 images, grey levels).
        "auto" estimates it per image with :class:`NoiseEstimator`.
    patch_size : int, default=8
        Side ``p`` of the square patches.
    threshold : float or "universal", default=3.0
        ``tau = threshold * sigma``; "universal" is ``tau = sigma * sqrt(2 ln p^2)``
        (Donoho and Johnstone's threshold for ``p^2`` coefficients).
    stride : int, default=1
        Distance between patches, at most ``patch_size`` (a larger stride would leave
        pixels without an estimate). When the grid does not reach the border a last
        patch flush with it is added, so every pixel is estimated.
    weights : {"uniform", "sparsity"}, default="uniform"
        Aggregation weights of the patch estimates. In the Wiener stage, "sparsity"
        weights each patch by ``1 / sum(gain^2)``, the inverse of its estimate's noise
        variance.
    wiener : bool, default=False
        Add a second stage: the hard-thresholded result serves as a pilot, and every
        patch's DCT coefficients ``z`` of the *noisy* image are shrunk by the empirical
        Wiener gain ``p^2 / (p^2 + sigma^2)``, ``p`` being the pilot's coefficient, then
        aggregated again. It costs a little more than twice the first stage. The user
        guide's benchmarks page shows what it gains.
    n_jobs : int, default=None
        Number of joblib workers for ``transform`` (over horizontal strips of all images).
        None means 1 unless in a :func:`joblib.parallel_config` context, whose backend
        (threads, processes, Dask, Ray) is honoured.
    channel_axis : int or None, default=None
        The axis of colour channels (scikit-image's convention), e.g. -1 for ``(H, W, 3)``
        or ``(n_images, H, W, 3)``; None reads grey images. Three channels go through the
        orthonormal opponent transform (luminance, red-blue, green-magenta), as in
        OpenCV's colour ``dctDenoising``, are denoised as grey images and come back; any
        other number of channels is denoised channel by channel. With ``sigma="auto"``
        the noise is estimated in each (opponent) channel.

    See Also
    --------
    NoiseEstimator : estimates ``sigma`` from the image.
    sk_sparse.metrics.psnr_scorer : scorer for model selection.

    Notes
    -----
    Input is a single image ``(H, W)`` or a stack ``(n_images, H, W)``; the output has the
    same shape. float32 input is processed and returned in float32; any other dtype,
    including uint8, is processed in float64 without rescaling, so the result stays in the
    input's range convention ([0, 255] for uint8; a ``sigma`` below 1 on integer images
    is almost certainly in [0, 1] units and draws a warning). Large images are processed
    in horizontal strips of bounded size; ``sigma="auto"`` adds the noise estimation,
    whose working memory is proportional to the image (see the user guide's scaling
    page).

    The estimator learns nothing; ``fit`` only validates parameters, so it can be used
    directly and tuned with :class:`~sklearn.model_selection.GridSearchCV` on noisy/clean
    pairs: ``score(Z_noisy, Y_clean)`` is the mean PSNR (peak 1, or 255 for integer
    ``Y_clean``).

    The result is identical to per-patch ``scipy.fft.dctn`` / ``idctn`` processing; the
    coefficients of all patches are computed with separable matrix products instead.

    References
    ----------
    G. Yu and G. Sapiro, "DCT image denoising: a simple and effective image denoising
    algorithm", Image Processing On Line, 1 (2011), pp. 292-296.
    https://doi.org/10.5201/ipol.2011.ys-dct

    Examples
    --------
    >>> from sk_sparse.restoration import SlidingDCTDenoiser
    >>> from sk_sparse.datasets import add_noise, load_image
    >>> from sk_sparse.metrics import psnr
    >>> clean = load_image("camera")[:128, :128]
    >>> noisy = add_noise(clean, 20 / 255, random_state=0)
    >>> denoised = SlidingDCTDenoiser(sigma=20 / 255).fit_transform(noisy)
    >>> psnr(clean, denoised) > psnr(clean, noisy) + 5
    True
    """

    _parameter_constraints: dict = {
        "sigma": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "patch_size": [Interval(Integral, 1, None, closed="left")],
        "threshold": [StrOptions({"universal"}), Interval(Real, 0, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "weights": [StrOptions({"uniform", "sparsity"})],
        "wiener": ["boolean"],
        "n_jobs": [Integral, None],
        "channel_axis": [Integral, None],
    }

    def __init__(self, sigma="auto", *, patch_size: int = 8, threshold=3.0, stride: int = 1,
                 weights: str = "uniform", wiener: bool = False, n_jobs: int | None = None,
                 channel_axis: int | None = None):
        self.sigma = sigma
        self.patch_size = patch_size
        self.threshold = threshold
        self.stride = stride
        self.weights = weights
        self.wiener = wiener
        self.n_jobs = n_jobs
        self.channel_axis = channel_axis

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate parameters and input; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images; only validated.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : SlidingDCTDenoiser
            The estimator.
        """
        self._check_images(X)
        return self

    def _check_images(self, X):
        if self.channel_axis is not None:
            colour, restore = check_colour_images(X, self.channel_axis)
            n_images, n_channels = colour.shape[:2]
            stack = colour.reshape(n_images * n_channels, *colour.shape[2:])
            layout = (n_channels, restore)
        else:
            stack, layout = check_image_stack(X)
        check_patch_fits((self.patch_size, self.patch_size), stack.shape)
        check_stride(self.stride, self.patch_size)
        if self.sigma == "auto":
            # The noise is estimated from differences of neighbouring pixels.
            check_image_size(stack, 2)
        if (self.sigma != "auto" and self.sigma < 1
                and np.issubdtype(np.asarray(X).dtype, np.integer)):
            warnings.warn(
                f"X has integer dtype {np.asarray(X).dtype}, so sigma is in grey levels, but "
                f"sigma={self.sigma} is below one grey level: it looks like a sigma in "
                "[0, 1] units. Pass sigma in grey levels (e.g. 20, not 20 / 255) or "
                "convert X to floats in [0, 1].", UserWarning, stacklevel=3)
        # layout: True/False (a single grey image or not), or (n_channels, restore).
        return stack, layout

    def transform(self, X) -> np.ndarray:
        """Denoise images.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Noisy images (with a channel axis when ``channel_axis`` is set); not
            modified.

        Returns
        -------
        denoised : ndarray of the same shape as ``X``
            In the dtype convention of the input (float32 stays float32).
        """
        # Stateless estimator: fit may never have been called, so validate here too.
        self._validate_params()
        stack, layout = self._check_images(X)
        if self.channel_axis is not None:
            n_channels, restore = layout
            colour = stack.reshape(-1, n_channels, *stack.shape[1:])
            if n_channels == 3:
                colour = _mix_channels(colour, OPPONENT)
            denoised = self._denoise(colour.reshape(stack.shape)).reshape(colour.shape)
            if n_channels == 3:
                denoised = _mix_channels(denoised, OPPONENT.T)
            return restore(denoised)
        denoised = self._denoise(stack)
        return denoised[0] if layout else denoised

    def _denoise(self, stack):
        """Denoise a validated grey stack ``(n, H, W)``."""
        sigmas = self._sigmas(stack)
        sparsity = self.weights == "sparsity"
        denoised = _sliding_dct_denoise(stack, self.patch_size, self._factor() * sigmas,
                                        stride=self.stride, sparsity_weights=sparsity,
                                        n_jobs=self.n_jobs)
        if self.wiener:
            denoised = _sliding_dct_wiener(stack, denoised, self.patch_size, sigmas,
                                           stride=self.stride, sparsity_weights=sparsity,
                                           n_jobs=self.n_jobs)
        return denoised

    def _sigmas(self, stack: np.ndarray) -> np.ndarray:
        return sigma_per_image(stack, self.sigma)

    def _factor(self) -> float:
        if self.threshold == "universal":
            return float(np.sqrt(2.0 * np.log(self.patch_size**2)))
        return float(self.threshold)

    def score(self, X, y) -> float:
        """Mean PSNR of the denoised ``X`` against the clean images ``y``.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Noisy images (with a channel axis when ``channel_axis`` is set).
        y : array-like of the same shape
            Clean images, in [0, 1] (or integers in [0, 255]).

        Returns
        -------
        psnr : float
            In dB; higher is better, as model selection expects. For colour images, the
            PSNR of each image is over all its channels.
        """
        denoised = self.transform(X)
        if self.channel_axis is not None:
            # One "grey" image per colour image: channels side by side.
            clean, _ = check_colour_images(y, self.channel_axis, name="y",
                                           dtype=None)
            result, _ = check_colour_images(denoised, self.channel_axis, name="X")
            y = np.concatenate(list(np.moveaxis(clean, 1, 0)), axis=-1)
            denoised = np.concatenate(list(np.moveaxis(result, 1, 0)), axis=-1)
        return psnr(y, denoised)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
