import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import lars_path
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.random_projection import GaussianRandomProjection
from sklearn.utils._param_validation import InvalidParameterError

from sk_sparse import SRCClassifier, constrained_l1


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)


def test_training_sample_is_recovered_exactly(digits):
    X_train, _, y_train, _ = digits
    model = SRCClassifier(alpha=0.01).fit(X_train, y_train)
    samples = X_train[[3, 100, 500]]
    codes, error = model.sparse_codes(samples)
    assert error is None
    for row, index in zip(codes, [3, 100, 500]):
        assert np.flatnonzero(row).tolist() == [index]
        # 1/2 (1 - x)^2 + alpha x is minimal at x = 1 - alpha for a unit-norm atom.
        assert row[index] == pytest.approx(0.99, abs=1e-6)
    np.testing.assert_array_equal(model.predict(samples), y_train[[3, 100, 500]])
    np.testing.assert_allclose(model.sparsity_concentration_index(samples), 1.0)


def test_beats_nearest_neighbour_on_digits(digits):
    X_train, X_test, y_train, y_test = digits
    ours = SRCClassifier().fit(X_train, y_train).score(X_test, y_test)
    nearest = KNeighborsClassifier(1).fit(X_train, y_train).score(X_test, y_test)
    assert ours >= nearest and ours > 0.97


def test_robust_coding_helps_under_corruption(digits):
    X_train, X_test, y_train, y_test = digits
    rng = np.random.default_rng(0)
    corrupted = X_test[:300].copy()
    mask = rng.random(corrupted.shape) < 0.3
    corrupted[mask] = rng.uniform(0, 16, mask.sum())
    plain = SRCClassifier().fit(X_train, y_train).score(corrupted, y_test[:300])
    robust = SRCClassifier(robust=True).fit(X_train, y_train)
    assert robust.score(corrupted, y_test[:300]) > plain
    assert robust.score(corrupted, y_test[:300]) > 0.85
    # The estimated error concentrates on the corrupted pixels.
    _, error = robust.sparse_codes(corrupted[:50])
    energy = np.abs(error)
    assert energy[mask[:50]].mean() > 3 * energy[~mask[:50]].mean()


def test_sci_rejects_unseen_classes(digits):
    from sklearn.metrics import roc_auc_score

    X_train, X_test, y_train, y_test = digits
    seen = y_train < 5
    model = SRCClassifier().fit(X_train[seen], y_train[seen])
    sci = model.sparsity_concentration_index(X_test)
    assert np.all((sci >= 0) & (sci <= 1))
    assert roc_auc_score(y_test >= 5, -sci) > 0.97
    assert roc_auc_score(y_test >= 5, model.residuals(X_test).min(axis=1)) > 0.97
    model.set_params(rejection_threshold=0.3, reject_label=99)
    labels = model.predict(X_test)
    np.testing.assert_array_equal(labels == 99, model.reject_mask(X_test))
    assert np.mean(labels[y_test >= 5] == 99) > np.mean(labels[y_test < 5] == 99) + 0.3


def test_rejection_labels_follow_the_classes(digits):
    X_train, X_test, y_train, _ = digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                      "nine"])
    # String classes: rejected samples are "rejected", and predictions stay strings.
    model = SRCClassifier(rejection_threshold=0.9).fit(X_train, names[y_train])
    labels = model.predict(X_test[:100])
    rejected = model.reject_mask(X_test[:100])
    assert rejected.any() and not rejected.all()
    assert set(labels[rejected]) == {"rejected"}
    assert set(labels[~rejected]) <= set(names)
    # Where not rejected, predict agrees with decision_function.
    best = model.classes_[np.argmax(model.decision_function(X_test[:100]), axis=1)]
    np.testing.assert_array_equal(labels[~rejected], best[~rejected])
    # Numeric classes that include -1: the automatic label is below the smallest class.
    shifted = SRCClassifier(rejection_threshold=0.9).fit(X_train, y_train - 1)
    assert -2 in shifted.predict(X_test[:100])
    assert shifted.predict(X_test[:100]).dtype.kind == "i"


