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
    sizes = [
        (m.in_features, m.out_features) for m in gan.PatternGenerator().modules() if isinstance(m, torch.nn.Linear)
    ]
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


MNIST_PAIRS = [
    (gan.MLPGenerator, gan.MLPDiscriminator),
    (gan.DCGANGenerator, gan.DCGANDiscriminator),
]


@pytest.mark.parametrize("G_cls, D_cls", MNIST_PAIRS, ids=["mlp", "dcgan"])
def test_mnist_generators_output_images_in_tanh_range_and_discriminators_one_logit(G_cls, D_cls):
    torch.manual_seed(0)
    G, D = G_cls(), D_cls()
    images = G(torch.randn(6, 100))
    assert images.shape == (6, 1, 28, 28) and images.min() >= -1 and images.max() <= 1
    assert D(images).shape == (6, 1)


def test_sigmoid_output_generator_stays_in_unit_interval():
    images = gan.MLPGenerator(output="sigmoid")(torch.randn(4, 100))
    assert images.min() >= 0 and images.max() <= 1


@pytest.mark.parametrize("G_cls", [gan.MLPGenerator, gan.DCGANGenerator])
def test_mnist_generators_reject_a_wrong_latent_size(G_cls):
    with pytest.raises(ValueError, match=r"input must have shape \(N, 100\), got \(2, 10\)"):
        G_cls()(torch.randn(2, 10))


@pytest.mark.parametrize("D_cls", [gan.MLPDiscriminator, gan.DCGANDiscriminator])
def test_mnist_discriminators_reject_images_of_the_wrong_shape(D_cls):
    with pytest.raises(
        ValueError, match=r"input must have shape \(N, 1, 28, 28\), MNIST-sized images; got \(2, 1, 64, 64\)"
    ):
        D_cls()(torch.randn(2, 1, 64, 64))


def test_mnist_discriminators_reject_uint8_images_and_name_the_fix():
    with pytest.raises(TypeError, match="gan.to_float"):
        gan.MLPDiscriminator()(torch.zeros(2, 1, 28, 28, dtype=torch.uint8))


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"activation must be one of \['leaky_relu', 'relu', 'sigmoid'\]"):
        gan.MLPGenerator(activation="swish")


def test_dcgan_weights_start_from_normal_0_002():
    w = gan.DCGANDiscriminator().net[0].weight
    assert abs(w.mean().item()) < 0.005 and abs(w.std().item() - 0.02) < 0.003


def test_a_double_input_to_a_float_model_names_both_types():
    with pytest.raises(TypeError, match=r"input is torch.float64 but the model's weights are torch.float32"):
        gan.MLPDiscriminator()(torch.zeros(2, 1, 28, 28, dtype=torch.float64))


def test_mlp_options_build_the_tutorial_architectures_and_reject_two_norms():
    G = gan.MLPGenerator(
        z_dim=10, hidden=(128, 256), activation="relu", layer_norm=False, batch_norm=True, output="sigmoid"
    )
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in G.modules())
    images = G(torch.randn(5, 10))
    assert images.shape == (5, 1, 28, 28) and images.min() >= 0 and images.max() <= 1
    D = gan.MLPDiscriminator(hidden=(256, 256), dropout=0.3)
    assert sum(isinstance(m, torch.nn.Dropout) for m in D.modules()) == 2
    with pytest.raises(ValueError, match="at most one"):
        gan.MLPGenerator(layer_norm=True, batch_norm=True)
    with pytest.raises(ValueError, match="dropout"):
        gan.MLPDiscriminator(dropout=1.5)


def test_dcgan_ablation_options_remove_batchnorm_and_swap_the_activation():
    G = gan.DCGANGenerator(batch_norm=False)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in G.modules())
    assert all(m.bias is not None for m in G.modules() if isinstance(m, torch.nn.ConvTranspose2d))
    D = gan.DCGANDiscriminator(activation="relu", batch_norm=False)
    kinds = {type(m) for m in D.modules()}
    assert torch.nn.ReLU in kinds and torch.nn.LeakyReLU not in kinds and torch.nn.BatchNorm2d not in kinds
    assert D(G(torch.randn(3, 100))).shape == (3, 1)
    assert G.config == dict(z_dim=100, width=64, batch_norm=False, final_conv=False, refine=False)
    assert D.config == dict(width=64, activation="relu", batch_norm=False, refine=False)
    with pytest.raises(ValueError, match=r"DCGANDiscriminator: activation must be one of"):
        gan.DCGANDiscriminator(activation="tanh")


def test_dcgan_generator_ends_in_a_stride_1_convolution_when_asked_and_is_radfords_by_default():
    torch.manual_seed(0)
    G = gan.DCGANGenerator(width=8, final_conv=True)
    last = [m for m in G.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))][-1]
    assert type(last) is torch.nn.Conv2d and last.stride == (1, 1) and last.in_channels == 4
    plain = gan.DCGANGenerator(width=8)
    convs = [m for m in plain.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    assert all(isinstance(m, torch.nn.ConvTranspose2d) for m in convs) and len(convs) == 3
    for model in (G, plain):
        images = model(torch.randn(2, 100))
        assert images.shape == (2, 1, 28, 28) and images.abs().max() <= 1
    with pytest.raises(ValueError, match="width must be at least 2"):
        gan.DCGANGenerator(width=1)


def conv_sizes(model, images):
    """Return (kind, stride, input size, output size) of each convolution of ``model`` on ``images``."""
    seen = []
    hooks = [
        m.register_forward_hook(
            lambda m, i, o: seen.append((type(m).__name__, m.stride[0], i[0].shape[-1], o.shape[-1]))
        )
        for m in model.modules()
        if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))
    ]
    model(images)
    for h in hooks:
        h.remove()
    return seen


def test_refine_adds_one_same_size_3x3_convolution_at_7x7_and_at_14x14_in_both_networks():
    torch.manual_seed(0)
    G, D = gan.DCGANGenerator(width=8, refine=True), gan.DCGANDiscriminator(width=8, refine=True)
    plain_G, plain_D = gan.DCGANGenerator(width=8), gan.DCGANDiscriminator(width=8)
    z, x = torch.randn(2, 100), torch.randn(2, 1, 28, 28)
    for refined, plain, inputs in ((G, plain_G, z), (D, plain_D, x)):
        plain_convs = conv_sizes(plain, inputs)
        extra = [c for c in conv_sizes(refined, inputs) if c not in plain_convs]
        assert sorted(extra) == [("Conv2d", 1, 7, 7), ("Conv2d", 1, 14, 14)], extra
        assert all(
            m.kernel_size == (3, 3)
            for m in refined.modules()
            if isinstance(m, torch.nn.Conv2d) and m.stride == (1, 1) and m.out_channels > 1
        )
    assert G(z).shape == plain_G(z).shape == (2, 1, 28, 28)
    assert D(x).shape == plain_D(x).shape == (2, 1)
    n_bn = lambda m: sum(isinstance(k, torch.nn.BatchNorm2d) for k in m.modules())
    assert n_bn(G) == n_bn(plain_G) + 2 and n_bn(D) == n_bn(plain_D) + 2
