import math

import pytest
import torch

import gan
from gan import metrics


@pytest.fixture(scope="module")
def real(mnist_root):
    return gan.to_float(gan.load_mnist(mnist_root, train=True).images[:600])


@pytest.mark.slow
def test_classifier_reaches_99_percent_on_the_test_set(mnist_root):
    from gan.classifier import accuracy

    assert accuracy(gan.load_classifier(), gan.load_mnist(mnist_root, train=False)) >= 0.99


def test_classifier_weights_ship_well_under_a_megabyte():
    from gan.classifier import WEIGHTS

    assert WEIGHTS.stat().st_size < 600_000


def test_real_digits_cover_every_class_evenly(real):
    hist = metrics.class_histogram(real)
    assert hist.shape == (10,) and math.isclose(hist.sum().item(), 1.0)
    assert metrics.classes_covered(hist) == 10 and metrics.kl_to_uniform(hist) < 0.05


def test_kl_to_uniform_is_log_10_for_a_single_digit():
    one = torch.zeros(10, dtype=torch.float64)
    one[3] = 1
    assert metrics.kl_to_uniform(one) == pytest.approx(math.log(10))
    assert metrics.classes_covered(one) == 1


def test_classifier_score_is_10_for_confident_balanced_and_1_for_one_class():
    confident = torch.eye(10, dtype=torch.float64).repeat(5, 1)
    assert metrics.classifier_score(confident) == pytest.approx(10.0, rel=1e-6)
    assert metrics.classifier_score(torch.eye(10, dtype=torch.float64)[[2] * 50]) == pytest.approx(1.0)


