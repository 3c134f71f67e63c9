import pytest
import torch

import gan
from gan import toy

CENTRES = gan.data.ring_centres(8, 2.0)


def test_real_ring_samples_cover_every_mode_with_high_quality():
    points = gan.ring_of_gaussians(4000, std=0.05, generator=torch.Generator().manual_seed(0))
    assert toy.modes_covered(points, CENTRES, std=0.05) == 8
    assert toy.high_quality_share(points, CENTRES, std=0.05) > 0.99  # 3 sigma holds 98.9% of a 2-D Gaussian


def test_points_on_one_mode_cover_one_mode_with_full_quality():
    points = CENTRES[3] + 0.01 * torch.randn(500, 2)
    assert toy.modes_covered(points, CENTRES, std=0.05) == 1
    assert toy.high_quality_share(points, CENTRES, std=0.05) == 1.0
    assert toy.mode_counts(points, CENTRES, std=0.05).tolist() == [0, 0, 0, 500, 0, 0, 0, 0]


def test_points_between_modes_are_low_quality_and_cover_nothing():
    points = torch.zeros(100, 2)  # the ring's centre is 2 away from every mode
    assert toy.high_quality_share(points, CENTRES, std=0.05) == 0.0
    assert toy.modes_covered(points, CENTRES, std=0.05) == 0


def test_a_mode_with_too_few_samples_does_not_count():
    # 990 points on mode 0 and 10 on mode 1: mode 1 has 1% of the points, under the default 1.25%.
    points = torch.cat([CENTRES[0].expand(990, 2), CENTRES[1].expand(10, 2)])
    assert toy.modes_covered(points, CENTRES, std=0.05) == 1
    assert toy.modes_covered(points, CENTRES, std=0.05, min_share=0.01) == 2


def test_generator_maps_noise_to_points():
    G = toy.ToyGenerator(z_dim=5)
    assert G(torch.randn(7, 5)).shape == (7, 2)
    assert toy.sample_points(G, 11).shape == (11, 2)


def test_generator_draws_seeds_from_its_noise_distribution():
    uniform = toy.ToyGenerator(z_dim=3, noise="uniform").seeds(5000, generator=torch.Generator().manual_seed(0))
    normal = toy.ToyGenerator(z_dim=3).seeds(5000, generator=torch.Generator().manual_seed(0))
    assert uniform.shape == normal.shape == (5000, 3)
    assert uniform.min() >= 0 and uniform.max() < 1 and abs(uniform.mean() - 0.5) < 0.02
    assert normal.min() < 0 and abs(normal.mean()) < 0.05 and abs(normal.std() - 1) < 0.05


def test_generator_rejects_an_unknown_noise():
    with pytest.raises(ValueError, match="noise must be 'normal' or 'uniform'"):
        toy.ToyGenerator(noise="gaussian")


def test_sample_points_repeats_under_a_seed():
    G = toy.ToyGenerator()
    assert torch.equal(toy.sample_points(G, 50, seed=1), toy.sample_points(G, 50, seed=1))


@pytest.mark.parametrize("pack", [1, 2, 4])
@pytest.mark.parametrize("minibatch_std", [False, True])
def test_discriminator_returns_one_logit_per_pack(pack, minibatch_std):
    D = toy.ToyDiscriminator(pack=pack, minibatch_std=minibatch_std)
    assert D(torch.randn(16, 2)).shape == (16 // pack, 1)


def test_packed_discriminator_rejects_a_batch_that_does_not_divide():
    with pytest.raises(ValueError, match="multiple of pack=4"):
        toy.ToyDiscriminator(pack=4)(torch.randn(10, 2))


def test_minibatch_std_lets_the_discriminator_see_the_batch_spread():
    torch.manual_seed(0)
    D = toy.ToyDiscriminator(minibatch_std=True)
    x = torch.randn(8, 2)
    # The same point judged in a varied batch and in a batch of copies gets a different verdict.
    assert not torch.allclose(D(x)[:1], D(x[:1].expand(8, 2))[:1])


def test_gradient_penalty_is_zero_for_a_unit_slope_critic():
    D = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[0.6, 0.8]]))  # gradient norm exactly 1 everywhere
    assert toy.gradient_penalty(D, torch.randn(32, 2), torch.randn(32, 2)).item() == pytest.approx(0.0, abs=1e-10)


