import os
from pathlib import Path

import pytest

import gan

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def mnist_root():
    """The folder holding MNIST/raw: $GAN_DATA_DIR, ../shared/data, or the user cache (downloading there)."""
    for root in (os.environ.get("GAN_DATA_DIR"), ROOT.parent / "shared" / "data"):
        if root and (Path(root) / "MNIST" / "raw" / "train-images-idx3-ubyte").exists():
            return Path(root)
    try:
        gan.load_mnist(train=False)
    except gan.MNISTNotFoundError as err:
        pytest.skip(f"MNIST is not on this machine and cannot be downloaded: {err}")
    return gan.data_root()
