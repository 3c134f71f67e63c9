"""The conditional GAN: the digit given to both networks, trained by the one loop, sampled by digit."""

import pytest
import torch

import gan
from gan.__main__ import main


def test_the_networks_take_a_digit_and_it_changes_what_they_compute():
    gan.seed_everything(0)
    G = gan.ConditionalMLPGenerator().eval()
    z = torch.randn(4, 100)
    sevens, ones = G(z, torch.full((4,), 7)), G(z, torch.ones(4, dtype=torch.long))
    assert sevens.shape == (4, 1, 28, 28) and sevens.abs().max() <= 1
    assert not torch.allclose(sevens, ones)
    for conditioning in ("concat", "projection"):
        D = gan.ConditionalMLPDiscriminator(conditioning=conditioning)
        logits = D(sevens, torch.full((4,), 7))
        assert logits.shape == (4, 1)
        assert not torch.allclose(logits, D(sevens, torch.ones(4, dtype=torch.long)))


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (torch.tensor([1.0, 2.0]), "labels must be integers of dtype torch.long"),
        (torch.tensor([1, 2], dtype=torch.int32), "labels must be integers of dtype torch.long"),
        (torch.tensor([1, 2, 3]), "labels must have shape (2,)"),
        (torch.tensor([3, 10]), "labels must lie in 0..9"),
        ([1, 2], "labels must be a torch.Tensor"),
    ],
)
def test_bad_labels_get_a_clear_error(labels, message):
    with pytest.raises((TypeError, ValueError), match=message.replace("(", r"\(").replace(")", r"\)")):
        gan.ConditionalMLPGenerator()(torch.randn(2, 100), labels)


def test_the_projection_discriminator_adds_the_embedding_times_the_features():
    gan.seed_everything(0)
    D = gan.ConditionalMLPDiscriminator(conditioning="projection")
    x, y = torch.rand(3, 1, 28, 28) * 2 - 1, torch.tensor([0, 4, 9])
    features = D.body(x.flatten(1))
    expected = D.head(features) + (D.embed(y) * features).sum(1, keepdim=True)
    assert torch.allclose(D(x, y), expected)
    with pytest.raises(ValueError, match="conditioning must be 'concat' or 'projection'"):
        gan.ConditionalMLPDiscriminator(conditioning="sum")


def test_sample_draws_the_digits_asked_for_in_turn_by_default():
    assert gan.conditional.digits(None, 12).tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert gan.conditional.digits(7, 3).tolist() == [7, 7, 7]
    with pytest.raises(ValueError, match="digit must be between 0 and 9"):
        gan.conditional.digits(12, 3)
    assert gan.conditional.digits(torch.tensor(4), 2).tolist() == [4, 4]  # a 0-d tensor is one digit
    with pytest.raises(TypeError, match="labels must be integer class indices"):
        gan.conditional.digits([1.5, 2.0], 2)
    assert not gan.conditional.is_conditional(gan.MLPGenerator())
    G = gan.ConditionalMLPGenerator()
    z = torch.randn(5, 100, generator=torch.Generator().manual_seed(3))
    G.eval()
    assert torch.equal(gan.sample(G, 5, seed=3, labels=2), G(z, torch.full((5,), 2)))
    with pytest.raises(ValueError, match="is not conditional, so it takes no labels"):
        gan.sample(gan.MLPGenerator(), 5, labels=2)


def test_train_mnist_trains_the_conditional_recipe_on_images_with_their_labels(mnist_root, monkeypatch):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    data = gan.load_mnist(train=True)
    small = gan.MNIST(data.images[:640], data.labels[:640])
    for fast in (False, True):
        config = gan.recipes.get("cgan").train_config(steps=6, log_every=3, ema=None, fast=fast)
        seen = []
        result = gan.train_mnist("cgan", config, data=small, seed=0, callback=lambda step, G, D: seen.append(step))
        assert isinstance(result.generator, gan.ConditionalMLPGenerator) and seen == [3, 6]
        assert list(result.history.columns) == ["step", "d_loss", "g_loss", "d_real", "d_fake", "seconds"]
        assert result.history[["d_loss", "g_loss"]].notna().all().all()