@pytest.mark.parametrize(
    "kwargs, objective, unroll",
    [({}, "gan", 0), ({"pack": 2, "minibatch_std": True}, "gan", 0), ({}, "gan", 2), ({}, "wgan-gp", 0)],
)
def test_train_toy_runs_every_remedy_and_records_history(kwargs, objective, unroll):
    gan.seed_everything(0)
    G, D = toy.ToyGenerator(hidden=16), toy.ToyDiscriminator(hidden=16, **kwargs)
    params = [*G.parameters(), *D.parameters()]
    if objective == "wgan-gp":  # the critic's loss is a difference of means: its output bias cancels out
        params = [p for p in params if p is not D.rest[-1].bias]
    before = [p.detach().clone() for p in params]
    steps = []
    config = gan.TrainConfig(steps=20, batch_size=32, log_every=10)
    result = toy.train_toy(
        G, D, config, objective=objective, unroll=unroll, callback=lambda step, G, D: steps.append(step)
    )
    assert steps == [10, 20] and list(result.history["step"]) == [10, 20]
    assert torch.isfinite(torch.tensor(result.history[["d_loss", "g_loss"]].to_numpy())).all()
    assert all(not torch.equal(b, a) for b, a in zip(before, params)), "every weight tensor of both networks moved"


def test_train_toy_repeats_under_a_seed():
    def run():
        gan.seed_everything(0)
        G, D = toy.ToyGenerator(hidden=16), toy.ToyDiscriminator(hidden=16)
        toy.train_toy(G, D, gan.TrainConfig(steps=10, batch_size=32, log_every=5), seed=3)
        return toy.sample_points(G, 20)

    assert torch.equal(run(), run())


def _trained_points(**kwargs):
    gan.seed_everything(0, threads=1)
    G, D = toy.ToyGenerator(hidden=16), toy.ToyDiscriminator(hidden=16)
    toy.train_toy(G, D, gan.TrainConfig(steps=5, batch_size=32, log_every=5), **kwargs)
    return toy.sample_points(G, 20)


def test_unrolling_changes_the_generator_update_and_its_length_matters():
    plain, unrolled = _trained_points(), _trained_points(unroll=2)
    assert not torch.allclose(plain, unrolled)
    assert not torch.allclose(unrolled, _trained_points(unroll=4))


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_one_unrolled_step_reproduces_the_discriminators_own_next_step(optimizer):
    # The look-ahead must be the step D's optimiser would take: compare it with a real step on a copy.
    import copy

    gan.seed_everything(0)
    D = toy.ToyDiscriminator(hidden=8)
    config = gan.TrainConfig(steps=1, optimizer=optimizer, lr_d=0.01)
    opt = gan.training.make_optimizer(D.parameters(), config, config.lr_d)
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    loss = gan.get_loss("bce_logits")
    for _ in range(3):  # give Adam some history first
        opt.zero_grad()
        (loss(D(real), 1.0) + loss(D(fake), 0.0)).backward()
        opt.step()
    looked_ahead = toy.unrolled_parameters(D, real, fake, opt, steps=1)
    twin = copy.deepcopy(D)
    twin_opt = gan.training.make_optimizer(twin.parameters(), config, config.lr_d)
    twin_opt.load_state_dict(opt.state_dict())
    twin_opt.zero_grad()
    (loss(twin(real), 1.0) + loss(twin(fake), 0.0)).backward()
    twin_opt.step()
    for name, p in twin.named_parameters():
        torch.testing.assert_close(looked_ahead[name].detach(), p.detach(), rtol=1e-4, atol=1e-6)


