"""sk_sparse: scikit-learn compatible sparse-representation estimators for images.

Estimators
----------
PatchExtractor
    Images to patch rows and back, with strides and weighted aggregation.
SlidingDCTDenoiser
    Hard thresholding of sliding-window DCT coefficients.
NoiseEstimator
    Noise standard deviation from first differences.
KSVD
    Dictionary learning with K-SVD; OMP codes as features.
SparseFeatureExtractor
    Representation error and l1 norm of BPDN codes, per row.
SparseAnomalyDetector
    Outlier detector on those features, with per-pixel anomaly maps.
OMPInpainter
    Inpainting by masked OMP of every patch on a (learned) dictionary.
SRCClassifier
    Sparse-representation classification with rejection and robust coding.

Modules
-------
datasets
    Test images, synthetic images and noise.
metrics
    PSNR and a PSNR scorer for model selection.
"""

from ._anomaly import SparseAnomalyDetector
from ._bpdn import bpdn, bpdn_dictionary_learning, bpdn_objective
from ._dct import dct2, dct_matrix, idct2, overcomplete_dct_dictionary, sliding_dct_denoise
from ._denoise import SlidingDCTDenoiser
from ._features import SparseFeatureExtractor
from ._inpaint import OMPInpainter
from ._ksvd import KSVD, ksvd
from ._noise import NoiseEstimator, estimate_noise_sigma
from ._omp import batch_omp, masked_omp
from ._patches import PatchExtractor
from ._src import SRCClassifier, constrained_l1

__version__ = "0.1.0"

__all__ = [
    "KSVD",
    "NoiseEstimator",
    "OMPInpainter",
    "PatchExtractor",
    "SRCClassifier",
    "SlidingDCTDenoiser",
    "SparseAnomalyDetector",
    "SparseFeatureExtractor",
    "batch_omp",
    "bpdn",
    "bpdn_dictionary_learning",
    "bpdn_objective",
    "constrained_l1",
    "dct2",
    "dct_matrix",
    "estimate_noise_sigma",
    "idct2",
    "ksvd",
    "masked_omp",
    "overcomplete_dct_dictionary",
    "sliding_dct_denoise",
]
