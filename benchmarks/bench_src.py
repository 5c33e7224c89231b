"""SRCClassifier vs LinearSVC, 1-NN and logistic regression on scikit-learn's digits.

Run: ``python benchmarks/bench_src.py``. Means over 3 random splits of:

* clean accuracy with 10 training samples per class and with a 50/50 split;
* accuracy on the 50/50 split when 30% of each test sample's pixels are replaced by
  uniform noise in [0, 16], and under a 4x5 block (31% of the 8x8 pixels) of such noise,
  for SRC with and without ``robust=True``;
* rejection of unseen classes: trained on digits 0-4, ROC AUC of telling test digits 5-9
  apart with SRC's sparsity concentration index, SRC's smallest class residual, and
  logistic regression's maximum probability;
* SRC's batched predict time per test sample (50/50 split, 899 test samples).

(scikit-learn's face sets are downloaded at run time, so no face benchmark runs here.)
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from _common import median_time, print_table
from scipy import ndimage
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC

from sk_sparse import SRCClassifier

SEEDS = (0, 1, 2)


def corrupt_pixels(X, fraction, rng):
    out = X.copy()
    mask = rng.random(X.shape) < fraction
    out[mask] = rng.uniform(0, 16, mask.sum())
    return out


def occlude_blocks(X, rng):
    out = X.copy().reshape(-1, 8, 8)
    for image in out:
        row, col = rng.integers(0, 5), rng.integers(0, 4)
        image[row:row + 4, col:col + 5] = rng.uniform(0, 16, (4, 5))
    return out.reshape(len(X), 64)


def baselines():
    return {"LinearSVC": LinearSVC(max_iter=10_000),
            "1-NN": KNeighborsClassifier(1),
            "LogisticRegression": LogisticRegression(max_iter=10_000)}


def main() -> None:
    warnings.filterwarnings("ignore")
    X, y = load_digits(return_X_y=True)
    results: dict[tuple[str, str], list[float]] = {}
    predict_ms = []

    def record(model_name, setting, value):
        results.setdefault((model_name, setting), []).append(value)

    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        train = np.concatenate([rng.choice(np.flatnonzero(y == c), 10, replace=False)
                                for c in range(10)])
        test = np.setdiff1d(np.arange(len(y)), train)
        halves = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
        X_train, X_test, y_train, y_test = halves
        corrupted = corrupt_pixels(X_test, 0.3, rng)
        occluded = occlude_blocks(X_test, rng)
        models = {"SRC": SRCClassifier(), "SRC robust": SRCClassifier(robust=True),
                  **baselines()}
        for name, model in models.items():
            if name != "SRC robust":
                record(name, "10 per class",
                       model.fit(X[train], y[train]).score(X[test], y[test]))
            model.fit(X_train, y_train)
            if name == "SRC":
                start = time.perf_counter()
                accuracy = model.score(X_test, y_test)
                predict_ms.append((time.perf_counter() - start) / len(X_test) * 1e3)
            else:
                accuracy = model.score(X_test, y_test)
            record(name, "50/50", accuracy)
            record(name, "30% pixels corrupted", model.score(corrupted, y_test))
            record(name, "30% block occluded", model.score(occluded, y_test))
        seen = y_train < 5
        unseen = y_test >= 5
        src = SRCClassifier().fit(X_train[seen], y_train[seen])
        record("SRC", "reject AUC (SCI)",
               roc_auc_score(unseen, -src.sparsity_concentration_index(X_test)))
        record("SRC", "reject AUC (min residual)",
               roc_auc_score(unseen, src.residuals(X_test).min(axis=1)))
        logistic = LogisticRegression(max_iter=10_000).fit(X_train[seen], y_train[seen])
        record("LogisticRegression", "reject AUC (max proba)",
               roc_auc_score(unseen, -logistic.predict_proba(X_test).max(axis=1)))

    settings = ["10 per class", "50/50", "30% pixels corrupted", "30% block occluded"]
    names = ["SRC", "SRC robust", "LinearSVC", "1-NN", "LogisticRegression"]
    rows = [[name] + [100 * np.mean(results.get((name, s), [np.nan])) for s in settings]
            for name in names]
    print("accuracy (%), mean of 3 splits\n")
    print_table(["model", *settings], rows, ["s", ".1f", ".1f", ".1f", ".1f"])
    print("\nrejection of unseen digits 5-9 (ROC AUC):")
    for key in [("SRC", "reject AUC (SCI)"), ("SRC", "reject AUC (min residual)"),
                ("LogisticRegression", "reject AUC (max proba)")]:
        print(f"  {key[0]} {key[1][len('reject AUC '):]}: {np.mean(results[key]):.3f}")
    print(f"\nSRC batched predict: {np.mean(predict_ms):.2f} ms per test sample")
    # One sample at a time (interactive use), on the 8x8 digits and on 28x28 versions of
    # them (784 pixels, MNIST's shape, 500 training images).
    X, y = load_digits(return_X_y=True)
    big = np.stack([ndimage.zoom(x.reshape(8, 8), 3.5, order=1) for x in X]).reshape(len(X), -1)
    for label, data in (("8x8 digits, 898 atoms", (X[::2], y[::2], X[1::2])),
                        ("28x28 digits, 500 atoms", (big[:500], y[:500], big[500:]))):
        model = SRCClassifier().fit(data[0], data[1])
        seconds, _ = median_time(model.predict, data[2][:1], repeat=7)
        print(f"SRC predict of one sample, {label}: {seconds * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
