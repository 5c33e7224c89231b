"""Anomaly detection from sparse representations of normal data.

* :class:`SparseAnomalyDetector`: features of the BPDN codes of patches;
* :class:`ConvolutionalAnomalyDetector`: local features of the convolutional sparse code
  of whole images.

Both share the density, the threshold for a target false-positive rate and the pixel
maps.
"""

from ._conv_detector import ConvolutionalAnomalyDetector
from ._detector import SparseAnomalyDetector

__all__ = ["ConvolutionalAnomalyDetector", "SparseAnomalyDetector"]