@pytest.mark.parametrize(
    "labels, reject_label, message",
    [
        ("numbers", 3, "is one of the classes"),
        ("numbers", "rejected", "must be of the kind of the class labels"),
        ("strings", -1, "must be of the kind of the class labels"),
        ("strings", "b", "is one of the classes"),
    ],
)
def test_bad_reject_labels_are_refused(labels, reject_label, message):
    y = np.array([0, 1, 2, 3] * 5) if labels == "numbers" else np.array(list("abcd") * 5)
    X = np.random.default_rng(0).normal(size=(20, 6))
    with pytest.raises(ValueError, match=message):
        SRCClassifier(rejection_threshold=0.5, reject_label=reject_label).fit(X, y)
    # Without rejection the label is never used, and not checked.
    SRCClassifier(reject_label=reject_label).fit(X, y)


def test_sci_formula():
    model = SRCClassifier().fit(np.eye(4), [0, 0, 1, 1])
    codes = np.array([[1.0, 2.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(model._sci_from(codes), [1.0, 0.0, 0.0])


def test_probabilities_and_decision_rank_like_predict(digits):
    X_train, X_test, y_train, _ = digits
    model = SRCClassifier().fit(X_train, y_train)
    proba = model.predict_proba(X_test[:50])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    predicted = model.predict(X_test[:50])
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], predicted)
    np.testing.assert_array_equal(
        model.classes_[model.decision_function(X_test[:50]).argmax(axis=1)], predicted)


@pytest.mark.slow
def test_constrained_codes_meet_the_bound(digits):
    X_train, X_test, y_train, y_test = digits
    atoms = X_train / np.linalg.norm(X_train, axis=1, keepdims=True)
    samples = X_test[:40] / np.linalg.norm(X_test[:40], axis=1, keepdims=True)
    codes = constrained_l1(samples, atoms, 0.1)
    residual = np.linalg.norm(codes @ atoms - samples, axis=1)
    assert np.all(residual <= 0.1 + 1e-9)
    looser = constrained_l1(samples, atoms, 0.3)
    assert np.abs(looser).sum() < np.abs(codes).sum()
    model = SRCClassifier(method="constrained", epsilon=0.1).fit(X_train, y_train)
    assert model.score(X_test[:200], y_test[:200]) > 0.95


def test_grid_search_in_a_pipeline(digits):
    X_train, _, y_train, _ = digits
    pipeline = make_pipeline(GaussianRandomProjection(40, random_state=0), SRCClassifier())
    search = GridSearchCV(pipeline, {"srcclassifier__alpha": [0.001, 0.1, 2.0]}, cv=3)
    search.fit(X_train[:300], y_train[:300])
    assert search.best_score_ > 0.9
    # At 2.0 every code is zero and each sample takes the class of its most correlated
    # training sample (a nearest neighbour by angle), not the first class.
    assert search.cv_results_["mean_test_score"][-1] > 0.85


def test_an_all_zero_code_takes_the_first_atom_of_the_lasso_path(digits):
    # Reference: scikit-learn's LARS, whose lasso path starts with the atom most
    # correlated with the sample; with alpha above every correlation (unit-norm samples
    # and atoms: at most 1) the code is empty and SRC's residuals all tie.
    X_train, X_test, y_train, _ = digits
    model = SRCClassifier(alpha=1.5).fit(X_train, y_train)
    samples = X_test[:40]
    codes, _ = model.sparse_codes(samples)
    assert not codes.any()
    first = []
    for sample in samples / np.linalg.norm(samples, axis=1, keepdims=True):
        _, active, _ = lars_path(model.dictionary_.T, sample, method="lasso", max_iter=1)
        first.append(active[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predicted = model.predict(samples)
    np.testing.assert_array_equal(predicted, y_train[first])
    assert len(np.unique(predicted)) > 5  # not one class for all


def test_an_all_zero_sample_warns_or_is_rejected(digits):
    X_train, X_test, y_train, _ = digits
    samples = np.vstack([X_test[:3], np.zeros(X_test.shape[1])])
    model = SRCClassifier().fit(X_train, y_train)
    with pytest.warns(UserWarning, match="1 of the 4 samples are all zero"):
        predicted = model.predict(samples)
    assert predicted[3] == y_train[0]
    np.testing.assert_array_equal(predicted[:3], model.predict(X_test[:3]))
    rejecting = SRCClassifier(rejection_threshold=0.2).fit(X_train, y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rejecting.predict(samples)[3] == -1


def test_float32_gives_the_same_predictions(digits):
    X_train, X_test, y_train, _ = digits
    as64 = SRCClassifier().fit(X_train, y_train).predict(X_test[:100])
    as32 = SRCClassifier().fit(X_train.astype(np.float32), y_train).predict(
        X_test[:100].astype(np.float32))
    assert np.mean(as32 == as64) > 0.98


def test_bad_input(digits):
    X_train, X_test, y_train, _ = digits
    with pytest.raises(ValueError, match="NaN"):
        SRCClassifier().fit(np.where(X_train == 0, np.nan, X_train), y_train)
    with pytest.raises(ValueError, match="Unknown label type"):
        SRCClassifier().fit(X_train, y_train + 0.5)
    with pytest.raises(InvalidParameterError):
        SRCClassifier(alpha=0).fit(X_train, y_train)
    model = SRCClassifier().fit(X_train, y_train)
    with pytest.raises(ValueError, match="features"):
        model.predict(X_test[:, :10])


def test_prediction_reuses_the_factorisation_made_in_fit(digits, monkeypatch):
    X_train, X_test, y_train, _ = digits
    model = SRCClassifier().fit(X_train, y_train)
    expected = model.predict(X_test[:20])
    calls = []
    original = np.linalg.eigh
    monkeypatch.setattr(np.linalg, "eigh", lambda *a, **k: calls.append(1) or original(*a, **k))
    np.testing.assert_array_equal(model.predict(X_test[:20]), expected)
    model.set_params(method="constrained").predict(X_test[:3])
    assert calls == []  # neither coding nor the bisection factorised again
    # A changed coding problem after fit is factorised afresh, not coded with stale factors.
    model.set_params(method="lasso", robust=True)
    refitted = SRCClassifier(robust=True).fit(X_train, y_train)
    np.testing.assert_allclose(model.sparse_codes(X_test[:5])[0],
                               refitted.sparse_codes(X_test[:5])[0], atol=1e-10)
    assert calls


@pytest.mark.slow
def test_robust_coding_engages_on_large_images():
    # 28 x 28 digits (784 pixels), half of the test pixels replaced by random values. The
    # price of a corrupted pixel scales with the signal length, so the error term works
    # on large images as on 8 x 8 ones (before the scaling: as good as plain SRC here).
    from scipy import ndimage
    from sklearn.neighbors import KNeighborsClassifier

    X, y = load_digits(return_X_y=True)
    big = np.stack([ndimage.zoom(x.reshape(8, 8) / 16, 3.5, order=1) for x in X])
    big = big.reshape(len(X), -1)
    train, test = slice(0, 900), slice(900, 1000)
    rng = np.random.default_rng(0)
    corrupted = big[test].copy()
    mask = rng.random(corrupted.shape) < 0.5
    corrupted[mask] = rng.uniform(0, 1, mask.sum())
    robust = SRCClassifier(robust=True).fit(big[train], y[train]).score(corrupted, y[test])
    plain = SRCClassifier().fit(big[train], y[train]).score(corrupted, y[test])
    knn = KNeighborsClassifier(5).fit(big[train], y[train]).score(corrupted, y[test])
    assert robust > max(plain, knn) + 0.03
