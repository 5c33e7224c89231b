"""scikit-learn's common checks for the image estimators.

Image estimators read a 2-D array as *one image*, not as ``(n_samples, n_features)``, so
``check_estimator`` skips them entirely (their tags say ``two_d_array=False``; their
outputs are images, or a different number of rows). They run every API check that is
meaningful for that input: construction, parameters, cloning, pickling, validation of bad
input, no mutation of inputs. Estimators whose input is ``(n_samples, n_features)`` run
the unmodified ``check_estimator`` (``test_common_2d.py``). Both lists are checked
against :func:`sk_sparse.utils.discovery.all_estimators`.
"""

import warnings

import numpy as np
import pytest
from sklearn.utils import estimator_checks

from sk_sparse import (
    CombinedAnomalyDetector,
    ConvolutionalAnomalyDetector,
    ConvolutionalDenoiser,
    ConvolutionalSparseCoder,
    DictionaryAdapter,
    MultiscaleSparseAnomalyDetector,
    NoiseEstimator,
    OMPInpainter,
    PatchExtractor,
    PatchSparseDenoiser,
    SlidingDCTDenoiser,
    SparseAnomalyDetector,
)
from sk_sparse.utils.discovery import all_estimators

IMAGE_ESTIMATORS = [
    PatchExtractor(patch_size=2),
    PatchExtractor(patch_size=(2, 1), stride=(2, 1), remove_mean=True),
    SlidingDCTDenoiser(sigma=0.1, patch_size=2),
    SlidingDCTDenoiser(patch_size=2, weights="sparsity", stride=2),
    OMPInpainter("dct", patch_size=2, n_components=4),
    NoiseEstimator(),
    ConvolutionalSparseCoder(n_filters=2, filter_size=2, max_iter=2),
    ConvolutionalDenoiser(sigma=0.1, filter_size=2, max_iter=20),
    PatchSparseDenoiser(sigma=0.1, patch_size=2, dictionary=np.eye(4)),
    ConvolutionalAnomalyDetector(n_filters=2, filter_size=2, window_size=2, stride=1,
                                 max_iter=2),
    # One-pixel cells: the default cell features need two cells a side.
    MultiscaleSparseAnomalyDetector(scales=(1.0, 2.0), n_components=2, patch_size=2,
                                    cell_size=1, stride=1, max_iter=1),
    DictionaryAdapter(n_components=2, max_iter=1, dictionary_max_iter=1),
    CombinedAnomalyDetector([
        ("sparse", SparseAnomalyDetector(n_components=2, patch_size=2, stride=1,
                                         max_iter=1)),
        ("convolutional", ConvolutionalAnomalyDetector(n_filters=2, filter_size=2,
                                                       window_size=2, stride=1,
                                                       max_iter=2))]),
]

API_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_param_validation",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_estimators_pickle",
    "check_estimators_nan_inf",
    "check_estimators_empty_data_messages",
    "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters",
    "check_dict_unchanged",
    "check_estimators_fit_returns_self",
    "check_readonly_memmap_input",
    "check_f_contiguous_array_estimator",
    "check_fit_check_is_fitted",
    "check_complex_data",
    "check_dtype_object",
    "check_estimators_dtypes",
    "check_fit1d",
    "check_valid_tag_types",
]


# Checks that do not apply, with the reason, per estimator class.
_NEEDS_MASK = (
    "calls transform(X) without the mask of missing pixels, which OMPInpainter requires "
    "(it raises rather than silently returning the input)"
)
_IMAGES_THEN_PATCHES = (
    "fits on images but scores patches (rows of patch_size**2 values) in predict and "
    "score_samples; the check passes the same array to both"
)
_SIGNALS_AS_TARGETS = (
    "fit(X, y) takes, as y, the same users' signals in the target domain (2-D), not labels; "
    "the check passes a label vector (tests/decomposition/test_adapter.py covers "
    "pickling, bad input and unmodified input)"
)
NOT_APPLICABLE = {
    "DictionaryAdapter": dict.fromkeys(
        ["check_dict_unchanged", "check_dont_overwrite_parameters", "check_dtype_object",
         "check_estimators_dtypes", "check_estimators_fit_returns_self",
         "check_estimators_nan_inf", "check_estimators_overwrite_params",
         "check_estimators_pickle", "check_f_contiguous_array_estimator",
         "check_fit_check_is_fitted", "check_readonly_memmap_input"],
        _SIGNALS_AS_TARGETS,
    ),
    "MultiscaleSparseAnomalyDetector": dict.fromkeys(
        ["check_estimators_pickle", "check_readonly_memmap_input",
         "check_f_contiguous_array_estimator", "check_estimators_dtypes",
         "check_dict_unchanged", "check_dont_overwrite_parameters", "check_dtype_object"],
        _IMAGES_THEN_PATCHES,
    ),
    "OMPInpainter": dict.fromkeys(
        [
            "check_estimators_pickle",
            "check_dont_overwrite_parameters",
            "check_dict_unchanged",
            "check_f_contiguous_array_estimator",
            "check_estimators_dtypes",
            "check_estimators_nan_inf",
            "check_dtype_object",
        ],
        _NEEDS_MASK,
    ),
}


def test_every_image_estimator_is_checked():
    images = {name for name, cls in all_estimators()
              if not cls().__sklearn_tags__().input_tags.two_d_array}
    assert images == {type(estimator).__name__ for estimator in IMAGE_ESTIMATORS}


@pytest.mark.parametrize("estimator", IMAGE_ESTIMATORS, ids=repr)
@pytest.mark.parametrize("check_name", API_CHECKS)
def test_image_estimator_api(estimator, check_name):
    reason = NOT_APPLICABLE.get(type(estimator).__name__, {}).get(check_name)
    if reason:
        pytest.skip(reason)
    check = getattr(estimator_checks, check_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        check(type(estimator).__name__, estimator)
