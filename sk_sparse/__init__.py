"""sk_sparse: scikit-learn compatible sparse-representation estimators for images.

Subpackages, by task (a subpackage imports only from those listed before it):

utils
    Validation, the parallel runner, scikit-learn compatibility, estimator discovery.
dictionaries
    DCT matrices, the overcomplete DCT and the shipped K-SVD atoms.
metrics
    PSNR and a PSNR scorer for model selection.
image
    The patch grid, the strip runner, :class:`PatchExtractor` and a low-pass split.
datasets
    Test images, synthetic images and textures, defects, heartbeats, noise.
coding
    Batched OMP (plain and masked), BPDN by ADMM, constrained l1, convolutional BPDN.
decomposition
    K-SVD, MOD, the dictionary resolver, :class:`SparseFeatureExtractor`,
    :class:`ConvolutionalSparseCoder` and :class:`DictionaryAdapter`.
restoration
    :class:`SlidingDCTDenoiser`, :class:`PatchSparseDenoiser`,
    :class:`ConvolutionalDenoiser`, :class:`NoiseEstimator`, :class:`OMPInpainter`.
anomaly
    :class:`SparseAnomalyDetector`, :class:`ConvolutionalAnomalyDetector`,
    :class:`MultiscaleSparseAnomalyDetector`, :class:`NeighbourAnomalyDetector`,
    :class:`CombinedAnomalyDetector`.
classification
    :class:`SRCClassifier`.

Every estimator and kernel is also importable from the top level.
"""

from . import (
    anomaly,
    classification,
    coding,
    datasets,
    decomposition,
    dictionaries,
    image,
    metrics,
    restoration,
    utils,
)
from .anomaly import (
    CombinedAnomalyDetector,
    ConvolutionalAnomalyDetector,
    MultiscaleSparseAnomalyDetector,
    NeighbourAnomalyDetector,
    SparseAnomalyDetector,
)
from .classification import SRCClassifier
from .coding import (
    batch_omp,
    bpdn,
    bpdn_objective,
    cbpdn,
    cbpdn_objective,
    constrained_l1,
    masked_omp,
)
from .decomposition import (
    KSVD,
    ConvolutionalSparseCoder,
    DictionaryAdapter,
    SparseFeatureExtractor,
    bpdn_dictionary_learning,
    ksvd,
    mod,
    resolve_dictionary,
)
from .dictionaries import dct2, dct_matrix, idct2, load_dictionary, overcomplete_dct_dictionary
from .image import PatchExtractor, lowpass
from .restoration import (
    ConvolutionalDenoiser,
    NoiseEstimator,
    OMPInpainter,
    PatchSparseDenoiser,
    SlidingDCTDenoiser,
    estimate_noise_sigma,
    sliding_dct_denoise,
)

__version__ = "0.1.0"

__all__ = [
    "CombinedAnomalyDetector",
    "ConvolutionalAnomalyDetector",
    "ConvolutionalDenoiser",
    "ConvolutionalSparseCoder",
    "DictionaryAdapter",
    "KSVD",
    "MultiscaleSparseAnomalyDetector",
    "NeighbourAnomalyDetector",
    "NoiseEstimator",
    "OMPInpainter",
    "PatchExtractor",
    "PatchSparseDenoiser",
    "SRCClassifier",
    "SlidingDCTDenoiser",
    "SparseAnomalyDetector",
    "SparseFeatureExtractor",
    "anomaly",
    "batch_omp",
    "bpdn",
    "bpdn_dictionary_learning",
    "bpdn_objective",
    "cbpdn",
    "cbpdn_objective",
    "classification",
    "coding",
    "constrained_l1",
    "datasets",
    "dct2",
    "dct_matrix",
    "decomposition",
    "dictionaries",
    "estimate_noise_sigma",
    "idct2",
    "image",
    "ksvd",
    "load_dictionary",
    "lowpass",
    "masked_omp",
    "metrics",
    "mod",
    "overcomplete_dct_dictionary",
    "resolve_dictionary",
    "restoration",
    "sliding_dct_denoise",
    "utils",
]