def test_unrolled_parameters_carry_a_gradient_to_the_fakes():
    D = toy.ToyDiscriminator(hidden=8)
    opt = gan.training.make_optimizer(D.parameters(), gan.TrainConfig(steps=1), 1e-3)
    fake = torch.randn(8, 2, requires_grad=True)
    loss = gan.get_loss("bce_logits")
    opt.zero_grad()
    (loss(D(torch.randn(8, 2)), 1.0) + loss(D(fake), 0.0)).backward()
    opt.step()
    params = toy.unrolled_parameters(D, torch.randn(8, 2), fake, opt, steps=2)
    (grad,) = torch.autograd.grad(torch.func.functional_call(D, params, fake).sum(), fake)
    assert torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_annealing_changes_training_and_repeats_under_a_seed():
    annealed = _trained_points(anneal=True)
    assert torch.equal(annealed, _trained_points(anneal=True))
    assert not torch.equal(annealed, _trained_points())


def test_train_toy_rejects_bad_unroll_settings():
    G, D = toy.ToyGenerator(), toy.ToyDiscriminator()
    config = gan.TrainConfig(steps=1)
    with pytest.raises(ValueError, match="unroll must be a non-negative int"):
        toy.train_toy(G, D, config, unroll=-1)
    with pytest.raises(ValueError, match="n_critic must be a positive int"):
        toy.train_toy(G, D, config, objective="wgan-gp", n_critic=0)


def test_train_toy_rejects_unknown_objective_and_unrolled_wgan():
    G, D = toy.ToyGenerator(), toy.ToyDiscriminator()
    config = gan.TrainConfig(steps=1)
    with pytest.raises(ValueError, match="objective"):
        toy.train_toy(G, D, config, objective="lsgan")
    with pytest.raises(ValueError, match="unrolling"):
        toy.train_toy(G, D, config, objective="wgan-gp", unroll=3)


def test_networks_take_the_recipes_layers_and_activations():
    G = toy.ToyGenerator(z_dim=3, hidden=10, layers=4, batch_norm=True)
    assert sum(isinstance(m, torch.nn.BatchNorm1d) for m in G.modules()) == 4
    assert G(torch.randn(5, 3)).shape == (5, 2)
    D = toy.ToyDiscriminator(hidden=6, layers=3, activation="maxout", pack=2)
    assert sum(isinstance(m, toy.Maxout) for m in D.modules()) == 3
    assert D(torch.randn(10, 2)).shape == (5, 1)
    with pytest.raises(ValueError, match="activation must be one of"):
        toy.ToyDiscriminator(activation="gelu")
    with pytest.raises(ValueError, match="layers must be an int >= 2"):
        toy.ToyDiscriminator(layers=1)


def test_maxout_keeps_the_largest_piece():
    layer = toy.Maxout(1, 2, pieces=3)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor([[1.0], [2.0], [-1.0], [0.5], [0.0], [3.0]]))
        layer.linear.bias.zero_()
    assert layer(torch.tensor([[2.0]])).tolist() == [[4.0, 6.0]]
    assert layer(torch.tensor([[-1.0]])).tolist() == [[1.0, 0.0]]


def test_sample_points_leaves_a_batchnorm_generator_in_its_mode():
    G = toy.ToyGenerator(batch_norm=True)
    G.train()
    toy.sample_points(G, 10)
    assert G.training


@pytest.mark.parametrize("name", list(toy.RECIPES))
def test_every_recipe_trains(name):
    result = toy.train_recipe(name, seed=0, steps=2, std=0.1, log_every=1)
    assert list(result.history["step"]) == [1, 2]
    assert toy.sample_points(result.generator, 4).shape == (4, 2)


def test_train_recipe_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="unknown recipe"):
        toy.train_recipe("BigGAN", seed=0, steps=1, std=0.1)
