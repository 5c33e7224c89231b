"""
====================================================
Sparse-representation classification (SRC) of digits
====================================================

:class:`sk_sparse.classification.SRCClassifier` (Wright et al., 2009) stores the normalised training
digits as the atoms of a dictionary, codes each test digit sparsely on *all* of them and
picks the class whose atoms alone reconstruct it best.

Two properties are shown here:

* with ``robust=True`` the dictionary is extended with the identity, so corrupted pixels
  are explained by an error term that is removed before classification;
* the sparsity concentration index (SCI) of the code says whether a sample looks like any
  class at all: trained on digits 0-4, SRC gives digits 5-9 codes spread over classes
  (low SCI), which can be rejected.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from sk_sparse import SRCClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y,
                                                    random_state=0)
rng = np.random.default_rng(0)
corrupted = X_test.copy()
mask = rng.random(X_test.shape) < 0.3
corrupted[mask] = rng.uniform(0, 16, mask.sum())

plain = SRCClassifier().fit(X_train, y_train)
robust = SRCClassifier(robust=True).fit(X_train, y_train)
print(f"clean accuracy: {plain.score(X_test, y_test):.3f}")
print(f"30% corrupted pixels: plain {plain.score(corrupted, y_test):.3f}, "
      f"robust {robust.score(corrupted, y_test):.3f}")

# %%
# What the robust code separates: the corrupted digit, its estimated corruption, and the
# digit rebuilt from the winning class's atoms.
codes, error = robust.sparse_codes(corrupted[:6])
samples = corrupted[:6] / np.linalg.norm(corrupted[:6], axis=1, keepdims=True)
predicted = robust.predict(corrupted[:6])
fig, axes = plt.subplots(3, 6, figsize=(9, 4.8), layout="constrained")
for column in range(6):
    atoms = robust.atom_classes_ == np.searchsorted(robust.classes_, predicted[column])
    rebuilt = codes[column, atoms] @ robust.dictionary_[atoms]
    for row, (image, title) in enumerate([(samples[column], f"true {y_test[column]}"),
                                          (error[column], "estimated error"),
                                          (rebuilt, f"predicted {predicted[column]}")]):
        axes[row, column].imshow(image.reshape(8, 8), cmap="gray")
        axes[row, column].set_title(title, fontsize=9)
        axes[row, column].axis("off")
plt.show()

# %%
# Rejecting digits of classes never seen in training.
seen = y_train < 5
model = SRCClassifier().fit(X_train[seen], y_train[seen])
sci = model.sparsity_concentration_index(X_test)
unseen = y_test >= 5
print(f"SCI rejection ROC AUC: {roc_auc_score(unseen, -sci):.3f}")
plt.figure(figsize=(6, 3.5))
bins = np.linspace(0, 1, 31)
plt.hist(sci[~unseen], bins=bins, alpha=0.7, label="digits 0-4 (seen)")
plt.hist(sci[unseen], bins=bins, alpha=0.7, label="digits 5-9 (unseen)")
plt.xlabel("sparsity concentration index")
plt.ylabel("test samples")
plt.legend()
plt.tight_layout()
plt.show()
