"""The Dirac-GAN (gan.dynamics): its field, its steps, and the eigenvalues that decide where the steps go."""

import math

import pytest
import torch

from gan import dynamics

H, A = 0.1, 0.5  # a learning rate, and f'(0) = sigmoid(0) = 1/2 for the GAN's f(t) = -log(1 + exp(-t))


def moduli(**options):
    return torch.linalg.eigvals(dynamics.update_jacobian(**options)).abs()


def test_the_field_vanishes_at_the_equilibrium_and_rotates_around_it():
    assert [v.item() for v in dynamics.field(0.0, 0.0)] == [0.0, 0.0]
    v_theta, v_psi = dynamics.field(1.0, 0.0)  # generator off the data, blind discriminator: only D moves
    assert v_theta.item() == 0.0 and v_psi.item() == pytest.approx(A)
    v_theta, v_psi = dynamics.field(0.0, 1.0)  # generator on the data: only G moves, down the slope D shows it
    assert v_theta.item() == pytest.approx(-A) and v_psi.item() == 0.0


def test_simultaneous_steps_spiral_out_as_the_eigenvalues_say():
    # I + h [[0, -a], [a, 0]]: eigenvalues 1 +- i h a, of modulus sqrt(1 + h^2 a^2) > 1
    expected = math.sqrt(1 + H**2 * A**2)
    assert torch.allclose(moduli(lr=H), torch.full((2,), expected, dtype=torch.float64))
    path = dynamics.trajectory(0.01, 0.0, 200, lr=H)
    radius = path.norm(dim=1)
    assert radius[-1] / radius[0] == pytest.approx(expected**200, rel=0.01)  # near 0 the linearisation holds


def test_alternating_steps_circle_with_eigenvalues_of_modulus_one():
    # [[1, -h a], [h a, 1 - h^2 a^2]]: determinant 1 and complex eigenvalues, so both of modulus 1
    assert torch.allclose(moduli(lr=H, mode="alternating"), torch.ones(2, dtype=torch.float64))
    radius = dynamics.trajectory(0.5, 0.0, 2000, lr=H, mode="alternating").norm(dim=1)
    assert radius.min() > 0.4 and radius.max() < 0.7  # it neither converges nor escapes


def test_the_r1_penalty_makes_the_equilibrium_attract():
    gamma = 1.0
    assert (moduli(lr=H, r1=gamma) < 1).all()
    assert (moduli(lr=H, mode="alternating", r1=gamma) < 1).all()
    path = dynamics.trajectory(1.0, 0.0, 2000, lr=H, r1=gamma)
    assert path[-1].norm() < 1e-3


def test_the_wasserstein_objective_has_no_fixed_slope_to_settle_on():
    # f(t) = t: f' = 1 everywhere, so simultaneous steps spiral out at modulus sqrt(1 + h^2)
    assert torch.allclose(moduli(lr=H, loss="wgan"), torch.full((2,), math.sqrt(1 + H**2), dtype=torch.float64))


