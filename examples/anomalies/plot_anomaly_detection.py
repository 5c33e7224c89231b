"""
==================================================
Defects in an SEM-like nanofibre mat
==================================================

The lecture's application: quality inspection of nanofibrous material imaged by a
scanning electron microscope. :func:`~sk_sparse.datasets.make_nanofibres` draws such
mats (curved fibres of varying width, deeper fibres dimmer and blurred, shot and read
noise), and :func:`~sk_sparse.datasets.make_defects` plants the seven defect kinds of
the benchmark: beads, pits, thin curved scratches, foreign texture of matched mean and
spread, semi-transparent films, blurred regions and faint stains.

:class:`~sk_sparse.anomaly.SparseAnomalyDetector` is fitted on 15x15 patches of two
*normal* mats only. It learns a dictionary on half of the patches and describes the other
half by how well and how sparsely that dictionary explains them (error and l1 norm of the
BPDN code, the lecture's features), by their mean and spread, and by the statistics of
the 3x3 cells that tile each patch (the largest residual of a cell, the brightest and
darkest cell, the flattest and busiest one). A mixture of Gaussians models these
features of normal patches, and the threshold is set for a 1% false-positive rate.
:meth:`~sk_sparse.anomaly.SparseAnomalyDetector.anomaly_map` scores every patch of a new
mat and averages the scores per pixel.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from sk_sparse import PatchExtractor, SparseAnomalyDetector
from sk_sparse.datasets import DEFECT_KINDS, make_defects, make_nanofibres, make_woven

training = [make_nanofibres((160, 256), random_state=seed) for seed in (0, 1)]
patches = np.concatenate([PatchExtractor(patch_size=15, stride=2).fit_transform(image)
                          for image in training])
detector = SparseAnomalyDetector(random_state=0).fit(patches)

test = make_nanofibres((192, 384), random_state=2)
defective, truth = make_defects(test, len(DEFECT_KINDS), kinds=DEFECT_KINDS,
                                foreign=make_woven(256, random_state=0), random_state=3)
scores = detector.anomaly_map(defective)
detected = detector.predict_mask(defective)
print(f"pixel ROC AUC: {roc_auc_score(truth.ravel(), scores.ravel()):.3f}")
print(f"flagged normal pixels: {detected[~truth].mean():.2%}, "
      f"flagged defect pixels: {detected[truth].mean():.0%}")

fig, axes = plt.subplots(2, 2, figsize=(11, 6.2), layout="constrained")
panels = [("test mat with seven defects (outlined)", defective, "gray"),
          ("anomaly map: log(1 + positive score)", np.log1p(np.maximum(scores, 0)), "magma"),
          ("true defect mask", truth, "gray"),
          ("predicted mask (threshold for 1% of patches)", detected, "gray")]
for axis, (title, image, cmap) in zip(axes.ravel(), panels):
    shown = axis.imshow(image, cmap=cmap)
    if title.startswith("test"):
        axis.contour(truth, [0.5], colors="tab:red", linewidths=0.8)
    axis.set_title(title, fontsize=10)
    axis.axis("off")
    if cmap == "magma":
        fig.colorbar(shown, ax=axis, shrink=0.8)
plt.show()

# %%
# Which defects it sees
# ---------------------
# The pixel ROC AUC of each kind (its pixels against all normal pixels) on three mats
# with one defect each, for the default detector and for the lecture's two features
# with one Gaussian (``features=("error", "l1")``, the default of earlier releases).
# With the lecture's features alone, small beads and pits, about the size of a fibre
# crossing, and faint stains are poorly separated, and can score *below* chance (more
# normal than the mat itself): the error and l1 norm of a whole patch hardly move when a
# small part of it changes. The cell features see that part, and the mixture keeps fibre
# and background patches apart, so a spot between the two no longer looks normal. The
# benchmark (``benchmarks/bench_anomaly.py``, five textures) has the full comparison.
lecture = SparseAnomalyDetector(features=("error", "l1"), random_state=0).fit(patches)
rows = []
for kind in DEFECT_KINDS:
    damaged = [make_defects(test, 1, kinds=(kind,), foreign=make_woven(256, random_state=0),
                            random_state=seed) for seed in range(3)]
    aucs = []
    for model in (detector, lecture):
        normal_scores = model.anomaly_map(test).ravel()
        positives = np.concatenate([model.anomaly_map(image)[mask] for image, mask in damaged])
        labels = np.r_[np.zeros(len(normal_scores)), np.ones(len(positives))]
        aucs.append(roc_auc_score(labels, np.r_[normal_scores, positives]))
    rows.append((kind, *aucs))
    print(f"{kind:>15}: AUC {aucs[0]:.3f} (lecture's features: {aucs[1]:.3f})")

fig, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
positions = np.arange(len(rows))
ax.barh(positions - 0.2, [row[1] for row in rows], height=0.4, color="tab:blue",
        label="default")
ax.barh(positions + 0.2, [row[2] for row in rows], height=0.4, color="tab:gray",
        label='features=("error", "l1")')
ax.set_yticks(positions, [row[0] for row in rows])
ax.axvline(0.5, color="k", linewidth=0.8, linestyle="--")
ax.set_xlim(0, 1)
ax.set_xlabel("pixel ROC AUC (0.5 = chance)")
ax.invert_yaxis()
ax.legend(loc="lower left", fontsize=8)
plt.show()
