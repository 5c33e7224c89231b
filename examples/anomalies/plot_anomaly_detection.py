"""
==============================================
Texture defects with a sparse anomaly detector
==============================================

:class:`sk_sparse.anomaly.SparseAnomalyDetector` is fitted on 15x15 patches of a *normal* brick
wall (the top half of scikit-image's ``brick``). It learns a dictionary on half of the
patches, describes the other half by how well and how sparsely that dictionary explains
them (error and l1 norm of the BPDN code), fits a Gaussian to those features and sets the
threshold for a 1% false-positive rate.

The bottom half then receives synthetic defects (dark and bright blobs, scratches and a
square of gravel). :meth:`~sk_sparse.anomaly.SparseAnomalyDetector.anomaly_map` scores every
patch and averages the scores per pixel; positive values are anomalous at the fitted
rate. Because a 15x15 patch that touches a defect is anomalous, detections extend a few
pixels around each defect: most "flagged normal pixels" below are that margin.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from sk_sparse import PatchExtractor, SparseAnomalyDetector
from sk_sparse.datasets import load_image, make_defects

brick = load_image("brick")
normal_patches = PatchExtractor(patch_size=15, stride=2).fit_transform(brick[:256])
detector = SparseAnomalyDetector(min_region_size=30, random_state=0).fit(normal_patches)

defective, truth = make_defects(brick[256:], 6, foreign=load_image("gravel"),
                                random_state=1)
scores = detector.anomaly_map(defective)
detected = detector.predict_mask(defective)
print(f"pixel ROC AUC: {roc_auc_score(truth.ravel(), scores.ravel()):.3f}")
print(f"flagged normal pixels: {detected[~truth].mean():.2%}, "
      f"flagged defect pixels: {detected[truth].mean():.0%}")

fig, axes = plt.subplots(2, 2, figsize=(10, 5.6), layout="constrained")
panels = [("test image with defects", defective, "gray"),
          ("true defect mask", truth, "gray"),
          ("anomaly map: log(1 + positive score)", np.log1p(np.maximum(scores, 0)), "magma"),
          ("predicted mask (regions >= 30 px)", detected, "gray")]
for axis, (title, image, cmap) in zip(axes.ravel(), panels):
    shown = axis.imshow(image, cmap=cmap)
    axis.set_title(title, fontsize=10)
    axis.axis("off")
    if cmap == "magma":
        fig.colorbar(shown, ax=axis, shrink=0.8)
plt.show()
