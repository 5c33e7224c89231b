"""
=====================================================
Non-overlapping DCT tiles vs sliding-window DCT
=====================================================

``SlidingDCTDenoiser(stride=8)`` thresholds the DCT of non-overlapping 8x8 tiles (as JPEG
quantisation does); the default ``stride=1`` thresholds every sliding 8x8 patch and
averages the overlapping estimates. Tiles leave blocking artefacts along their borders;
averaging many shifted estimates removes them and gains about 2.4 dB on the cameraman
(27.4 dB with tiles, 29.8 dB sliding, at sigma = 20/255).
"""

import matplotlib.pyplot as plt

from sk_sparse import SlidingDCTDenoiser
from sk_sparse.datasets import add_noise, load_image
from sk_sparse.metrics import psnr

sigma = 20 / 255
clean = load_image("camera")
noisy = add_noise(clean, sigma, random_state=0)
results = {f"stride {stride}": SlidingDCTDenoiser(sigma=sigma, stride=stride).transform(noisy)
           for stride in (8, 4, 2, 1)}
for name, image in results.items():
    print(f"{name}: {psnr(clean, image):.2f} dB")

crop = (slice(150, 280), slice(200, 330))
fig, axes = plt.subplots(1, 4, figsize=(12, 3.6), layout="constrained")
for axis, (name, image) in zip(axes, results.items()):
    axis.imshow(image[crop], cmap="gray", vmin=0, vmax=1)
    axis.set_title(f"{name}\n{psnr(clean, image):.2f} dB", fontsize=10)
    axis.axis("off")
plt.show()
