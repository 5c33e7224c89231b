"""Full scikit-learn common checks for every estimator taking (n_samples, n_features)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_sparse import KSVD

ESTIMATORS_2D = [
    KSVD(n_components=5, n_nonzero_coefs=2, max_iter=3, random_state=0),
    KSVD(random_state=0),
]


@parametrize_with_checks(ESTIMATORS_2D)
def test_sklearn_compatible(estimator, check):
    check(estimator)
