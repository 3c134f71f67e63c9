import pytest
import torch

import gan
from gan import sgan


def _toy_mnist(n=300, seed=0):
    """A small fake MNIST: 10 classes, each a bright square at its own place, plus noise."""
    gen = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    images = torch.randint(0, 60, (n, 1, 28, 28), generator=gen, dtype=torch.uint8)
    for c in range(10):
        r, col = 2 + (c // 5) * 12, 2 + (c % 5) * 5
        images[labels == c, :, r : r + 10, col : col + 5] = 255
    return gan.MNIST(images, labels)


FAST = sgan.SGANConfig(
    steps=60,
    batch_size=20,
    discriminator=dict(hidden=(64, 32)),
    generator=dict(hidden=(32,), activation="relu", layer_norm=False, batch_norm=True),
)


def test_discriminator_returns_class_logits_and_features():
    D = sgan.SGANDiscriminator(hidden=(64, 32))
    x = torch.rand(5, 1, 28, 28) * 2 - 1
    assert D(x).shape == (5, 10) and D.features(x).shape == (5, 32)


def test_real_probability_is_z_over_z_plus_one():
    logits = torch.tensor([[0.0, 0.0], [-50.0, -50.0]])
    assert torch.allclose(sgan.real_probability(logits), torch.tensor([2 / 3, 0.0]), atol=1e-6)


def test_unsupervised_loss_matches_the_formula():
    real, fake = torch.randn(8, 10), torch.randn(8, 10)
    d_real, d_fake = sgan.real_probability(real), sgan.real_probability(fake)
    expected = -d_real.log().mean() - (1 - d_fake).log().mean()
    assert torch.allclose(sgan.unsupervised_loss(real, fake), expected, atol=1e-5)


def test_labelled_index_is_balanced_and_repeatable():
    labels = _toy_mnist().labels
    index = sgan.labelled_index(labels, 50, seed=3)
    assert len(index) == 50 and len(index.unique()) == 50
    assert torch.bincount(labels[index], minlength=10).tolist() == [5] * 10
    assert torch.equal(index, sgan.labelled_index(labels, 50, seed=3))
    assert not torch.equal(index, sgan.labelled_index(labels, 50, seed=4))


@pytest.mark.parametrize("n_labels", [105, 5, 0, 10.0])
def test_labelled_index_refuses_unbalanced_or_bad_counts(n_labels):
    with pytest.raises(ValueError, match="n_labels"):
        sgan.labelled_index(_toy_mnist().labels, n_labels)


def test_labelled_index_refuses_more_labels_than_a_class_has():
    with pytest.raises(ValueError, match="class 0 has 30 images"):
        sgan.labelled_index(_toy_mnist().labels, 1000)


def test_training_refuses_bad_inputs():
    data = _toy_mnist()
    with pytest.raises(TypeError, match="gan.MNIST"):
        sgan.train_sgan(data.images, torch.arange(10), FAST)
    with pytest.raises(ValueError, match="must lie in"):
        sgan.train_sgan(data, torch.tensor([0, 1000]), FAST)
    with pytest.raises(ValueError, match="batch_size"):
        sgan.SGANConfig(batch_size=0)


def test_unlabelled_labels_are_never_read():
    data = _toy_mnist()
    index = sgan.labelled_index(data.labels, 20)
    garbage = torch.randint(0, 10, data.labels.shape, generator=torch.Generator().manual_seed(1))
    garbage[index] = data.labels[index]  # only the labelled images keep their labels
    a = sgan.train_sgan(data, index, FAST, device="cpu", seed=0)
    b = sgan.train_sgan(gan.MNIST(data.images, garbage), index, FAST, device="cpu", seed=0)
    for p, q in zip(a.D.state_dict().values(), b.D.state_dict().values()):
        assert torch.equal(p, q)


def test_tiny_sgan_and_baseline_beat_chance():
    data = _toy_mnist()
    index = sgan.labelled_index(data.labels, 20)
    test = _toy_mnist(200, seed=1)
    for train in (sgan.train_sgan, sgan.train_supervised):
        result = train(data, index, FAST, validation=test, device="cpu", seed=0)
        assert result.accuracy > 0.5, (train.__name__, result.history)
    assert result.G is None  # the baseline has no generator


def test_precision_is_checked_and_bfloat16_training_runs():
    with pytest.raises(ValueError, match="precision must be one of"):
        sgan.SGANConfig(precision="fp16")
    data = _toy_mnist()
    index = sgan.labelled_index(data.labels, 20)
    config = sgan.SGANConfig(**{**FAST.__dict__, "steps": 10, "precision": "bfloat16"})
    result = sgan.train_sgan(data, index, config, validation=data)
    assert result.precision == "bfloat16" and 0.0 <= result.accuracy <= 1.0
    assert all(p.dtype == torch.float32 for p in result.D.parameters())
    # FAST's small networks are below gan.device.BF16_MIN_PARAMETERS: "auto" stays in float32.
    assert sgan.train_supervised(data, index, FAST).precision == "float32"


def test_validation_split_holds_out_a_fixed_disjoint_part():
    data = gan.MNIST(torch.zeros(1000, 1, 28, 28, dtype=torch.uint8), torch.arange(1000))  # label i marks image i
    train, val = sgan.validation_split(data, n=100)
    assert len(train) == 900 and len(val) == 100
    assert set(train.labels.tolist()).isdisjoint(val.labels.tolist())
    assert sorted(train.labels.tolist() + val.labels.tolist()) == list(range(1000))
    again, _ = sgan.validation_split(data, n=100)
    assert torch.equal(again.labels, train.labels)  # fixed by the split's seed, not the run's
    assert not torch.equal(sgan.validation_split(data, n=100, seed=1)[1].labels, val.labels)
    assert torch.equal(train.labels, train.labels.sort().values)  # the kept images stay in order
    with pytest.raises(ValueError, match="n must be an int in"):
        sgan.validation_split(data, n=1000)
    with pytest.raises(TypeError, match="validation must be a gan.MNIST"):
        sgan.train_sgan(_toy_mnist(), sgan.labelled_index(_toy_mnist().labels, 20), FAST, validation=data.images)


def test_gaussian_noise_is_normal_uncorrelated_between_calls_seeded_and_off_in_eval():
    layer = sgan.GaussianNoise(0.5)
    x = torch.zeros(100, 784)
    torch.manual_seed(0)
    first, second = layer(x), layer(x)
    assert abs(first.mean().item()) < 0.01 and abs(first.std().item() - 0.5) < 0.01
    assert not torch.equal(first, second)  # another offset into the bank each call
    assert abs(torch.corrcoef(torch.stack([first.flatten(), second.flatten()]))[0, 1].item()) < 0.02
    torch.manual_seed(0)
    assert torch.equal(layer(x), first)  # the global seed decides the offsets
    big = torch.zeros(sgan.NOISE_BANK)  # larger than half the bank: drawn fresh, still N(0, 0.25)
    assert abs(layer(big).std().item() - 0.5) < 0.01
    assert torch.equal(layer.eval()(x), x)
    assert torch.equal(sgan.GaussianNoise(0.0)(x), x)
    with pytest.raises(ValueError, match="std must be >= 0"):
        sgan.GaussianNoise(-1.0)


def test_weight_norm_and_unsupervised_weight_train_and_are_checked():
    D = sgan.SGANDiscriminator(hidden=(64, 32), weight_norm=True)
    linears = [m for m in D.modules() if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 3 and all(torch.nn.utils.parametrize.is_parametrized(m, "weight") for m in linears)
    with pytest.raises(ValueError, match="unsupervised_weight"):
        sgan.SGANConfig(unsupervised_weight=-1)
    data = _toy_mnist()
    index = sgan.labelled_index(data.labels, 20)
    config = sgan.SGANConfig(
        **{**FAST.__dict__, "unsupervised_weight": 0.5, "discriminator": dict(hidden=(64, 32), weight_norm=True)}
    )
    result = sgan.train_sgan(data, index, config, validation=_toy_mnist(200, seed=1), device="cpu", seed=0)
    assert result.accuracy > 0.5, result.history
    assert sgan.LONG_RUN["discriminator"]["weight_norm"] and sgan.SGANConfig(**sgan.LONG_RUN).steps > 10_000


def test_saved_classifier_round_trips_and_other_files_are_refused(tmp_path):
    data = _toy_mnist()
    index = sgan.labelled_index(data.labels, 20)
    config = sgan.SGANConfig(**{**FAST.__dict__, "discriminator": dict(hidden=(64, 32), weight_norm=True)})
    result = sgan.train_sgan(data, index, config, validation=data, device="cpu", seed=0)
    path = sgan.save_classifier(tmp_path / "c.pt", result, config, labels=20)
    D, info = sgan.load_classifier(path)
    x = gan.to_float(data.images[:50])
    assert torch.equal(D(x), result.D(x)) and not D.training
    assert info["labels"] == 20 and info["history"]["val_accuracy"] == list(result.history["val_accuracy"])
    assert info["train_config"]["steps"] == config.steps
    other = tmp_path / "mlp.pt"
    gan.save_checkpoint(other, "mlp", gan.MLPGenerator())
    with pytest.raises(gan.CheckpointError, match="'mlp' checkpoint, not an SGAN classifier"):
        sgan.load_classifier(other)
    with pytest.raises(FileExistsError, match="not a saved SGAN classifier"):
        sgan.save_classifier(other, result, config)
    assert gan.load_checkpoint(other)["model"] == "mlp"  # the file it refused to overwrite is intact
    with pytest.raises(FileNotFoundError):
        sgan.load_classifier(tmp_path / "missing.pt")
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(gan.CheckpointError, match="not a readable SGAN classifier"):
        sgan.load_classifier(truncated)


def test_shipped_classifier_reaches_97_percent_with_100_labels(mnist_root):
    D, info = sgan.load_classifier()
    assert info["labels"] == 100 and info["train_config"]["steps"] == sgan.LONG_RUN["steps"]
    assert sgan.accuracy(D, gan.load_mnist(train=False)) >= 0.97


def test_the_stored_baseline_study_matches_todays_budget_and_rate():
    study = sgan.baseline_lr_study()
    assert study.step.max() == sgan.SGANConfig().steps and sorted(study.seed.unique()) == [0, 1, 2]
    assert sgan.SUPERVISED_LR in set(study.lr)


def test_the_sgan_and_its_baseline_train_with_the_one_loop():
    # train_sgan is gan.train_gan with sgan_step: the loop's loss history comes back with the classifier.
    data = _toy_mnist()
    index = sgan.labelled_index(data.labels, 20)
    config = sgan.SGANConfig(**{**FAST.__dict__, "eval_every": 20})
    assert config.train_config().average == "discriminator" and config.train_config().log_every == 20
    semi = sgan.train_sgan(data, index, config, validation=data, device="cpu", seed=0)
    base = sgan.train_supervised(data, index, config, validation=data, device="cpu", seed=0)
    assert list(semi.losses.columns) == ["step", "d_loss", "g_loss", "seconds"] and list(semi.losses.step) == [
        20,
        40,
        60,
    ]
    assert list(base.losses.columns) == ["step", "d_loss", "seconds"] and base.G is None
    assert list(semi.history.step) == [20, 40, 60]
    calls = []

    def counting_step(*args, **kwargs):  # an ablation's step: train_sgan passes it sgan_step's arguments
        calls.append(sorted(kwargs))
        return sgan.sgan_step(*args, **kwargs)

    sgan.train_sgan(data, index, config, validation=data, device="cpu", seed=0, step=counting_step)
    assert len(calls) == config.steps and calls[0] == ["labelled", "noise", "unlabelled", "unsupervised_weight"]
    with pytest.raises(ValueError, match="needs a generator; this run has none"):
        gan.train_gan(None, semi.D, None, None, gan.TrainConfig(steps=1, ema=0.9), step=sgan.supervised_step)
