"""gan.fast: every speed-up computes what the plain code computes (bit for bit, or to float32 rounding)."""

import copy

import pytest
import torch

import gan
from gan import fast

MNIST_LIKE = lambda n: torch.rand(n, 1, 28, 28) * 2 - 1  # noqa: E731


@pytest.mark.parametrize(
    "make",
    [
        lambda: gan.MLPDiscriminator(hidden=(16, 8), layer_norm=True),
        lambda: gan.MLPDiscriminator(hidden=(16,), batch_norm=True),
        lambda: gan.DCGANDiscriminator(width=4),
        lambda: gan.DCGANDiscriminator(width=4, batch_norm=False),
    ],
)
def test_judge_gives_the_verdicts_of_two_separate_passes(make):
    gan.seed_everything(0)
    D = make()
    real, fake = MNIST_LIKE(6), MNIST_LIKE(5)
    d_real, d_fake = fast.judge(D, real, fake)
    assert d_real.shape == (6, 1) and d_fake.shape == (5, 1)
    # the same products, one batch of 11 rows instead of two: equal up to the kernels' rounding
    torch.testing.assert_close(d_real, D(real), atol=1e-6, rtol=0)
    torch.testing.assert_close(d_fake, D(fake), atol=1e-6, rtol=0)
    # one pass only where BatchNorm does not mix the batch: with it, one pass would change the verdicts
    has_batch_norm = any(isinstance(m, torch.nn.BatchNorm2d | torch.nn.BatchNorm1d) for m in D.modules())
    assert D.batch_independent is not has_batch_norm


def test_judge_keeps_two_passes_for_discriminators_that_compare_the_batch():
    D = gan.toy.ToyDiscriminator(hidden=8, minibatch_std=True)
    assert not getattr(D, "batch_independent", False)
    real, fake = torch.randn(8, 2), torch.randn(8, 2) + 3
    d_real, d_fake = fast.judge(D, real, fake)
    assert torch.equal(d_real, D(real)) and torch.equal(d_fake, D(fake))


def test_fused_adam_updates_as_plain_adam_does():
    torch.manual_seed(0)
    w = torch.randn(50, 20, requires_grad=True)
    w_plain = w.detach().clone().requires_grad_(True)
    fused = fast.adam([w], 1e-2, (0.5, 0.999))
    plain = torch.optim.Adam([w_plain], lr=1e-2, betas=(0.5, 0.999))
    assert fused.defaults["fused"] is True and not plain.defaults["fused"]
    for _ in range(20):
        for opt, p in ((fused, w), (plain, w_plain)):
            opt.zero_grad()
            (p**3).sum().backward()
            opt.step()
    assert torch.allclose(w, w_plain, atol=1e-6)


def test_the_optimiser_is_plain_unless_fast():
    w = [torch.zeros(3, requires_grad=True)]
    assert not gan.training.make_optimizer(w, gan.TrainConfig(), 0.1).defaults["fused"]
    assert gan.training.make_optimizer(w, gan.TrainConfig(fast=True), 0.1).defaults["fused"] is True
    assert isinstance(gan.training.make_optimizer(w, gan.TrainConfig(optimizer="sgd", fast=True), 0.1), torch.optim.SGD)


def test_channels_last_changes_the_layout_not_the_outputs():
    gan.seed_everything(0)
    D = gan.DCGANDiscriminator(width=8)
    D_fast = copy.deepcopy(D)
    fast.prepare(torch.device("cpu"), D_fast)
    conv = D_fast.net[2].weight
    assert conv.is_contiguous(memory_format=torch.channels_last) and not conv.is_contiguous()
    assert all(torch.equal(a, b) for a, b in zip(D.parameters(), D_fast.parameters()))  # same values
    x = MNIST_LIKE(16)
    torch.testing.assert_close(D_fast(x), D(x), atol=1e-5, rtol=0)
    mlp = gan.MLPDiscriminator()
    fast.prepare(torch.device("cpu"), mlp)
    assert all(p.is_contiguous() for p in mlp.parameters())


