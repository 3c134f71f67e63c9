"""How good are generated digits? Metrics computed with the package's MNIST classifier.

Every metric compares a batch of generated images (N, 1, 28, 28) in [-1, 1] with MNIST's test set.
``real_data_floor`` gives each metric's value for real MNIST training images, the best a generator
can hope for: judge a number next to its floor.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from .classifier import load_classifier
from .data import load_mnist, to_float
from .models import check_images

FEATURE_DIM = 128


@torch.no_grad()
def classify(
    images: torch.Tensor, model: torch.nn.Module | None = None, batch_size: int = 500
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (class probabilities (N, 10), features (N, 128)) of ``images``, on the CPU, in float64.

    ``model`` is the shipped classifier by default; any network with ``features`` and ``head`` (e.g. an
    untrained ``MNISTClassifier``) can stand in, run in eval mode for the call. Its weights are stored
    channels-last, in place (their values do not change), and the images are fed so: see
    ``load_classifier`` for why.
    """
    model = load_classifier(images.device) if model is None else model.to(memory_format=torch.channels_last)
    was_training = model.training
    model.eval()
    probs, feats = [], []
    try:
        for start in range(0, len(images), batch_size):
            f = model.features(images[start : start + batch_size].float().contiguous(memory_format=torch.channels_last))
            feats.append(f.double().cpu())
            probs.append(model.head(f).softmax(1).double().cpu())
    finally:
        model.train(was_training)
    return torch.cat(probs), torch.cat(feats)


def class_histogram(images: torch.Tensor) -> torch.Tensor:
    """Return the share of ``images`` the classifier assigns to each digit, shape (10,), summing to 1."""
    check_images(images, values=True)
    probs, _ = classify(images)
    return torch.bincount(probs.argmax(1), minlength=10).double() / len(images)


def classes_covered(histogram: torch.Tensor, min_share: float = 0.01) -> int:
    """Return how many digits get at least ``min_share`` of the samples (a tenth of their fair 0.1 by default)."""
    return int((histogram >= min_share).sum())


def kl_to_uniform(histogram: torch.Tensor) -> float:
    """Return KL(histogram || uniform) in nats: 0 for perfectly balanced digits, log 10 = 2.30 for one digit only."""
    p = histogram[histogram > 0]
    return float((p * (p * 10).log()).sum())


def classifier_score(probs: torch.Tensor) -> float:
    """Return exp(E_x KL(p(y|x) || p(y))), the Inception Score with the MNIST classifier: 1 (worst) to 10 (best)."""
    marginal = probs.mean(0, keepdim=True)
    kl = (probs * ((probs + 1e-12).log() - (marginal + 1e-12).log())).sum(1).mean()
    return float(kl.exp())


def frechet_distance(feats_a: torch.Tensor, feats_b: torch.Tensor) -> float:
    """Return the Fréchet distance between Gaussians fitted to two feature sets (N, D): 0 when they match."""
    for name, f in (("first", feats_a), ("second", feats_b)):
        if len(f) <= f.shape[1]:
            raise ValueError(
                f"Fréchet distance needs more samples than feature dimensions ({f.shape[1]}) to estimate a "
                f"covariance; the {name} set has {len(f)}. Use at least {2 * f.shape[1]}, ideally 10,000."
            )
    mu_a, mu_b = feats_a.mean(0), feats_b.mean(0)
    cov_a, cov_b = torch.atleast_2d(torch.cov(feats_a.T)), torch.atleast_2d(torch.cov(feats_b.T))
    # tr sqrt(A B) = tr sqrt(sqrt(A) B sqrt(A)), and the inner matrix is symmetric: use eigh throughout.
    vals, vecs = torch.linalg.eigh(cov_a)
    root_a = vecs @ torch.diag(vals.clamp(min=0).sqrt()) @ vecs.T
    inner = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0)
    return float((mu_a - mu_b).square().sum() + cov_a.trace() + cov_b.trace() - 2 * inner.sqrt().sum())


def _squared_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """|a_i - b_j|^2 for every pair, as |a|^2 + |b|^2 - 2 a.b: one matrix product, no square roots."""
    d2 = torch.addmm(b.square().sum(1)[None, :], a, b.T, alpha=-2)  # |b|^2 - 2 a.b
    return d2.add_(a.square().sum(1)[:, None]).clamp_(min=0)


def _knn_radii(feats: torch.Tensor, k: int) -> torch.Tensor:
    """The squared distance from each point to its k-th nearest other point (the (k+1)-th: the nearest is itself)."""
    return torch.cat(
        [
            _squared_distances(chunk, feats).topk(k + 1, dim=1, largest=False).values[:, -1]
            for chunk in feats.split(2000)
        ]
    )


