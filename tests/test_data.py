import shutil

import pytest
import torch

import gan
from gan.data import MNIST_FILES, grid_centres, ring_centres


def test_data_root_prefers_argument_then_environment_then_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_DATA_DIR", str(tmp_path / "env"))
    assert gan.data_root(tmp_path / "arg") == tmp_path / "arg"
    assert gan.data_root() == tmp_path / "env"
    monkeypatch.delenv("GAN_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert gan.data_root() == tmp_path / "cache" / "gan-course" / "data"


def test_load_mnist_gives_uint8_images_and_labels(mnist_root):
    train = gan.load_mnist(mnist_root, train=True)
    test = gan.load_mnist(mnist_root, train=False)
    assert train.images.shape == (60_000, 1, 28, 28) and train.images.dtype == torch.uint8
    assert test.images.shape == (10_000, 1, 28, 28) and len(test) == 10_000
    assert train.labels.dtype == torch.int64 and set(train.labels.unique().tolist()) == set(range(10))


def _block_downloads(monkeypatch):
    """Point torchvision at a closed local port, so the 'download' fails at once like an offline machine."""
    from torchvision.datasets import MNIST

    monkeypatch.setattr(MNIST, "mirrors", ["http://127.0.0.1:9/"])


def test_missing_mnist_offline_raises_one_clear_error(monkeypatch, tmp_path):
    _block_downloads(monkeypatch)
    with pytest.raises(gan.MNISTNotFoundError) as info:
        gan.load_mnist(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    assert all(name in message for name in MNIST_FILES)
    assert "GAN_DATA_DIR" in message


def test_missing_mnist_without_download_says_so(tmp_path):
    with pytest.raises(gan.MNISTNotFoundError, match="download=False"):
        gan.load_mnist(tmp_path, download=False)


def test_truncated_mnist_file_is_named_in_the_error(mnist_root, tmp_path, monkeypatch):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in MNIST_FILES:
        shutil.copy(mnist_root / "MNIST" / "raw" / name, raw / name)
    with open(raw / "t10k-labels-idx1-ubyte", "r+b") as f:
        f.truncate(100)
    _block_downloads(monkeypatch)
    with pytest.raises(gan.MNISTCorruptError, match="t10k-labels-idx1-ubyte is 100 bytes, expected 10008"):
        gan.load_mnist(tmp_path, train=False)


def test_to_float_maps_uint8_to_tanh_range():
    x = torch.tensor([0, 255, 128], dtype=torch.uint8)
    y = gan.to_float(x)
    assert y.dtype == torch.float32 and y[0] == -1 and y[1] == 1 and abs(y[2].item()) < 0.01


def test_to_float_rejects_images_that_are_already_float():
    with pytest.raises(TypeError, match="must be uint8"):
        gan.to_float(torch.rand(2, 1, 28, 28))


def test_batches_are_shuffled_full_sized_and_in_range():
    images = torch.arange(10, dtype=torch.uint8).view(10, 1, 1, 1)
    stream = gan.batches(images, 3, generator=torch.Generator().manual_seed(0))
    first_epoch = [next(stream) for _ in range(3)]  # 10 // 3 = 3 full batches per epoch
    assert all(b.shape == (3, 1, 1, 1) for b in first_epoch)
    values = torch.cat(first_epoch).flatten()
    assert len(set(values.tolist())) == 9  # no repeats within an epoch
    assert values.min() >= -1 and values.max() <= 1


def test_batches_reject_a_batch_larger_than_the_data():
    with pytest.raises(ValueError, match="batch_size must be between 1 and the number of images"):
        next(gan.batches(torch.zeros(5, 1, 2, 2, dtype=torch.uint8), 6))


def test_pattern_real_is_near_1010_within_the_jitter():
    x = gan.pattern_real(1000, jitter=0.2)
    assert x.shape == (1000, 4)
    assert (x[:, [0, 2]] >= 0.8).all() and (x[:, [0, 2]] <= 1.0).all()
    assert (x[:, [1, 3]] >= 0.0).all() and (x[:, [1, 3]] <= 0.2).all()
    assert (x.round() == torch.tensor([1.0, 0.0, 1.0, 0.0])).all()


def test_pattern_random_is_uniform_in_unit_interval():
    x = gan.pattern_random(10_000)
    assert x.shape == (10_000, 4) and x.min() >= 0 and x.max() < 1
    assert abs(x.mean().item() - 0.5) < 0.02


@pytest.mark.parametrize("n", [0, -3, 2.5])
def test_samplers_reject_bad_counts(n):
    with pytest.raises(ValueError, match="n must be a positive int"):
        gan.pattern_real(n)


def test_ring_of_gaussians_puts_every_point_near_one_of_the_modes():
    points = gan.ring_of_gaussians(4000, modes=8, radius=2.0, std=0.02, generator=torch.Generator().manual_seed(0))
    centres = ring_centres(8, 2.0)
    distance, nearest = torch.cdist(points, centres).min(dim=1)
    assert points.shape == (4000, 2)
    assert (distance < 0.02 * 5).all()
    assert torch.bincount(nearest, minlength=8).min() > 400  # every mode is used, roughly equally


def test_grid_of_gaussians_has_side_squared_modes_centred_on_origin():
    centres = grid_centres(5, 2.0)
    assert centres.shape == (25, 2) and torch.allclose(centres.mean(0), torch.zeros(2))
    points = gan.grid_of_gaussians(100, side=5)
    assert points.shape == (100, 2)


def test_blur_smooths_keeps_the_background_and_refuses_bad_input():
    images = -torch.ones(2, 1, 28, 28)
    images[:, :, 14, 14] = 1.0  # one white pixel on black
    assert torch.equal(gan.blur(images, 0), images)
    blurred = gan.blur(images, 1.0)
    assert blurred.shape == images.shape
    assert blurred[0, 0, 0, 0] == pytest.approx(-1.0)  # far from the pixel: still background
    assert -1 < blurred[0, 0, 14, 14] < 1 and blurred[0, 0, 14, 15] > -1  # the white spreads to its neighbours
    # the ink (x + 1) is conserved: the kernel sums to 1 and the border is background
    assert (blurred + 1).sum().item() == pytest.approx((images + 1).sum().item(), rel=1e-3)
    assert (gan.blur(images, 2.0)[0, 0, 14, 14]) < blurred[0, 0, 14, 14]  # wider: flatter
    for sigma in (-1, float("nan"), True, "1"):
        with pytest.raises(ValueError, match="sigma"):
            gan.blur(images, sigma)
    with pytest.raises(ValueError, match="float tensor"):
        gan.blur(torch.zeros(28, 28), 1.0)
