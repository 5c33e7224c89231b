"""Anomaly detection on five textures and seven defect kinds, all detectors side by side.

Run: ``python benchmarks/bench_anomaly.py`` (``--quick``: two textures; ``--instances``:
new instances, ``--unseen``: six other textures, below). A benchmark
meant to be hard to tune to: five textures (scikit-image's brick, grass and gravel,
sk_sparse's SEM-like ``make_nanofibres`` and ``make_woven``), and the seven defect kinds
of ``sk_sparse.datasets.DEFECT_KINDS`` (beads, pits, thin curved scratches, foreign
texture of matched mean and spread, semi-transparent films, blurred regions, faint
stains), none of them a pure intensity outlier, three of them (film, blur, stain)
*lowering* local energy.

Each texture is a 512x512 image. Training: two 128x320 crops of its top half (normal
data only). Calibration: rows 256-384, a disjoint normal image. Test: rows 384-512, once
as it is (defect-free) and 14 times with one defect each (every kind twice). Every
detector sees the same 15x15 patches (training: stride 2; maps: stride 4) and turns
patch scores into pixel maps the same way (mean over the covering patches); thresholds
for a nominal pixel false-positive rate q are the (1 - q) quantile of the detector's map
of the calibration image.

Reported per texture and detector: pixel ROC AUC; AUPRO, the mean per-defect overlap
integrated up to a 30% false-positive rate (MVTec style, normalised to 1); the achieved
FPR on the defect-free test image and the TPR at q = 1% and 5%; the fraction of defects
with at least 20% of their pixels flagged at q = 1%; fit and scoring times. Then the
pixel AUC of every texture x defect kind, and the AUC of the defect-free test image's
map at the places a kind's defects are planted against its other pixels: with two
defects of a kind, where they land can put a kind's AUC far from 0.5 before anything is
planted. SparseAnomalyDetector also reports the FPR of its own threshold
(``predict_mask``, fitted for 1%). Its default on patches describes them by the error
and l1 norm of the code, the patch mean and spread and the cell features (statistics of
the 3 x 3 cells tiling a patch), modelled by a mixture of six Gaussians of the
standardised features; three more rows show what that replaced: the lecture's two
features with one Gaussian (``features=("error", "l1")``, the default of earlier
releases), these with the patch moments (``features=("error", "l1", "mean", "std")``),
and all seven features with one Gaussian.
ConvolutionalAnomalyDetector is fitted on the two training crops as images (filters on
one, features of 15x15 windows of the other, stride 4) and shown three ways: its
defaults (error, l1 norm and group feature of a group-sparse code of the image's detail),
without the group feature, and with a smoother low-pass split (``lowpass=500``).
CombinedAnomalyDetector (at its defaults: SparseAnomalyDetector, ConvolutionalAnomalyDetector and
NeighbourAnomalyDetector, the local outlier factor of the same 15x15 patches, each
turned into a rank among held-out normal pixels, the largest rank kept) is given the two
training crops and the calibration crop (cut to 128x320) and holds one of the three out
for its own calibration (``calibration_fraction=0.34``): it fits its detectors on two
crops, as the others do. Its maps are timed
again with ``n_jobs=2`` (the same detectors, run side by side).

``--instances``: the two generated textures only, with every image a new instance of
its generator (other threads, other fibres): training on two 128x320 images, calibration
on a third, defects on a fourth, and the achieved FPRs (means over images) and the
negatives of the AUC taken on twelve defect-free 128x512 instances (the defective one
before its defects, and eleven more); sk_sparse's detectors also print their own FPR on
each. A user inspecting new samples of a material faces this; the crops of one image
above share its columns, illumination and threads, and measure less than that.

``--unseen``: the same protocol on six synthetic textures written after every detector
and setting of sk_sparse was chosen, and not used to choose any (``_more_textures.py``:
wood, a wire grid, leather, tiles, concrete and carpet; each one's foreign texture is the
next one's). They check that what was tuned on the five textures above holds elsewhere.

Peers: scikit-learn's IsolationForest and LocalOutlierFactor, PyOD's KNN, ECOD and PCA,
a Gaussian on each patch's mean and standard deviation, and the reconstruction error of
scikit-learn's MiniBatchDictionaryLearning.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
from _common import print_table
from _more_textures import MORE_TEXTURES
from pyod.models.ecod import ECOD
from pyod.models.knn import KNN
from pyod.models.pca import PCA as PyodPCA
from scipy import ndimage
from sklearn.covariance import EmpiricalCovariance
from sklearn.decomposition import MiniBatchDictionaryLearning
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import LocalOutlierFactor

from sk_sparse import (
    CombinedAnomalyDetector,
    ConvolutionalAnomalyDetector,
    PatchExtractor,
    SparseAnomalyDetector,
)
from sk_sparse.datasets import DEFECT_KINDS, load_image, make_defects, make_nanofibres, make_woven
from sk_sparse.image import assemble_patch_weights

PATCH, TRAIN_STRIDE, MAP_STRIDE = 15, 2, 4
FOREIGN = {"brick": "gravel", "grass": "brick", "gravel": "grass", "nanofibres": "woven",
           "woven": "nanofibres"}
GENERATORS = {"nanofibres": make_nanofibres, "woven": make_woven}
TEXTURES = list(FOREIGN)
# --unseen: each texture's foreign squares come from the next one.
UNSEEN = list(MORE_TEXTURES)
FOREIGN.update({name: UNSEEN[(k + 1) % len(UNSEEN)] for k, name in enumerate(UNSEEN)})
# --instances: seeds of the training, calibration and test instances, and of the eleven
# further defect-free ones (the achieved FPR varies by two orders of magnitude from one
# instance to the next: a handful would not give its typical value).
TRAIN_SEEDS, CALIBRATION_SEED, TEST_SEED = (20, 21), 22, 23
NORMAL_SEEDS = tuple(range(24, 35))


def texture(name):
    if name == "nanofibres":
        return make_nanofibres(512, random_state=7)
    if name == "woven":
        return make_woven(512, random_state=7)
    if name in MORE_TEXTURES:
        return MORE_TEXTURES[name](512, random_state=0)
    return load_image(name)


def pixel_map(patch_scores, image_shape):
    """Mean of the patch scores over the patches covering each pixel."""
    extractor = PatchExtractor(patch_size=PATCH, stride=MAP_STRIDE).fit(np.zeros(image_shape))
    grid = patch_scores.reshape(1, len(extractor.row_positions_), len(extractor.col_positions_))
    args = (extractor.row_positions_, extractor.col_positions_, (PATCH, PATCH), image_shape)
    return (assemble_patch_weights(grid, *args)
            / assemble_patch_weights(np.ones_like(grid), *args))[0]


class PatchDetector:
    """A detector of patches as rows, turned into pixel maps (higher = more anomalous)."""

    def __init__(self, fit, score):
        self._fit, self._score = fit, score

    def fit(self, patches):
        self._fit(patches)
        return self

    def anomaly_map(self, image):
        patches = PatchExtractor(patch_size=PATCH, stride=MAP_STRIDE).fit_transform(image)
        return pixel_map(self._score(patches), image.shape)


def mean_std_detector():
    def features(patches):
        return np.stack([patches.mean(axis=1), patches.std(axis=1)], axis=1)
    model = EmpiricalCovariance()
    return PatchDetector(lambda p: model.fit(features(p)),
                         lambda p: model.mahalanobis(features(p)))


def dictionary_detector():
    learner = MiniBatchDictionaryLearning(n_components=64, alpha=1.0, batch_size=256,
                                          max_iter=5, transform_algorithm="omp",
                                          transform_n_nonzero_coefs=8, random_state=0)

    def score(patches):
        codes = learner.transform(patches)
        return np.sum((codes @ learner.components_ - patches) ** 2, axis=1)
    return PatchDetector(learner.fit, score)


def detectors():
    forest = IsolationForest(random_state=0)
    lof = LocalOutlierFactor(n_neighbors=20, novelty=True)
    knn, ecod, pca = KNN(n_neighbors=5), ECOD(), PyodPCA(n_components=32, random_state=0)
    return {
        "SparseAnomalyDetector": lambda: SparseAnomalyDetector(random_state=0),
        "SparseAnomalyDetector, lecture features": lambda: SparseAnomalyDetector(
            features=("error", "l1"), random_state=0),
        "  lecture +mean,std": lambda: SparseAnomalyDetector(
            features=("error", "l1", "mean", "std"), random_state=0),
        "  +mean,std,cells, one Gaussian": lambda: SparseAnomalyDetector(
            features=("error", "l1", "mean", "std", "cell_error", "cell_mean", "cell_std"),
            density=GaussianMixture(1, covariance_type="full", reg_covar=1e-6),
            random_state=0),
        "CombinedAnomalyDetector": lambda: CombinedAnomalyDetector(
            calibration_fraction=0.34, random_state=0),
        "ConvolutionalAnomalyDetector": lambda: ConvolutionalAnomalyDetector(random_state=0),
        "Convolutional, no group feature": lambda: ConvolutionalAnomalyDetector(
            features=("error", "l1"), random_state=0),
        "Convolutional, lowpass=500": lambda: ConvolutionalAnomalyDetector(
            lowpass=500.0, random_state=0),
        "IsolationForest": lambda: PatchDetector(forest.fit, lambda p: -forest.score_samples(p)),
        "PyOD KNN": lambda: PatchDetector(knn.fit, knn.decision_function),
        "LOF": lambda: PatchDetector(lof.fit, lambda p: -lof.score_samples(p)),
        "PyOD ECOD": lambda: PatchDetector(ecod.fit, ecod.decision_function),
        "PyOD PCA": lambda: PatchDetector(pca.fit, pca.decision_function),
        "patch mean/std": mean_std_detector,
        "MiniBatchDL error": dictionary_detector,
    }


def aupro(maps, masks, normal_scores, max_fpr=0.3, n_thresholds=60):
    """Mean per-defect overlap integrated over false-positive rates up to max_fpr."""
    thresholds = np.quantile(normal_scores, 1 - np.linspace(0, max_fpr, n_thresholds))
    regions = []
    for score_map, mask in zip(maps, masks):
        labels, n_regions = ndimage.label(mask)
        regions += [score_map[labels == k] for k in range(1, n_regions + 1)]
    overlap = np.array([[np.mean(region >= t) for region in regions] for t in thresholds])
    fprs = np.array([np.mean(normal_scores >= t) for t in thresholds])
    pro = overlap.mean(axis=1)
    order = np.argsort(fprs)
    return float(np.trapezoid(pro[order], fprs[order]) / max_fpr)


def images(name, instances):
    """Training crops, calibration image, test image and defect-free images."""
    if instances:
        make = GENERATORS[name]
        train = [make((128, 320), random_state=seed) for seed in TRAIN_SEEDS]
        test = make((128, 512), random_state=TEST_SEED)
        normals = [test] + [make((128, 512), random_state=seed) for seed in NORMAL_SEEDS]
        return train, make((128, 512), random_state=CALIBRATION_SEED), test, normals
    image = texture(name)
    return ([image[0:128, 0:320], image[128:256, 0:320]], image[256:384], image[384:512],
            [image[384:512]])


def evaluate(name, instances=False):
    foreign = texture(FOREIGN[name])
    train, calibration, test, normals = images(name, instances)
    patches = np.concatenate([PatchExtractor(patch_size=PATCH, stride=TRAIN_STRIDE)
                              .fit_transform(crop) for crop in train])
    kinds = [kind for kind in DEFECT_KINDS for _ in range(2)]
    defective = [make_defects(test, 1, kinds=(kind,), foreign=foreign, random_state=seed)
                 for seed, kind in enumerate(kinds)]
    masks = [m for _, m in defective]
    # Where each kind's defects land (both of them), for the table of the places alone.
    kind_places = {kind: np.any([m for m, k in zip(masks, kinds) if k == kind], axis=0)
                   for kind in DEFECT_KINDS}
    rows, kind_rows = [], {kind: [name, kind] for kind in DEFECT_KINDS}
    before_rows = {kind: [name, kind] for kind in DEFECT_KINDS}
    for label, make in detectors().items():
        detector = make()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if isinstance(detector, CombinedAnomalyDetector):
                # Its own held-out calibration: the calibration crop joins the images.
                detector.fit(np.stack(train + [calibration[:, :320]]))
            elif isinstance(detector, ConvolutionalAnomalyDetector):
                detector.fit(np.stack(train))  # whole images, not patches
            else:
                detector.fit(patches)
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        maps = [detector.anomaly_map(d) for d, _ in defective]
        score_time = (time.perf_counter() - start) / len(defective) * (512 * 512) / test.size
        normal_map = np.stack([detector.anomaly_map(normal) for normal in normals])
        calibration_map = detector.anomaly_map(calibration)
        negatives = np.concatenate([normal_map.ravel()] + [s[~m] for s, m in zip(maps, masks)])
        positives = np.concatenate([s[m] for s, m in zip(maps, masks)])
        truth = np.r_[np.zeros(len(negatives)), np.ones(len(positives))]
        auc = roc_auc_score(truth, np.r_[negatives, positives])
        result = [name, label, auc, aupro(maps, masks, negatives)]
        for q in (0.01, 0.05):
            threshold = np.quantile(calibration_map, 1 - q)
            result += [np.mean(normal_map >= threshold), np.mean(positives >= threshold)]
            if q == 0.01:
                found = np.mean([np.mean(s[m] >= threshold) >= 0.2 for s, m in zip(maps, masks)])
        # The detector's own threshold: predict_mask is ``anomaly_map > 0`` at the
        # default min_region_size=0, so it is read off the maps already computed.
        own_each = ([float(np.mean(plane > 0)) for plane in normal_map]
                    if isinstance(detector, (SparseAnomalyDetector,
                                             ConvolutionalAnomalyDetector,
                                             CombinedAnomalyDetector))
                    else [float("nan")])
        own = float(np.mean(own_each))
        rows.append(result + [found, own, fit_time, score_time])
        if isinstance(detector, CombinedAnomalyDetector):
            # The same fitted detectors (they have no n_jobs of their own), run side by
            # side: the maps are the same, only the time changes.
            detector.set_params(n_jobs=2)
            start = time.perf_counter()
            for d, _ in defective:
                detector.anomaly_map(d)
            parallel_time = ((time.perf_counter() - start) / len(defective)
                             * (512 * 512) / test.size)
            detector.set_params(n_jobs=None)
            print(f"  {name} {label} with n_jobs=2: {parallel_time:.2f} s per 512x512 map "
                  f"({score_time:.2f} s with n_jobs=None)", flush=True)
        for kind in DEFECT_KINDS:
            kind_positive = np.concatenate([s[m] for s, m, k in zip(maps, masks, kinds)
                                            if k == kind])
            kind_truth = np.r_[np.zeros(len(negatives)), np.ones(len(kind_positive))]
            kind_rows[kind].append(roc_auc_score(kind_truth, np.r_[negatives, kind_positive]))
            # The defect-free test image (normals[0]) alone: its pixels under this kind's
            # masks against all its others. How the detector ranks the places the defects
            # landed on before they were planted (0.5 if they landed anywhere alike; the
            # negatives above also hold the defects' surroundings, which their patches
            # raise, so they would not do here).
            before_rows[kind].append(roc_auc_score(kind_places[kind].ravel(),
                                                   normal_map[0].ravel()))
        each = (" (own FPR@1% per defect-free image: "
                + ", ".join(f"{value:.2%}" for value in own_each)
                + f"; median {np.median(own_each):.2%})"
                if len(normals) > 1 and not np.isnan(own) else "")
        print(f"  done {name} {label} ({fit_time:.1f} s fit){each}", flush=True)
    return rows, list(kind_rows.values()), list(before_rows.values())


def main(quick: bool = False, instances: bool = False, unseen: bool = False) -> None:
    if instances:
        names = list(GENERATORS)
    elif unseen:
        names = UNSEEN
    else:
        names = ["nanofibres", "grass"] if quick else TEXTURES
    rows, kind_rows, before_rows = [], [], []
    for name in names:
        texture_rows, texture_kind_rows, texture_before_rows = evaluate(name, instances)
        rows += texture_rows
        kind_rows += texture_kind_rows
        before_rows += texture_before_rows
    labels = list(detectors())
    print()
    print_table(["texture", "detector", "pixel AUC", "AUPRO", "FPR@1%", "TPR@1%", "FPR@5%",
                 "TPR@5%", "defects@1%", "own FPR@1%", "fit s", "512x512 s"], rows,
                ["s", "s", ".3f", ".3f", ".4f", ".3f", ".4f", ".3f", ".0%", ".4f", ".1f",
                 ".2f"])
    print("\npixel ROC AUC per texture and defect kind")
    short = ["sparse", "lecture", "lect+m", "mc 1 gauss", "combined", "conv", "conv-grp",
             "conv500", "iforest", "knn", "lof", "ecod", "pca", "mean/std", "dl error"]
    assert len(short) == len(labels)
    print_table(["texture", "defect"] + short, kind_rows, ["s", "s"] + [".3f"] * len(short))
    print("\nwhere the defects land, before they are planted: pixel ROC AUC of the map of "
          "the defect-free test image, the pixels under a kind's masks against all others")
    print_table(["texture", "defect"] + short, before_rows, ["s", "s"] + [".3f"] * len(short))
    best = {}
    for row in rows:
        best.setdefault(row[0], []).append((row[2], row[1]))
    print("\nbest pixel AUC per texture: " + "; ".join(
        f"{texture_name}: {max(scores)[1]} {max(scores)[0]:.3f}"
        for texture_name, scores in best.items()))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:], instances="--instances" in sys.argv[1:],
         unseen="--unseen" in sys.argv[1:])