def test_more_discriminator_steps_and_other_rates_are_options_of_the_alternating_step():
    one = dynamics.step(torch.tensor(1.0), torch.tensor(0.0), lr=H, mode="alternating")
    five = dynamics.step(torch.tensor(1.0), torch.tensor(0.0), lr=H, mode="alternating", d_steps=5)
    assert one[0] == five[0] and five[1] > one[1] > 0  # the same generator step, a discriminator further along
    slow_g = dynamics.step(torch.tensor(0.0), torch.tensor(1.0), lr=0.01, lr_d=H)
    assert slow_g[0].item() == pytest.approx(-0.01 * A)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: dynamics.field(0.0, 0.0, loss="hinge"), "loss must be one of"),
        (lambda: dynamics.field(0.0, 0.0, r1=-1), "r1 must be"),
        (lambda: dynamics.step(0.0, 0.0, mode="sideways"), "mode must be one of"),
        (lambda: dynamics.step(0.0, 0.0, d_steps=5), "need mode='alternating'"),
        (lambda: dynamics.step(0.0, 0.0, mode="alternating", d_steps=0), "d_steps must be"),
        (lambda: dynamics.trajectory(0.0, 0.0, -1), "steps must be"),
    ],
)
def test_bad_options_are_refused_in_one_line(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- the stabilisers on real networks ---


def _pair(seed=0):
    import gan

    torch.manual_seed(seed)
    G = gan.toy.ToyGenerator(z_dim=2, hidden=16, layers=2)
    D = gan.toy.ToyDiscriminator(hidden=16, layers=2)
    return G, D


def _run(step, seed=0, **options):
    import gan

    G, D = _pair(seed)
    opt_d, opt_g = torch.optim.Adam(D.parameters(), 1e-3), torch.optim.Adam(G.parameters(), 1e-3)
    config = gan.TrainConfig(loss="bce_logits")
    data = torch.Generator().manual_seed(1)

    def next_real():
        return gan.ring_of_gaussians(32, std=0.1, generator=data)

    torch.manual_seed(2)
    for _ in range(3):
        step(G, D, next_real(), G.seeds(32, generator=data), opt_d, opt_g, config, **options)
    return torch.cat([p.detach().flatten() for p in [*G.parameters(), *D.parameters()]])


def test_the_stabilised_step_with_its_defaults_is_the_textbook_step():
    import gan

    assert torch.equal(_run(dynamics.stabilised_step), _run(gan.train_step))


@pytest.mark.parametrize("option", [dict(r1=1.0), dict(noise_std=0.1), dict(real_label=0.9), dict(d_steps=3)])
def test_each_stabiliser_changes_the_step(option):
    import gan

    if "d_steps" in option:
        data = torch.Generator().manual_seed(5)
        option = {**option, "next_real": lambda: gan.ring_of_gaussians(32, std=0.1, generator=data)}
    assert not torch.equal(_run(dynamics.stabilised_step, **option), _run(dynamics.stabilised_step))


def test_the_r1_penalty_is_half_gamma_times_the_squared_input_gradient():
    # A linear D(x) = w.x + b has input gradient w everywhere: the penalty adds gamma * w to w's gradient.
    import gan

    G, _ = _pair()
    D = torch.nn.Linear(2, 1)
    w = D.weight.detach().clone()
    config = gan.TrainConfig(loss="bce_logits")
    real, z = gan.ring_of_gaussians(8, std=0.1), G.seeds(8)
    grads = {}
    for gamma in (0.0, 2.0):
        D2 = torch.nn.Linear(2, 1)
        D2.load_state_dict(D.state_dict())
        opt_d = torch.optim.SGD(D2.parameters(), lr=1.0)
        torch.manual_seed(0)
        dynamics.stabilised_step(G, D2, real, z, opt_d, torch.optim.SGD(G.parameters(), lr=0.0), config, r1=gamma)
        grads[gamma] = w - D2.weight.detach()  # lr 1: the step is the gradient
    assert torch.allclose(grads[2.0] - grads[0.0], 2.0 * w, atol=1e-6)


def test_several_discriminator_steps_need_fresh_batches():
    import gan

    G, D = _pair()
    opt = torch.optim.SGD(D.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="next_real"):
        dynamics.stabilised_step(G, D, gan.ring_of_gaussians(8), G.seeds(8), opt, opt, gan.TrainConfig(), d_steps=2)


def test_the_non_saturating_generator_reads_the_slope_at_minus_psi_theta():
    # at (1, 1): -psi * sigmoid(-psi * theta) for the game's loss, -psi * sigmoid(psi * theta) for the non-saturating one
    assert dynamics.field(1.0, 1.0)[0].item() == pytest.approx(-torch.sigmoid(torch.tensor(-1.0)).item())
    assert dynamics.field(1.0, 1.0, loss="non-saturating")[0].item() == pytest.approx(
        -torch.sigmoid(torch.tensor(1.0)).item()
    )


def test_label_smoothing_touches_real_targets_only_and_the_generator_sees_the_noise():
    import gan

    G, D = _pair()
    config = gan.TrainConfig(loss="bce_logits")
    real, z = gan.ring_of_gaussians(16, std=0.1), G.seeds(16)
    seen = []
    D.register_forward_hook(lambda module, inputs, output: seen.append(inputs[0].detach().clone()))
    opt_d, opt_g = torch.optim.SGD(D.parameters(), lr=0.0), torch.optim.SGD(G.parameters(), lr=0.0)
    torch.manual_seed(0)
    out = dynamics.stabilised_step(G, D, real, z, opt_d, opt_g, config, noise_std=0.5, real_label=0.9)
    # D's three passes: noisy real, noisy fake, and the generator step's noisy fake; none equals its clean input
    assert len(seen) == 3
    with torch.no_grad():
        clean_fake = G(z)
    assert not torch.allclose(seen[0], real) and not torch.allclose(seen[2], clean_fake)
    # with lr 0 nothing moved: D's loss is BCE(D(real), 0.9) + BCE(D(fake), 0), recomputed from what D saw
    loss = gan.get_loss("bce_logits")
    with torch.no_grad():
        expected = loss(D(seen[0]), 0.9) + loss(D(seen[1]), 0.0)
    assert out["d_loss"].item() == pytest.approx(expected.item(), rel=1e-6)


def test_extra_discriminator_steps_take_fresh_batches_and_the_given_seeds():
    import gan

    G, D = _pair()
    batches, seeds = [], []

    def next_real():
        batches.append(gan.ring_of_gaussians(8, std=0.1))
        return batches[-1]

    def next_z(n):
        seeds.append(G.seeds(n))
        return seeds[-1]

    opt = torch.optim.SGD([*D.parameters(), *G.parameters()], lr=0.01)
    real = gan.ring_of_gaussians(8, std=0.1)
    real_before = real.clone()
    dynamics.stabilised_step(
        G,
        D,
        real,
        G.seeds(8),
        opt,
        opt,
        gan.TrainConfig(loss="bce_logits"),
        next_real=next_real,
        next_z=next_z,
        d_steps=4,
        r1=1.0,
    )
    assert len(batches) == 3 and len(seeds) == 3  # steps 2, 3 and 4
    assert torch.equal(real, real_before) and not real.requires_grad  # the caller's batch is untouched
