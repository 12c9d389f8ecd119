"""Fixtures shared by the unit tests of the activation code: a small CNN and a few images."""

import numpy as np
import pytest
from small_models import small_cnn


@pytest.fixture(scope="module")
def model():
    return small_cnn()


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
