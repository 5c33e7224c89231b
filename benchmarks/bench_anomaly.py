"""SparseAnomalyDetector vs scikit-learn's IsolationForest and PyOD's PCA detector.

Run: ``python benchmarks/bench_anomaly.py``. For each scikit-image texture (brick, grass,
gravel), the top half (256x512) is the normal training data and the bottom half the test
image: once as is (normal) and three times with six synthetic defects each (blobs,
scratches, squares of a foreign texture; ``sk_sparse.datasets.make_defects``).

Every detector sees the same 15x15 patches (training: stride 2; scoring: stride 4), and
its patch scores become a per-pixel map the same way (mean over covering patches). Each
threshold is set on held-out normal training patches for a 1% false-positive rate.
Reported: pixel ROC AUC of the maps, pixel FPR on the normal test half at the fitted
threshold, defect detection rate (defects with at least 10% of their pixels flagged),
fit time, and the time to score a 512x512 image.
"""

from __future__ import annotations

import time

import numpy as np
from _common import print_table
from pyod.models.pca import PCA as PyodPCA
from scipy import ndimage
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from sk_sparse import PatchExtractor, SparseAnomalyDetector
from sk_sparse.datasets import load_image, make_defects
from sk_sparse.image import assemble_patch_weights

FOREIGN = {"brick": "gravel", "grass": "brick", "gravel": "grass"}


class PatchScorer:
    """A patch-level detector turned into per-pixel maps (higher = more anomalous)."""

    def __init__(self, name, fit, anomaly_score):
        self.name, self._fit, self._score = name, fit, anomaly_score

    def fit(self, train_patches, validation_patches):
        self._fit(train_patches)
        self.threshold = np.quantile(self._score(validation_patches), 0.99)
        return self

    def anomaly_map(self, image):
        extractor = PatchExtractor(patch_size=15, stride=4).fit(image)
        scores = self._score(extractor.transform(image)) - self.threshold
        grid = scores.reshape(1, len(extractor.row_positions_), len(extractor.col_positions_))
        args = (extractor.row_positions_, extractor.col_positions_, (15, 15), image.shape)
        return (assemble_patch_weights(grid, *args)
                / assemble_patch_weights(np.ones_like(grid), *args))[0]


def detectors():
    sparse = SparseAnomalyDetector(random_state=0)
    forest = IsolationForest(random_state=0)
    pca = PyodPCA(n_components=32, random_state=0)
    return [
        # SparseAnomalyDetector does its own S/V split; its map is its own method.
        ("SparseAnomalyDetector", sparse),
        ("IsolationForest", PatchScorer("IsolationForest", forest.fit,
                                        lambda p: -forest.score_samples(p))),
        ("PyOD PCA", PatchScorer("PyOD PCA", pca.fit, pca.decision_function)),
    ]


def detection_rate(mask, detected, min_overlap=0.1):
    labels, n_defects = ndimage.label(mask)
    hits = [detected[labels == k].mean() >= min_overlap for k in range(1, n_defects + 1)]
    return float(np.mean(hits)) if hits else float("nan")


def main() -> None:
    rows = []
    for name, foreign_name in FOREIGN.items():
        image = load_image(name)
        train, test = image[:256], image[256:]
        patches = PatchExtractor(patch_size=15, stride=2).fit_transform(train)
        order = np.random.default_rng(0).permutation(len(patches))
        half = len(patches) // 2
        defective = [make_defects(test, 6, foreign=load_image(foreign_name), random_state=s)
                     for s in range(3)]
        for label, detector in detectors():
            start = time.perf_counter()
            if isinstance(detector, SparseAnomalyDetector):
                detector.fit(patches)
            else:
                detector.fit(patches[order[half:]], patches[order[:half]])
            fit_time = time.perf_counter() - start
            maps = [detector.anomaly_map(d) for d, _ in defective]
            auc = roc_auc_score(np.concatenate([m.ravel() for _, m in defective]),
                                np.concatenate([s.ravel() for s in maps]))
            fpr = float(np.mean(detector.anomaly_map(test) > 0))
            rate = np.mean([detection_rate(m, s > 0) for (_, m), s in zip(defective, maps)])
            full = np.concatenate([test, defective[0][0]])  # 512 x 512
            start = time.perf_counter()
            detector.anomaly_map(full)
            score_time = time.perf_counter() - start
            rows.append([name, label, auc, fpr, rate, fit_time, score_time])
            print(f"  done {name} {label}", flush=True)
    print()
    print_table(["texture", "detector", "pixel AUC", "pixel FPR", "defects found", "fit s",
                 "512x512 s"], rows, ["s", "s", ".3f", ".4f", ".0%", ".1f", ".2f"])


if __name__ == "__main__":
    main()
