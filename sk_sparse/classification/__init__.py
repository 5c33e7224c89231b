"""Classification by sparse representation (SRC)."""

from ._src import SRCClassifier

__all__ = ["SRCClassifier"]
