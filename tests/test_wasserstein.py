"""The Wasserstein GAN's pieces (gan.wasserstein), its recipes, and the spectrally normalised discriminator."""

import math

import pytest
import torch
from torch import nn

import gan
from gan import wasserstein


def test_the_critic_loss_is_minus_the_gap_between_mean_scores():
    assert wasserstein.critic_loss(torch.tensor([3.0, 5.0]), torch.tensor([1.0, 1.0])).item() == -3.0


@pytest.mark.parametrize("shape", [(16, 2), (16, 1, 28, 28)])
def test_the_gradient_penalty_is_zero_for_a_unit_slope_critic_and_positive_otherwise(shape):
    torch.manual_seed(0)
    n = math.prod(shape[1:])
    unit = nn.Sequential(nn.Flatten(), nn.Linear(n, 1, bias=False))
    with torch.no_grad():
        unit[1].weight.copy_(torch.randn(1, n)).div_(unit[1].weight.norm())
    real, fake = torch.randn(shape), torch.randn(shape)
    assert wasserstein.gradient_penalty(unit, real, fake).item() == pytest.approx(0.0, abs=1e-10)
    with torch.no_grad():
        unit[1].weight.mul_(3)  # slope 3: penalty (3 - 1)^2 = 4
    assert wasserstein.gradient_penalty(unit, real, fake).item() == pytest.approx(4.0, rel=1e-5)


def test_clipping_bounds_every_parameter():
    D = nn.Linear(4, 3)
    with torch.no_grad():
        D.weight.fill_(0.5), D.bias.fill_(-0.5)
    wasserstein.clip_weights(D, 0.01)
    assert all(p.abs().max().item() == pytest.approx(0.01) for p in D.parameters())


def test_spectral_normalisation_makes_every_layer_and_the_network_1_lipschitz():
    torch.manual_seed(0)
    D = wasserstein.spectral_normalise(gan.MLPDiscriminator(hidden=(64, 32)))
    D.train()
    for _ in range(30):  # each pass in training mode is one step of power iteration
        D(torch.randn(8, 1, 28, 28))
    layers = [m for m in D.modules() if isinstance(m, nn.Linear)]
    assert len(layers) == 3
    for layer in layers:
        assert torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item() == pytest.approx(1.0, abs=1e-3)
    D.eval()
    x = torch.randn(64, 1, 28, 28, requires_grad=True)
    (grad,) = torch.autograd.grad(D(x).sum(), x)
    assert grad.flatten(1).norm(dim=1).max().item() <= 1.0 + 1e-3


def test_the_spectrally_normalised_discriminator_round_trips_through_its_config():
    D = gan.MLPDiscriminator(spectral_norm=True)
    assert D.config["spectral_norm"] is True and not D.batch_independent
    again = gan.MLPDiscriminator(**D.config)
    again.load_state_dict(D.state_dict())  # strict: the same parametrised layers
    assert "spectral_norm" not in gan.MLPDiscriminator().config  # older checkpoints' configs are unchanged


@pytest.mark.parametrize("constraint", ["gp", "clip"])
def test_a_wgan_step_trains_the_critic_n_times_and_reports_the_estimate(constraint):
    torch.manual_seed(0)
    G, D = gan.toy.ToyGenerator(), gan.toy.ToyDiscriminator()
    opt_d, opt_g = torch.optim.Adam(D.parameters(), 1e-3), torch.optim.Adam(G.parameters(), 1e-3)
    draws = []

    def next_real():
        draws.append(1)
        return torch.randn(32, 2)

    out = wasserstein.wgan_step(
        G,
        D,
        torch.randn(32, 2),
        G.seeds(32),
        opt_d,
        opt_g,
        None,
        next_real=next_real,
        n_critic=3,
        constraint=constraint,
    )
    assert len(draws) == 2 and set(out) == {"d_loss", "g_loss", "wasserstein"}
    assert not out["wasserstein"].requires_grad
    if constraint == "clip":
        assert max(p.abs().max().item() for p in D.parameters()) <= 0.01


