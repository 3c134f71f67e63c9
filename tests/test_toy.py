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
    steps = []
    config = gan.TrainConfig(steps=20, batch_size=32, log_every=10)
    result = toy.train_toy(G, D, config, objective=objective, unroll=unroll,
                           callback=lambda step, G, D: steps.append(step))
    assert steps == [10, 20] and list(result.history["step"]) == [10, 20]
    assert result.history[["d_loss", "g_loss"]].notna().all().all()
    scores = toy.ring_scores(G, std=0.05)
    assert 0 <= scores["modes"] <= 8 and 0.0 <= scores["hq"] <= 1.0


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


def test_unrolling_changes_the_generator_update_and_its_step_size_matters():
    plain, unrolled = _trained_points(), _trained_points(unroll=2, unroll_lr=0.5)
    assert not torch.allclose(plain, unrolled)
    assert not torch.allclose(unrolled, _trained_points(unroll=2, unroll_lr=0.05))
    # unroll_lr=None falls back to the discriminator's learning rate
    assert torch.equal(_trained_points(unroll=2), _trained_points(unroll=2, unroll_lr=2e-4))


def test_annealing_changes_training_and_repeats_under_a_seed():
    annealed = _trained_points(anneal=True)
    assert torch.equal(annealed, _trained_points(anneal=True))
    assert not torch.equal(annealed, _trained_points())


def test_train_toy_rejects_bad_unroll_settings():
    G, D = toy.ToyGenerator(), toy.ToyDiscriminator()
    config = gan.TrainConfig(steps=1)
    with pytest.raises(ValueError, match="unroll must be a non-negative int"):
        toy.train_toy(G, D, config, unroll=-1)
    with pytest.raises(ValueError, match="unroll_lr must be positive"):
        toy.train_toy(G, D, config, unroll=2, unroll_lr=0.0)


def test_train_toy_rejects_unknown_objective_and_unrolled_wgan():
    G, D = toy.ToyGenerator(), toy.ToyDiscriminator()
    config = gan.TrainConfig(steps=1)
    with pytest.raises(ValueError, match="objective"):
        toy.train_toy(G, D, config, objective="lsgan")
    with pytest.raises(ValueError, match="unrolling"):
        toy.train_toy(G, D, config, objective="wgan-gp", unroll=3)
