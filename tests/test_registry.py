"""One registry of models and one of recipes: a new model is a class pair and a recipe, and then everything works."""

import pytest
import torch
from torch import nn

import gan
from gan.__main__ import main


class TinyGenerator(nn.Module):
    """A throwaway generator: z (N, 8) -> 32 -> images (N, 1, 28, 28) in (-1, 1)."""

    def __init__(self, z_dim: int = 8, hidden: int = 32):
        super().__init__()
        self.z_dim = z_dim
        self.config = dict(z_dim=z_dim, hidden=hidden)
        self.net = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(), nn.Linear(hidden, 28 * 28), nn.Tanh())

    def forward(self, z):
        return self.net(z).view(-1, 1, 28, 28)


class TinyDiscriminator(nn.Module):
    """A throwaway discriminator: images -> 32 -> one logit."""

    def __init__(self, hidden: int = 32):
        super().__init__()
        self.config = dict(hidden=hidden)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


@pytest.fixture
def tiny():
    gan.models.register_model("tiny", TinyGenerator, TinyDiscriminator)
    recipe = gan.recipes.register(
        gan.recipes.Recipe(
            "tiny",
            "tiny",
            "a throwaway model for this test",
            config=dict(steps=4, batch_size=8, loss="bce_logits", lr_d=1e-3, lr_g=1e-3, log_every=2),
            generator=dict(hidden=16),
        )
    )
    yield recipe
    del gan.recipes.RECIPES["tiny"], gan.models.MODELS["tiny"]


def test_a_new_model_trains_and_samples_through_the_cli(tiny, tmp_path, mnist_root, monkeypatch, capsys):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    assert main(["recipes"]) == 0
    assert "tiny" in capsys.readouterr().out
    out, images = tmp_path / "tiny.pt", tmp_path / "s.pt"
    assert main(["train", "--recipe", "tiny", "--out", str(out)]) == 0  # the recipe's budget: 4 steps
    saved = gan.load_checkpoint(out)
    assert (
        saved["model"] == "tiny" and saved["recipe"] == "tiny" and saved["generator_config"] == dict(z_dim=8, hidden=16)
    )
    assert saved["train_config"]["steps_done"] == 4
    assert main(["sample", str(out), "--n", "5", "--out", str(images)]) == 0
    drawn = torch.load(images, weights_only=True)
    assert drawn.shape == (5, 1, 28, 28) and drawn.abs().max() <= 1
    assert isinstance(gan.load_generator(out), TinyGenerator)


def test_a_recipe_is_the_default_and_a_run_may_change_it(tiny):
    assert tiny.train_config().steps == 4 and tiny.train_config(steps=9).steps == 9
    G = tiny.build("generator")
    assert isinstance(G, TinyGenerator) and G.config == dict(z_dim=8, hidden=16)
    assert tiny.build("generator", hidden=4).config["hidden"] == 4


def test_registries_refuse_unknown_and_conflicting_names(tiny):
    with pytest.raises(ValueError, match="already registered with other classes"):
        gan.models.register_model("tiny", TinyGenerator, gan.MLPDiscriminator)
    with pytest.raises(ValueError, match="unknown model 'vae'; register it first"):
        gan.recipes.register(gan.recipes.Recipe("vae", "vae", "no such model", config=dict(steps=1)))
    with pytest.raises(ValueError, match="a different recipe is already called 'tiny'"):
        gan.recipes.register(gan.recipes.Recipe("tiny", "mlp", "another", config=dict(steps=1)))
    with pytest.raises(ValueError, match="Unknown recipe 'vae'; known recipes"):
        gan.recipes.get("vae")
    with pytest.raises(TypeError, match="must be an nn.Module class"):
        gan.models.register_model("bad", TinyGenerator, "not a class")
    with pytest.raises(ValueError, match="steps must be a positive int"):
        gan.recipes.register(gan.recipes.Recipe("broken", "mlp", "bad settings", config=dict(steps=0)))
    assert "broken" not in gan.recipes.RECIPES


def test_the_shipped_checkpoints_record_their_recipe():
    for name, recipe in (("mlp-gan", "mlp"), ("dcgan", "dcgan-refine")):
        saved = gan.load_checkpoint(gan.pretrained.path(name))
        assert saved["recipe"] == recipe
        expected = gan.recipes.get(recipe)
        built = expected.build("generator").config  # may name options added since, at their defaults
        assert saved["generator_config"] == {key: built[key] for key in saved["generator_config"]}
        for key in ("steps", "batch_size", "lr_d", "lr_g", "ema"):
            assert saved["train_config"][key] == expected.config[key], (name, key)