def precision_recall(
    real_feats: torch.Tensor, fake_feats: torch.Tensor, k: int = 3, real_sq_radii: torch.Tensor | None = None
) -> tuple[float, float]:
    """Return (precision, recall) with k-NN manifolds (Kynkäänniemi et al. 2019), each in [0, 1].

    Precision: the share of fakes inside the real data's manifold (quality): within the k-th
    nearest-neighbour distance of some real point. Recall: the share of real data inside the fakes'
    manifold (coverage). ``real_sq_radii``, the *squared* radii ``_knn_radii(real_feats, k)`` with the
    same ``k``, may be passed to save recomputing them for the same real set. One pass over the
    fake-to-real distances answers both questions.
    """
    real, fake = real_feats.float(), fake_feats.float()
    real_sq_radii = _knn_radii(real, k) if real_sq_radii is None else real_sq_radii.to(real.device)
    if real_sq_radii.shape != (len(real),):
        raise ValueError(
            f"real_sq_radii must hold one squared radius per real point ({len(real)}), "
            f"got shape {tuple(real_sq_radii.shape)}."
        )
    fake_sq_radii = _knn_radii(fake, k)
    fake_inside, real_inside = [], torch.zeros(len(real), dtype=torch.bool, device=real.device)
    for chunk, chunk_sq_radii in zip(fake.split(2000), fake_sq_radii.split(2000)):
        d2 = _squared_distances(chunk, real)  # rows: these fakes, columns: every real point
        fake_inside.append((d2 <= real_sq_radii[None, :]).any(1))
        real_inside |= (d2 <= chunk_sq_radii[:, None]).any(0)
    return float(torch.cat(fake_inside).double().mean()), float(real_inside.double().mean())


_precision_recall = precision_recall


@lru_cache(maxsize=4)
def _test_radii(n: int, k: int = 3) -> torch.Tensor:
    """``_knn_radii`` (squared) of the test set's features (``_test_set(n)``): the same for every ``evaluate`` call."""
    return _knn_radii(_test_set(n)[1].float(), k)


@lru_cache(maxsize=4)
def _test_set(n: int):
    """Classify ``n`` MNIST test images: all of them, or a fixed random subset (seed 0) when ``n`` is smaller.

    Not the first ``n``: the test set is ordered (its first half is cleaner than its second), so a prefix
    would be a biased reference.
    """
    images = load_mnist(train=False).images
    if n < len(images):
        images = images[torch.randperm(len(images), generator=torch.Generator().manual_seed(0))[:n]]
    return classify(to_float(images))


def evaluate(
    images: torch.Tensor,
    n_reference: int = 10_000,
    precision_recall: bool = True,
    reference: torch.Tensor | None = None,
) -> dict[str, float]:
    """Return every metric for generated ``images`` (N, 1, 28, 28) in [-1, 1], compared with MNIST's test set.

    Keys: classes_covered (of 10), kl_to_uniform (0 best), classifier_score (10 best),
    frechet_distance (0 best), precision and recall (1 best). ``precision_recall=False`` skips the
    last two, which take most of the time (nearest neighbours among 10,000 points). ``n_reference``
    test images are the reference: the whole test set, or a fixed random subset of it; or, with
    ``reference``, those images (N, 1, 28, 28) in [-1, 1] (say, digits the generator never saw).
    """
    check_images(images, values=True)
    if len(images) <= FEATURE_DIM:
        raise ValueError(
            f"evaluate needs more than {FEATURE_DIM} images (the feature dimension) for the Fréchet distance; "
            f"got {len(images)}. Use 10,000 for numbers comparable with the book's."
        )
    probs, feats = classify(images)
    if reference is None:
        (_, real_feats), real_sq_radii = _test_set(n_reference), _test_radii(n_reference)
    else:
        check_images(reference, name="reference", values=True)
        (_, real_feats), real_sq_radii = classify(reference), None
    hist = torch.bincount(probs.argmax(1), minlength=10).double() / len(images)
    metrics = {
        "classes_covered": classes_covered(hist),
        "kl_to_uniform": kl_to_uniform(hist),
        "classifier_score": classifier_score(probs),
        "frechet_distance": frechet_distance(feats, real_feats),
    }
    if precision_recall:
        metrics["precision"], metrics["recall"] = _precision_recall(real_feats, feats, real_sq_radii=real_sq_radii)
    return metrics


def floor_images(n: int = 10_000) -> torch.Tensor:
    """Return ``n`` real MNIST training images (uint8), a fixed random subset (seed 1): the floor's sample.

    Not the first ``n``: a prefix of a file is not a random sample of it (MNIST's test set is ordered by
    source, chapter 11), and the first 10,000 training images score a clearly larger Fréchet distance
    than a random 10,000. The metrics' classifier was trained on the whole training set, so it has seen
    these images; it has not seen the test images they are compared with.
    """
    train = load_mnist(train=True).images
    return train[floor_indices(n, len(train))]


def floor_indices(n: int, size: int = 60_000) -> torch.Tensor:
    """Return the indices into the training set (of ``size`` images) that ``floor_images(n)`` takes."""
    if not isinstance(n, int) or isinstance(n, bool) or not 0 < n <= size:
        raise ValueError(f"floor_images: n must be an int in [1, {size}], got {n!r}.")
    return torch.randperm(size, generator=torch.Generator().manual_seed(1))[:n]


@lru_cache(maxsize=4)
def real_data_floor(n: int = 10_000, n_reference: int = 10_000) -> dict[str, float]:
    """Return ``evaluate`` of ``n`` real training images (``floor_images``) against ``n_reference`` test images.

    The value each metric takes for real data: the floor a generator's samples are measured against,
    with as many samples as theirs (the Fréchet distance grows as the samples shrink).
    """
    return evaluate(to_float(floor_images(n)), n_reference=n_reference)