def test_a_wgan_step_refuses_an_unknown_constraint():
    with pytest.raises(ValueError, match="constraint must be one of"):
        wasserstein.wgan_step(None, None, None, None, None, None, None, constraint="sn")


def test_the_jensen_shannon_divergence_of_the_shifted_pair_goes_from_0_to_log_2():
    assert wasserstein.js_divergence_shift(0.0) == pytest.approx(0.0, abs=1e-9)
    assert wasserstein.js_divergence_shift(0.05) == pytest.approx(wasserstein.js_divergence_shift(-0.05), rel=1e-9)
    values = [wasserstein.js_divergence_shift(t) for t in (0.02, 0.05, 0.1, 0.2)]
    assert values == sorted(values)
    assert wasserstein.js_divergence_shift(1.0) == pytest.approx(math.log(2), abs=1e-9)


def test_the_shifted_pair_differs_by_the_shift_only():
    a = wasserstein.shifted(5, 0.0, generator=torch.Generator().manual_seed(1))
    b = wasserstein.shifted(5, 2.5, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(b - a, torch.tensor([2.5, 0.0]).expand(5, 2))


def test_the_wasserstein_recipes_are_registered_with_their_steps():
    assert gan.recipes.get("wgan-gp").wgan == dict(constraint="gp", gp_weight=10.0, n_critic=5)
    assert gan.recipes.get("wgan-clip").train_config().optimizer == "rmsprop"
    assert gan.recipes.get("sngan").build("discriminator").config["spectral_norm"] is True


def test_a_recipe_with_a_wrong_wgan_option_is_refused():
    bad = gan.recipes.Recipe("bad-wgan", "mlp", "", config=dict(steps=1), wgan=dict(constraint="sn"))
    with pytest.raises(ValueError, match="wgan must name constraint"):
        gan.recipes.register(bad)
    assert "bad-wgan" not in gan.recipes.RECIPES


@pytest.mark.parametrize("recipe", ["wgan-gp", "wgan-clip", "sngan"])
def test_train_mnist_trains_the_wasserstein_and_spectral_recipes(mnist_root, monkeypatch, recipe):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    data = gan.load_mnist(train=True)
    small = gan.MNIST(data.images[:640], data.labels[:640])
    config = gan.recipes.get(recipe).train_config(steps=4, log_every=2)
    result = gan.train_mnist(recipe, config, data=small, seed=0)
    assert list(result.history["step"]) == [2, 4]
    assert result.history[["d_loss", "g_loss"]].notna().all().all()
    if recipe != "sngan":
        assert "wasserstein" in result.history.columns
    if recipe == "wgan-clip":
        assert max(p.abs().max().item() for p in result.discriminator.parameters()) <= 0.01


def test_rmsprop_is_an_optimizer_the_config_accepts():
    config = gan.TrainConfig(optimizer="rmsprop")
    assert isinstance(gan.training.make_optimizer(nn.Linear(2, 1).parameters(), config, 1e-3), torch.optim.RMSprop)
    with pytest.raises(ValueError, match="'adam', 'sgd' or 'rmsprop'"):
        gan.TrainConfig(optimizer="adagrad")


def test_a_weaker_penalty_lets_the_critic_overestimate_as_the_ramp_argument_predicts():
    """Chapter 13's exercise 2: the best ramp has slope 1 + theta / (2 lambda), so the gap is theta + theta^2 / (2 lambda)."""
    for seed in (0, 1):
        T = wasserstein.fit(4.0, "gp", steps=800, seed=seed, gp_weight=1.0)
        data = torch.Generator().manual_seed(6)
        with torch.no_grad():
            gap = (
                T(wasserstein.shifted(8192, 0.0, generator=data)).mean()
                - T(wasserstein.shifted(8192, 4.0, generator=data)).mean()
            ).item()
        assert gap == pytest.approx(12.0, rel=0.03)
