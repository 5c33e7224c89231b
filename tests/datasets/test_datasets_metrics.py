import numpy as np
import pytest

from sk_sparse.datasets import IMAGE_NAMES, add_noise, load_image, make_checkerboard
from sk_sparse.metrics import psnr


@pytest.mark.parametrize("name", IMAGE_NAMES)
def test_load_image(name):
    image = load_image(name)
    assert image.ndim == 2 and image.dtype == np.float64
    assert 0 <= image.min() and image.max() <= 1 and image.std() > 0.01


def test_load_image_unknown():
    with pytest.raises(ValueError, match="name must be one of"):
        load_image("lena")


def test_add_noise_is_seeded_and_pure():
    clean = np.full((50, 50), 0.5)
    first = add_noise(clean, 0.1, random_state=0)
    np.testing.assert_array_equal(first, add_noise(clean, 0.1, random_state=0))
    np.testing.assert_array_equal(clean, 0.5)
    assert add_noise(np.ones((5, 5)), 1.0, random_state=0).max() <= 1.0
    assert add_noise(np.ones((5, 5)), 1.0, random_state=0, clip=False).max() > 1.0
    with pytest.raises(ValueError, match="sigma"):
        add_noise(clean, -1.0)


def test_checkerboard_shift():
    board = make_checkerboard((6, 8), square=2, shift=1)
    np.testing.assert_array_equal(board[0], [0, 1, 1, 0, 0, 1, 1, 0])


def test_psnr_against_formula(rng):
    clean = rng.random((3, 20, 20))
    noisy = clean + rng.normal(0, 0.05, clean.shape)
    per_image = [10 * np.log10(1 / np.mean((c - n) ** 2)) for c, n in zip(clean, noisy)]
    assert psnr(clean, noisy) == pytest.approx(np.mean(per_image))
    as8 = (clean * 255).astype(np.uint8)
    assert psnr(as8, as8 + 1.0) == pytest.approx(20 * np.log10(255))
    # An exact image scores 200 dB, so one exact image leaves a stack's mean finite.
    assert psnr(clean, clean) == pytest.approx(200.0)
    stack = np.stack([clean[0], clean[0]])
    noisy = np.stack([clean[0], clean[0] + 0.1])
    assert psnr(stack, noisy) == pytest.approx((200.0 + 20.0) / 2)
    with pytest.raises(ValueError, match="same shape"):
        psnr(clean, noisy[:2])
