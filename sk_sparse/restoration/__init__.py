"""Image restoration: sliding-DCT, patch sparse-coding and convolutional denoising, noise
estimation, inpainting by masked OMP."""

from ..image._noise import estimate_noise_sigma
from ._dct_denoise import sliding_dct_denoise
from ._denoise import SlidingDCTDenoiser
from ._inpaint import OMPInpainter
from ._noise import NoiseEstimator
from ._sparse_denoise import ConvolutionalDenoiser, PatchSparseDenoiser

__all__ = [
    "ConvolutionalDenoiser",
    "NoiseEstimator",
    "OMPInpainter",
    "PatchSparseDenoiser",
    "SlidingDCTDenoiser",
    "estimate_noise_sigma",
    "sliding_dct_denoise",
]
