"""sk_sparse: scikit-learn compatible sparse-representation estimators for images.

Estimators
----------
PatchExtractor
    Images to patch rows and back, with strides and weighted aggregation.
SlidingDCTDenoiser
    Hard thresholding of sliding-window DCT coefficients.
NoiseEstimator
    Noise standard deviation from first differences.

Modules
-------
datasets
    Test images, synthetic images and noise.
metrics
    PSNR and a PSNR scorer for model selection.
"""

from ._dct import dct2, dct_matrix, idct2, sliding_dct_denoise
from ._denoise import SlidingDCTDenoiser
from ._noise import NoiseEstimator, estimate_noise_sigma
from ._patches import PatchExtractor

__version__ = "0.1.0"

__all__ = [
    "NoiseEstimator",
    "PatchExtractor",
    "SlidingDCTDenoiser",
    "dct2",
    "dct_matrix",
    "estimate_noise_sigma",
    "idct2",
    "sliding_dct_denoise",
]
