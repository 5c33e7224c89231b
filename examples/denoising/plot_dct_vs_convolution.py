"""
==========================================
DCT thresholding vs convolution (blurring)
==========================================

A linear filter removes noise by averaging neighbours, and so averages edges away too;
thresholding local DCT coefficients keeps the few large coefficients that carry edges and
drops the many small ones that carry noise. Here both denoise the cameraman at
sigma = 20/255, the Gaussian blur at several widths.
"""

import matplotlib.pyplot as plt
from scipy import ndimage

from sk_sparse import SlidingDCTDenoiser
from sk_sparse.datasets import add_noise, load_image
from sk_sparse.metrics import psnr

sigma = 20 / 255
clean = load_image("camera")
noisy = add_noise(clean, sigma, random_state=0)

blurred = {width: ndimage.gaussian_filter(noisy, width) for width in (0.5, 1.0, 1.5, 2.0)}
for width, image in blurred.items():
    print(f"Gaussian blur, width {width}: {psnr(clean, image):.2f} dB")
best_width = max(blurred, key=lambda w: psnr(clean, blurred[w]))
dct = SlidingDCTDenoiser(sigma=sigma).transform(noisy)
print(f"sliding DCT, tau = 3 sigma: {psnr(clean, dct):.2f} dB")

crop = (slice(60, 260), slice(180, 380))
panels = {f"noisy\n{psnr(clean, noisy):.2f} dB": noisy,
          f"best Gaussian blur (width {best_width})\n{psnr(clean, blurred[best_width]):.2f} dB":
              blurred[best_width],
          f"sliding DCT\n{psnr(clean, dct):.2f} dB": dct}
fig, axes = plt.subplots(1, 3, figsize=(10, 3.8), layout="constrained")
for axis, (title, image) in zip(axes, panels.items()):
    axis.imshow(image[crop], cmap="gray", vmin=0, vmax=1)
    axis.set_title(title, fontsize=10)
    axis.axis("off")
plt.show()
