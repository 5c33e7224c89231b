"""Dictionary learning and dictionary-based features.

* :func:`ksvd` / :class:`KSVD` (OMP coding) and :func:`mod` (BPDN coding), sharing one
  initialisation and one dead-atom reseeding rule;
* :func:`resolve_dictionary`: the one place that turns an estimator's ``dictionary``
  parameter ("shipped", "dct", "ksvd", "mod", "minibatch" or atoms) into atoms;
* :class:`SparseFeatureExtractor`: representation error and sparsity of BPDN codes;
* :class:`ConvolutionalSparseCoder` and :func:`conv_dictionary_learning`: learned
  filters and coefficient maps of whole images (convolutional sparse coding);
* :class:`DictionaryAdapter`: a learned linear map of dictionaries between domains
  (heartbeats at two heart rates).
"""

from ._adapter import DictionaryAdapter
from ._conv_coder import ConvolutionalSparseCoder
from ._conv_dict import conv_dictionary_learning
from ._features import SparseFeatureExtractor
from ._ksvd import KSVD, ksvd
from ._mod import mod
from ._resolve import DICTIONARY_OPTIONS, resolve_dictionary

# The name of earlier releases.
bpdn_dictionary_learning = mod

__all__ = [
    "ConvolutionalSparseCoder",
    "DICTIONARY_OPTIONS",
    "DictionaryAdapter",
    "KSVD",
    "SparseFeatureExtractor",
    "bpdn_dictionary_learning",
    "conv_dictionary_learning",
    "ksvd",
    "mod",
    "resolve_dictionary",
]
