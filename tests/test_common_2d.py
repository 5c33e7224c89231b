"""scikit-learn's ``check_estimator``, unmodified, on every estimator taking
``(n_samples, n_features)``, in every configuration that changes its code paths.

The estimators come from :func:`sk_sparse.utils.discovery.all_estimators`, so a new
2-D estimator without configurations here fails ``test_every_2d_estimator_is_checked``.
"""

import warnings

import pytest
from sklearn.utils.estimator_checks import check_estimator

from sk_sparse import (
    KSVD,
    NeighbourAnomalyDetector,
    SparseAnomalyDetector,
    SparseFeatureExtractor,
    SRCClassifier,
)
from sk_sparse.utils.discovery import all_estimators

CONFIGURATIONS = [
    KSVD(),
    KSVD(n_components=5, n_nonzero_coefs=2, max_iter=3, transform_max_error=0.1,
         random_state=0),
    SparseFeatureExtractor(),
    SparseFeatureExtractor("mod", n_components=4, max_iter=2, random_state=0),
    SparseFeatureExtractor("ksvd", n_components=5, max_iter=2, random_state=0),
    SparseAnomalyDetector(),
    SparseAnomalyDetector(dictionary="minibatch", n_components=4, max_iter=2, random_state=0),
    SparseAnomalyDetector(dictionary="ksvd", n_components=4, max_iter=2, random_state=0),
    NeighbourAnomalyDetector(),
    NeighbourAnomalyDetector(n_neighbors=3, fpr=0.1),
    SRCClassifier(),
    SRCClassifier(robust=True),
    pytest.param(SRCClassifier(method="constrained", coding_max_iter=100),
                 marks=pytest.mark.slow),
    SRCClassifier(rejection_threshold=0.1),
    SRCClassifier(robust=True, rejection_threshold=0.1),
]
# Not listed: dictionary="dct" and "shipped" (atoms of square image patches, 64 features
# for "shipped": the checks' data have 1 to 10 features; tested in
# tests/decomposition/test_resolve.py), and ``groups`` (the checks set n_components=1,
# which no fixed list of group labels can follow; tested in test_features.py).

_REJECTS = (
    "with rejection_threshold set, predict returns reject_label for samples whose "
    "sparsity concentration index is below it, and decision_function (the negated class "
    "residuals) has no column for that label. On the checks' 2-feature blobs, normalised "
    "samples of different classes share directions, so some training samples are "
    "rejected: predict then differs from argmax(decision_function) on exactly those "
    "samples, by design."
)
_ROBUST_REJECTS = (
    _REJECTS + " With robust=True on 2 features, the two identity atoms explain every "
    "sample more cheaply than any training atom, so every sample is rejected."
)
EXPECTED_FAILURES = {
    "SRCClassifier(rejection_threshold=0.1)": {"check_classifiers_train": _REJECTS},
    "SRCClassifier(rejection_threshold=0.1, robust=True)": {
        "check_classifiers_train": _ROBUST_REJECTS,
        "check_classifiers_classes": _ROBUST_REJECTS,
    },
}


def test_every_2d_estimator_is_checked():
    two_d = {name for name, cls in all_estimators()
             if cls().__sklearn_tags__().input_tags.two_d_array}
    assert two_d == {type(getattr(estimator, "values", [estimator])[0]).__name__
                     for estimator in CONFIGURATIONS}


@pytest.mark.parametrize("estimator", CONFIGURATIONS,
                         ids=lambda estimator: repr(estimator).replace("\n", ""))
def test_check_estimator(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        check_estimator(estimator, expected_failed_checks=EXPECTED_FAILURES.get(
            repr(estimator), {}))
