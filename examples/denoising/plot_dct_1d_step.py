"""
==========================================================
A constant and a step in the DCT domain (1-D)
==========================================================

The DCT of a constant signal is a single coefficient (DC). A step is not sparse: centred
in the window, its odd symmetry cancels the even frequencies and leaves 5 of 8
coefficients; moved by one sample, it uses all 8, with slowly decaying magnitudes.
Hard thresholding these small coefficients leaves ringing next to edges. This is why block
transforms represent edges poorly, and why averaging the estimates of every window
position (the sliding DCT) helps: each edge lands at many positions of the window.
"""

import matplotlib.pyplot as plt
import numpy as np

from sk_sparse import dct_matrix

n = 8
transform = dct_matrix(n)
signals = {"constant": np.full(n, 1.0),
           "step in the middle (4|4)": np.r_[np.zeros(4), np.ones(4)],
           "step shifted by one (3|5)": np.r_[np.zeros(3), np.ones(5)]}
fig, axes = plt.subplots(2, 3, figsize=(11, 5), layout="constrained")
for column, (name, signal) in enumerate(signals.items()):
    coefficients = transform @ signal
    large = np.sum(np.abs(coefficients) > 0.05 * np.abs(coefficients).max())
    plural = "s" if large > 1 else ""
    print(f"{name}: {large} coefficient{plural} above 5% of the largest")
    axes[0, column].stem(signal)
    axes[0, column].set_title(name, fontsize=10)
    axes[1, column].stem(coefficients)
    axes[1, column].set_title(f"DCT: {large} significant coefficient{plural}",
                              fontsize=10)
    axes[1, column].set_xlabel("frequency")
plt.show()
