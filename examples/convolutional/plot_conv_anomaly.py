"""
=====================================================
Convolutional anomaly detection on a nanofibre mat
=====================================================

:class:`~sk_sparse.anomaly.ConvolutionalAnomalyDetector` learns filters from normal
SEM-like images (:func:`~sk_sparse.datasets.make_nanofibres`), codes whole images by
convolutional BPDN with a local group-sparsity term, and describes every 15 x 15 window
by the energy of the residual, the l1 norm of the coefficients and the sum over filters
of their l2 norms (the group feature). A Gaussian density of these features on normal
windows and a threshold for a 1% false-positive rate give the anomaly maps, as for the
patch detector :class:`~sk_sparse.anomaly.SparseAnomalyDetector` (the two share that
machinery).

The second row drops the group feature: the l1 norm alone does not tell many small
coefficients from a few large ones ("sparsity is too loose a criterion"). The anomaly
page of the user guide has the measurements on five textures and seven defect kinds.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from sk_sparse.anomaly import ConvolutionalAnomalyDetector
from sk_sparse.datasets import make_defects, make_nanofibres, make_woven

mat = make_nanofibres(384, random_state=3)
train = np.stack([mat[:128, :192], mat[:128, 192:]])
test = mat[256:384, :]
defective, mask = make_defects(test, 3, kinds=("bead", "film", "foreign"),
                               foreign=make_woven(384, random_state=0), random_state=4)

fig, axes = plt.subplots(2, 3, figsize=(12, 5))
for row, features in enumerate([("error", "l1", "group"), ("error", "l1")]):
    detector = ConvolutionalAnomalyDetector(n_filters=8, features=features, max_iter=15,
                                            random_state=0).fit(train)
    scores = detector.anomaly_map(defective)
    auc = roc_auc_score(mask.ravel(), scores.ravel())
    print(f"features {features}: pixel ROC AUC {auc:.3f}, "
          f"flagged on a normal image {detector.predict_mask(mat[128:256]).mean():.2%}")
    axes[row, 0].imshow(defective, cmap="gray")
    axes[row, 0].contour(mask, levels=[0.5], colors="r", linewidths=0.8)
    axes[row, 0].set_title("test image, defects outlined")
    axes[row, 1].imshow(scores, cmap="magma")
    axes[row, 1].set_title(f"anomaly map, {'+'.join(features)} (AUC {auc:.2f})")
    axes[row, 2].imshow(detector.predict_mask(defective), cmap="gray")
    axes[row, 2].set_title("predict_mask (1% FPR)")
for axis in axes.ravel():
    axis.set_axis_off()
plt.tight_layout()
plt.show()
