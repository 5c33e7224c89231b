"""Anomaly detection from sparse representations of normal data."""

from ._detector import SparseAnomalyDetector

__all__ = ["SparseAnomalyDetector"]
