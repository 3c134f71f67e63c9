import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def mnist_root():
    """The folder holding MNIST/raw for tests that need real MNIST; skipped only where no copy exists."""
    root = os.environ.get("GAN_DATA_DIR") or ROOT.parent / "shared" / "data"
    if not (Path(root) / "MNIST" / "raw" / "train-images-idx3-ubyte").exists():
        pytest.skip("MNIST is not on this machine; set GAN_DATA_DIR to the folder that contains MNIST/raw")
    return Path(root)
