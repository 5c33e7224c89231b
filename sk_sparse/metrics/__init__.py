"""Image-quality metrics and scorers usable as ``scoring=`` in model selection."""

from ._image import psnr, psnr_scorer

__all__ = ["psnr", "psnr_scorer"]
