"""Full scikit-learn common checks for every estimator taking (n_samples, n_features)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_sparse import KSVD, SparseAnomalyDetector, SparseFeatureExtractor, SRCClassifier

ESTIMATORS_2D = [
    KSVD(n_components=5, n_nonzero_coefs=2, max_iter=3, random_state=0),
    KSVD(random_state=0),
    SparseFeatureExtractor(n_components=4, max_iter=2, random_state=0),
    SparseFeatureExtractor("ksvd", n_components=5, max_iter=2, random_state=0),
    SparseAnomalyDetector(n_components=4, max_iter=2, random_state=0),
    SRCClassifier(),
    SRCClassifier(robust=True),
    SRCClassifier(method="constrained", coding_max_iter=100),
]
# A configuration with ``groups`` is not listed: the common checks set n_components=1,
# which no fixed list of group labels can follow (groups are tested in test_features.py).


@parametrize_with_checks(ESTIMATORS_2D)
def test_sklearn_compatible(estimator, check):
    check(estimator)
