"""Anomaly detection from sparse representations of normal data.

* :class:`SparseAnomalyDetector`: features of the BPDN codes of patches;
* :class:`ConvolutionalAnomalyDetector`: local features of the convolutional sparse code
  of whole images;
* :class:`MultiscaleSparseAnomalyDetector`: one dictionary per zoom level and
  group-sparse coding over them, for test images at another magnification;
* :class:`NeighbourAnomalyDetector`: the local outlier factor of patches among their
  nearest normal patches;
* :class:`CombinedAnomalyDetector`: several detectors, each calibrated on held-out
  normal images, flagging a pixel when any of them finds it rare.

All share the density, the threshold for a target false-positive rate and the pixel
maps.
"""

from ._combined import CombinedAnomalyDetector
from ._conv_detector import ConvolutionalAnomalyDetector
from ._detector import SparseAnomalyDetector
from ._multiscale import MultiscaleSparseAnomalyDetector
from ._neighbours import NeighbourAnomalyDetector

__all__ = ["CombinedAnomalyDetector", "ConvolutionalAnomalyDetector",
           "MultiscaleSparseAnomalyDetector", "NeighbourAnomalyDetector",
           "SparseAnomalyDetector"]
