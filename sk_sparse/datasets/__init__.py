"""Test images, synthetic images, textures, defects, heartbeats and noise.

``camera`` (scikit-image's CC0 cameraman, by Lav Varshney) ships with sk_sparse, so the
demo and the tests run without optional dependencies; the other names are read from
scikit-image's bundled data when scikit-image is installed.
"""

from ..dictionaries import load_dictionary  # where earlier releases had it
from ._ecg import BEAT_ANOMALIES, make_heartbeats
from ._images import IMAGE_NAMES, load_image
from ._synthetic import DEFECT_KINDS, add_noise, make_checkerboard, make_defects
from ._textures import make_nanofibres, make_woven

__all__ = [
    "BEAT_ANOMALIES",
    "DEFECT_KINDS",
    "IMAGE_NAMES",
    "add_noise",
    "load_dictionary",
    "load_image",
    "make_checkerboard",
    "make_defects",
    "make_heartbeats",
    "make_nanofibres",
    "make_woven",
]