@pytest.mark.parametrize("model", ["mlp", "dcgan"])
def test_train_gan_takes_the_fast_path_only_when_asked(model):
    gan.seed_everything(0)
    generator_config = {"width": 8} if model == "dcgan" else {"z_dim": 8}
    discriminator_config = {"width": 8} if model == "dcgan" else {}
    for is_fast in (False, True):
        G = gan.models.build(model, "generator", generator_config)
        D = gan.models.build(model, "discriminator", discriminator_config)
        config = gan.TrainConfig(steps=1, batch_size=4, loss="bce_logits", log_every=1, fast=is_fast)
        gan.train_gan(G, D, MNIST_LIKE, lambda n: torch.randn(n, G.z_dim), config, progress=False)
        if model == "dcgan":
            conv = D.net[2].weight  # 8 -> 16 channels: its two layouts differ
            assert conv.is_contiguous(memory_format=torch.channels_last) == is_fast and conv.is_contiguous() != is_fast
    assert fast.faster(gan.train_step) is fast.train_step
    assert fast.faster(gan.toy.unrolled_step) is gan.toy.unrolled_step  # no fast version: itself


@pytest.mark.parametrize("model", ["mlp", "dcgan"])
def test_a_fast_step_moves_the_weights_as_the_plain_step_does(model):
    # With SGD the update is the gradient times the rate, so the two steps' weights differ only by the
    # rounding of the one-pass products and of the channels-last kernels.
    gan.seed_everything(0)
    generator_config = {"width": 8, "batch_norm": False} if model == "dcgan" else {"z_dim": 8}
    discriminator_config = {"width": 8, "batch_norm": False} if model == "dcgan" else {}
    G = gan.models.build(model, "generator", generator_config)
    D = gan.models.build(model, "discriminator", discriminator_config)
    real, z = MNIST_LIKE(8), torch.randn(8, G.z_dim)
    runs = []
    for is_fast in (False, True):
        g, d = copy.deepcopy(G), copy.deepcopy(D)
        config = gan.TrainConfig(optimizer="sgd", loss="bce_logits", lr_d=0.1, lr_g=0.1, fast=is_fast)
        if is_fast:
            fast.prepare(torch.device("cpu"), g, d)
        step = fast.faster(gan.train_step) if is_fast else gan.train_step
        opt_d, opt_g = (gan.training.make_optimizer(m.parameters(), config, 0.1) for m in (d, g))
        values = step(g, d, real, z, opt_d, opt_g, config)
        runs.append((values, [*g.parameters(), *d.parameters()]))
    (plain_values, plain_weights), (fast_values, fast_weights) = runs
    assert plain_values.keys() == fast_values.keys()
    for name in plain_values:
        torch.testing.assert_close(fast_values[name], plain_values[name], atol=1e-6, rtol=0)
    for a, b in zip(plain_weights, fast_weights):
        torch.testing.assert_close(b, a, atol=1e-6, rtol=0)


def test_small_networks_train_on_one_thread_with_fast_and_the_count_comes_back():
    from torch import nn

    def run(fast, threads=None, width=8):
        def net():
            return nn.Sequential(nn.Linear(1, width), nn.Linear(width, width), nn.Linear(width, 1))

        G, D = net(), net()
        seen = []
        config = gan.TrainConfig(steps=2, batch_size=4, loss="bce_logits", log_every=1, fast=fast, threads=threads)
        gan.train_gan(
            G,
            D,
            lambda n: torch.randn(n, 1),
            lambda n: torch.randn(n, 1),
            config,
            callback=lambda step, G, D: seen.append(torch.get_num_threads()),
            progress=False,
        )
        return seen

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert run(fast=True) == [1, 1]  # a few dozen parameters: one thread
        assert run(fast=False) == [2, 2]  # the plain path leaves the setting alone
        assert run(fast=True, threads=2) == [2, 2]  # an explicit count wins
        assert run(fast=True, width=400) == [2, 2]  # over gan.fast.ONE_THREAD_BELOW parameters: left alone
        assert torch.get_num_threads() == 2  # restored after every run
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ValueError, match="threads must be a positive int"):
        gan.TrainConfig(threads=0)
