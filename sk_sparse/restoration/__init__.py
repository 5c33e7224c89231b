"""Image restoration: sliding-DCT denoising, noise estimation, inpainting by masked OMP."""

from ._dct_denoise import sliding_dct_denoise
from ._denoise import SlidingDCTDenoiser
from ._inpaint import OMPInpainter
from ._noise import NoiseEstimator, estimate_noise_sigma

__all__ = [
    "NoiseEstimator",
    "OMPInpainter",
    "SlidingDCTDenoiser",
    "estimate_noise_sigma",
    "sliding_dct_denoise",
]
