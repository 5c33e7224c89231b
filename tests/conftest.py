import numpy as np
import pytest

from sk_sparse.datasets import load_image


@pytest.fixture(scope="session")
def camera():
    return load_image("camera")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
