import math

import pytest
import torch

import gan
from gan.latent import latents, lerp, path, slerp, to_typical_norm


def _generator(z_dim=100):
    torch.manual_seed(0)
    return gan.MLPGenerator(z_dim=z_dim).eval()


@pytest.mark.parametrize("n, seed", [(1, 0), (16, 3), (64, 0)])
def test_latents_are_exactly_the_seeds_gan_sample_uses(n, seed):
    G = _generator()
    with torch.no_grad():
        assert torch.equal(G(latents(n, seed, G.z_dim)), gan.sample(G, n, seed=seed))


def test_latents_follow_the_generator_z_dim():
    G = _generator(z_dim=16)
    z = latents(8, 5, z_dim=G.z_dim)
    assert z.shape == (8, 16)
    with torch.no_grad():
        assert torch.equal(G(z), gan.sample(G, 8, seed=5))


def test_latents_repeat_under_a_seed_and_differ_across_seeds():
    assert torch.equal(latents(4, 7), latents(4, 7))
    assert not torch.equal(latents(4, 7), latents(4, 8))


def test_latents_are_float32_on_the_cpu_and_standard_normal():
    z = latents(2000, 0)
    assert z.dtype == torch.float32 and z.device.type == "cpu"
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01


def test_a_seed_row_depends_on_how_many_are_drawn():
    # The chapter's warning: get a seed back by repeating the same call, with the same n.
    assert not torch.equal(latents(1, 0)[0], latents(64, 0)[0])


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        (dict(n=0, seed=0), ValueError, "n"),
        (dict(n=2.0, seed=0), ValueError, "n"),
        (dict(n=True, seed=0), ValueError, "n"),
        (dict(n=2, seed=None), TypeError, "seed"),
        (dict(n=2, seed=1.5), TypeError, "seed"),
        (dict(n=2, seed=0, z_dim=0), ValueError, "z_dim"),
    ],
)
def test_latents_reject_bad_arguments_by_name(kwargs, error, name):
    with pytest.raises(error, match=f"latents: {name} must be"):
        latents(**kwargs)


@pytest.mark.parametrize("interpolate", [lerp, slerp])
def test_interpolation_starts_at_a_and_ends_at_b(interpolate):
    a, b = latents(2, 0)
    assert torch.allclose(interpolate(a, b, 0.0), a, atol=1e-6)
    assert torch.allclose(interpolate(a, b, 1.0), b, atol=1e-5)


def test_lerp_midpoint_is_the_average():
    a, b = latents(2, 0)
    assert torch.allclose(lerp(a, b, 0.5), (a + b) / 2)


def test_lerp_midpoint_of_two_seeds_is_about_sqrt_half_z_dim_long():
    pairs = latents(4000, 1).view(2000, 2, 100)
    norms = lerp(pairs[:, 0], pairs[:, 1], 0.5).norm(dim=1)
    assert abs(norms.mean() - math.sqrt(50)) < 0.1


def test_slerp_keeps_the_norm_of_equal_length_vectors():
    a, b = to_typical_norm(latents(2, 0))
    norms = torch.stack([slerp(a, b, t).norm() for t in torch.linspace(0, 1, 11).tolist()])
    assert torch.allclose(norms, torch.full_like(norms, 10.0), atol=1e-4)


def test_slerp_turns_at_a_constant_rate():
    a, b = to_typical_norm(latents(2, 0))
    omega = torch.arccos(torch.dot(a, b) / 100)
    for t in (0.25, 0.5, 0.75):
        cos = torch.dot(a, slerp(a, b, t)) / 100
        assert torch.isclose(torch.arccos(cos.clamp(-1, 1)), t * omega, atol=1e-3)


def test_slerp_outside_zero_one_continues_the_arc():
    a, b = to_typical_norm(latents(2, 0))
    omega = torch.arccos(torch.dot(a, b) / 100)
    beyond_a = slerp(a, b, -0.5)
    assert torch.isclose(beyond_a.norm(), torch.tensor(10.0), atol=1e-4)
    assert torch.isclose(torch.arccos((torch.dot(beyond_a, b) / 100).clamp(-1, 1)), 1.5 * omega, atol=1e-3)


def test_slerp_and_lerp_midpoints_point_the_same_way():
    a, b = latents(2, 0)
    cos = torch.nn.functional.cosine_similarity(slerp(a, b, 0.5), lerp(a, b, 0.5), dim=0)
    assert cos > 1 - 1e-6


def test_slerp_works_on_batches_row_by_row():
    a, b = latents(3, 0), latents(3, 1)
    batch = slerp(a, b, 0.3)
    assert batch.shape == (3, 100)
    for i in range(3):
        assert torch.allclose(batch[i], slerp(a[i], b[i], 0.3), atol=1e-5)


def test_slerp_falls_back_to_lerp_for_parallel_and_opposite_vectors():
    a = latents(1, 0)[0]
    assert torch.allclose(slerp(a, 2 * a, 0.5), 1.5 * a, atol=1e-5)
    assert torch.allclose(slerp(a, -a, 0.5), torch.zeros_like(a), atol=1e-5)
    assert torch.isfinite(slerp(a, a, 0.5)).all()


def test_slerp_refuses_a_zero_vector():
    with pytest.raises(ValueError, match="zero vector"):
        slerp(torch.zeros(100), latents(1, 0)[0], 0.5)


@pytest.mark.parametrize("interpolate", [lerp, slerp])
def test_interpolation_rejects_mismatched_or_non_tensor_input(interpolate):
    a = latents(1, 0)[0]
    with pytest.raises(ValueError, match="same shape"):
        interpolate(a, torch.zeros(50), 0.5)
    with pytest.raises(TypeError, match="torch.Tensor"):
        interpolate(a, a.tolist(), 0.5)
    with pytest.raises(TypeError, match="float tensor"):
        interpolate(a.long(), a.long(), 0.5)
    with pytest.raises(TypeError, match="t must be a finite number"):
        interpolate(a, a, float("nan"))


@pytest.mark.parametrize("method", ["lerp", "slerp"])
def test_path_has_steps_points_from_a_to_b(method):
    a, b = latents(2, 0)
    points = path(a, b, steps=12, method=method)
    assert points.shape == (12, 100)
    assert torch.equal(points[0], a) and torch.allclose(points[-1], b, atol=1e-5)


def test_path_is_evenly_spaced_in_t():
    a, b = latents(2, 0)
    points = path(a, b, steps=5, method="lerp")
    assert torch.allclose(points[2], lerp(a, b, 0.5))


def test_path_rejects_bad_arguments():
    a, b = latents(2, 0)
    with pytest.raises(ValueError, match="method must be one of"):
        path(a, b, method="cubic")
    with pytest.raises(ValueError, match="steps must be an int >= 2"):
        path(a, b, steps=1)
    with pytest.raises(ValueError, match="single latent vectors"):
        path(latents(2, 0), latents(2, 1))


def test_to_typical_norm_rescales_to_sqrt_z_dim_and_keeps_direction():
    z = latents(5, 0, z_dim=64) * torch.tensor([[0.1], [0.5], [1.0], [2.0], [7.0]])
    typical = to_typical_norm(z)
    assert torch.allclose(typical.norm(dim=1), torch.full((5,), 8.0), atol=1e-5)
    assert torch.allclose(torch.nn.functional.cosine_similarity(typical, z, dim=1), torch.ones(5), atol=1e-6)


def test_to_typical_norm_refuses_a_zero_vector():
    with pytest.raises(ValueError, match="zero vector"):
        to_typical_norm(torch.zeros(3, 100))
