"""Image-quality metrics and scorers usable as ``scoring=`` in model selection, with or
without clean images."""

from ._image import psnr, psnr_scorer
from ._sure import make_sure_scorer, sure_mse

__all__ = ["make_sure_scorer", "psnr", "psnr_scorer", "sure_mse"]