def test_frechet_distance_is_zero_for_identical_sets_and_grows_with_a_shift():
    x = torch.randn(500, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assert metrics.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    assert metrics.frechet_distance(x, x + 1.0) == pytest.approx(8.0, rel=1e-6)  # |mean shift|^2


def test_frechet_distance_refuses_fewer_samples_than_dimensions():
    with pytest.raises(ValueError, match=r"needs more samples than feature dimensions \(128\).*has 100"):
        metrics.frechet_distance(torch.randn(100, 128), torch.randn(500, 128))


def test_precision_and_recall_separate_quality_from_coverage():
    gen = torch.Generator().manual_seed(0)
    real = torch.randn(1000, 2, generator=gen)
    half = real[real[:, 0] > 0]  # perfect quality, half the coverage
    precision, recall = metrics.precision_recall(real, half)
    assert precision > 0.95 and 0.3 < recall < 0.7
    far = torch.randn(500, 2, generator=gen) + 20  # nothing like the data
    assert metrics.precision_recall(real, far) == (0.0, 0.0)


@pytest.mark.slow
def test_evaluate_scores_real_digits_far_better_than_noise(real):
    noise = torch.rand(600, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    good, bad = metrics.evaluate(real), metrics.evaluate(noise)
    assert good["classes_covered"] == 10 and good["classifier_score"] > 8
    assert good["frechet_distance"] * 20 < bad["frechet_distance"]
    assert good["precision"] > 0.7 and bad["precision"] < 0.05


def test_metrics_reject_images_in_zero_one_range_and_say_how_to_fix(real):
    with pytest.raises(ValueError, match=r"look like \[0, 1\] images.*images \* 2 - 1"):
        metrics.evaluate((real + 1) / 2)


@pytest.mark.parametrize(
    "images, error, message",
    [
        (
            torch.zeros(300, 28, 28),
            ValueError,
            r"must have shape \(N, 1, 28, 28\), MNIST-sized images; got \(300, 28, 28\)",
        ),
        (torch.zeros(300, 1, 28, 28, dtype=torch.uint8), TypeError, "gan.to_float"),
        (torch.full((300, 1, 28, 28), float("nan")), ValueError, "NaN or infinite"),
        (torch.full((300, 1, 28, 28), -3.0), ValueError, r"must lie in \[-1, 1\]"),
        (torch.full((100, 1, 28, 28), -1.0), ValueError, "needs more than 128 images"),
    ],
)
def test_evaluate_rejects_bad_images_clearly(images, error, message):
    with pytest.raises(error, match=message):
        metrics.evaluate(images)


def test_evaluate_can_skip_precision_and_recall():
    images = gan.to_float(gan.load_mnist(train=False).images[:300])
    full, fast = gan.metrics.evaluate(images), gan.metrics.evaluate(images, precision_recall=False)
    assert set(full) - set(fast) == {"precision", "recall"}
    assert fast == {k: v for k, v in full.items() if k in fast}


def test_a_smaller_reference_is_a_random_subset_not_the_first_test_images(mnist_root):
    # MNIST's test set is ordered: its first images are cleaner than its last, so a prefix is biased.
    _, full = metrics._test_set(10_000)
    _, subset = metrics._test_set(5_000)
    assert subset.shape == (5_000, full.shape[1])
    assert metrics.frechet_distance(subset, full) < metrics.frechet_distance(full[:5_000], full) / 3
    assert torch.equal(metrics._test_set.__wrapped__(5_000)[1], subset)  # the same subset every time


def test_the_floor_scores_a_random_sample_of_the_training_set_not_its_first_images(mnist_root, monkeypatch):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    train = gan.load_mnist(train=True).images
    chosen = metrics.floor_images(1_000)
    assert chosen.shape == (1_000, 1, 28, 28) and torch.equal(chosen, metrics.floor_images(1_000))  # fixed
    assert not torch.equal(chosen[:100], train[:100])
    index = metrics.floor_indices(1_000)
    assert torch.equal(chosen, train[index]) and len(index.unique()) == 1_000
    # drawn from the whole set, not a block of it: every sixth of the set gives about a sixth of the sample
    per_sixth = torch.bincount(index // 10_000, minlength=6)
    assert per_sixth.min() > 120 and per_sixth.max() < 215, per_sixth
    with pytest.raises(ValueError, match="floor_images: n must be an int"):
        metrics.floor_images(0)


def test_precision_recall_matches_the_definition_computed_by_brute_force():
    # Kynkaanniemi et al.: a point's radius is the distance to its k-th nearest other point; precision is
    # the share of fakes within the radius of some real point, recall the share of reals within some fake's.
    gen = torch.Generator().manual_seed(0)
    real = torch.randn(2500, 8, generator=gen)  # more than one chunk of 2,000
    fake = torch.randn(2300, 8, generator=gen) * 0.8 + 0.6
    k = 3

    def radii(points):
        return torch.cdist(points, points).topk(k + 1, dim=1, largest=False).values[:, -1]

    def within(points, centres, r):
        return (torch.cdist(points, centres) <= r[None, :]).any(1).double().mean().item()

    expected = (within(fake, real, radii(real)), within(real, fake, radii(fake)))
    assert metrics.precision_recall(real, fake, k) == pytest.approx(expected, abs=1e-3)
    cached = metrics._knn_radii(real, k)
    assert metrics.precision_recall(real, fake, k, real_sq_radii=cached) == metrics.precision_recall(real, fake, k)
    assert 0.1 < expected[0] < 0.97 and 0.1 < expected[1] < 0.97  # a case where both questions have work to do
    with pytest.raises(ValueError, match="one squared radius per real point"):
        metrics.precision_recall(real, fake, k, real_sq_radii=cached[:10])


def test_evaluate_can_compare_with_any_reference_images():
    test = gan.to_float(gan.load_mnist(train=False).images)
    train = gan.to_float(gan.load_mnist(train=True).images[:1000])
    default = gan.metrics.evaluate(test[:1000], n_reference=1000)
    # the same images as their own reference: Fréchet distance 0, every point inside the reference manifold
    itself = gan.metrics.evaluate(train, reference=train)
    assert itself["frechet_distance"] == pytest.approx(0, abs=1e-4) and itself["precision"] == itself["recall"] == 1
    other = gan.metrics.evaluate(train, reference=test[:1000])
    assert other["frechet_distance"] > 0.1 and set(other) == set(default)
    with pytest.raises(ValueError, match="reference must have shape"):
        gan.metrics.evaluate(train, reference=test[:5, 0])