def test_the_conditional_step_is_the_plain_step_with_the_digit_passed_on():
    """With a discriminator that ignores the digit, one conditional step moves the weights as train_step does."""

    class Ignoring(gan.ConditionalMLPGenerator):
        def forward(self, z, labels):
            return super().forward(z, torch.zeros_like(labels))

    class DIgnoring(gan.ConditionalMLPDiscriminator):
        def forward(self, x, labels):
            return super().forward(x, torch.zeros_like(labels))

    gan.seed_everything(0)
    G, D = Ignoring(), DIgnoring()
    G2, D2 = Ignoring(), DIgnoring()
    G2.load_state_dict(G.state_dict()), D2.load_state_dict(D.state_dict())
    real, z = torch.rand(8, 1, 28, 28) * 2 - 1, torch.randn(8, 100)
    labels = torch.arange(8)
    config = gan.TrainConfig(steps=1, loss="bce_logits", betas=(0.5, 0.999))
    opts = [gan.training.make_optimizer(m.parameters(), config, 1e-3) for m in (D, G, D2, G2)]
    gan.conditional.conditional_step(G, D, (real, labels), z, opts[0], opts[1], config)

    class Plain(torch.nn.Module):  # the same networks called without a digit
        def __init__(self, net, z_dim=None):
            super().__init__()
            self.net, self.z_dim = net, z_dim

        def forward(self, x):
            return self.net(x, torch.zeros(len(x), dtype=torch.long))

    gan.train_step(Plain(G2, 100), Plain(D2), real, z, opts[2], opts[3], config)
    for a, b in zip([*G.parameters(), *D.parameters()], [*G2.parameters(), *D2.parameters()]):
        assert torch.allclose(a, b, atol=1e-7)


def test_sample_a_digit_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "sevens.pt"
    assert main(["sample", "cgan", "--digit", "7", "--n", "64", "--out", str(out)]) == 0
    sevens = torch.load(out, weights_only=True)
    assert sevens.shape == (64, 1, 28, 28)
    assert "of the digit 7" in capsys.readouterr().out
    predicted = gan.metrics.classify(sevens)[0].argmax(1)
    assert (predicted == 7).float().mean() >= 0.9
    assert main(["sample", "mlp-gan", "--digit", "7", "--n", "4", "--out", str(tmp_path / "x.pt")]) == 2
    assert "is not one" in capsys.readouterr().err
    assert main(["sample", "cgan", "--digit", "10", "--n", "4", "--out", str(tmp_path / "x.pt")]) == 2


def test_the_shipped_conditional_generator_draws_the_digit_asked_for():
    G = gan.pretrained.load("cgan")
    assert isinstance(G, gan.ConditionalMLPGenerator)
    images = gan.sample(G, 2000, seed=1)  # 200 of each digit, in turn
    predicted = gan.metrics.classify(images)[0].argmax(1)
    assert (predicted == torch.arange(2000) % 10).float().mean() >= 0.98


def test_the_projection_embedding_can_start_as_in_miyato_and_koyamas_code():
    gan.seed_everything(0)
    default = gan.ConditionalMLPDiscriminator(conditioning="projection")
    xavier = gan.ConditionalMLPDiscriminator(conditioning="projection", embedding_init="xavier")
    assert 0.9 < default.embed.weight.std() < 1.1  # nn.Embedding's standard normal
    assert 0.07 < xavier.embed.weight.std() < 0.1  # Glorot uniform over (10, 256): about 0.087
    assert xavier.config["embedding_init"] == "xavier" and "embedding_init" not in default.config
    with pytest.raises(ValueError, match="embedding_init must be 'normal' or 'xavier'"):
        gan.ConditionalMLPDiscriminator(embedding_init="zeros")
