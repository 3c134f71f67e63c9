import pytest
import torch

import gan


def test_pattern_discriminator_returns_one_probability_per_pattern():
    out = gan.PatternDiscriminator()(torch.rand(7, 4))
    assert out.shape == (7, 1) and (out > 0).all() and (out < 1).all()


def test_pattern_generator_returns_patterns_in_unit_interval():
    out = gan.PatternGenerator()(torch.rand(5, 1))
    assert out.shape == (5, 4) and (out > 0).all() and (out < 1).all()


def test_pattern_generator_architecture_is_1_3_4():
    sizes = [(m.in_features, m.out_features) for m in gan.PatternGenerator().modules() if isinstance(m, torch.nn.Linear)]
    assert sizes == [(1, 3), (3, 4)]


@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 4, 1)])
def test_pattern_discriminator_rejects_wrong_shapes_with_the_expected_shape(shape):
    with pytest.raises(ValueError, match=r"must have shape \(N, 4\)"):
        gan.PatternDiscriminator()(torch.rand(shape))


def test_pattern_generator_rejects_wrong_latent_size():
    with pytest.raises(ValueError, match=r"PatternGenerator: input must have shape \(N, 1\), got \(3, 2\)"):
        gan.PatternGenerator()(torch.rand(3, 2))


def test_models_reject_integer_input():
    with pytest.raises(TypeError, match="float tensor"):
        gan.PatternDiscriminator()(torch.ones(2, 4, dtype=torch.long))


def test_models_reject_non_tensors():
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        gan.PatternDiscriminator()([[0.0, 1.0, 0.0, 1.0]])
