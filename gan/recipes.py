"""Named recipes: a model family with its settings and budget, the one source of the package's defaults.

``train_mnist(name)``, the CLI (``python -m gan train --recipe NAME``), the benchmarks and the shipped
checkpoints (which record their recipe) take their settings from here; ``python -m gan recipes``
lists them. A recipe's ``config`` holds ``TrainConfig`` keyword arguments, its budget included; a run
may change any of them (``recipe.train_config(steps=500)``).
The ring recipes of chapter 7, each method with its authors' settings, are ``gan.toy.RECIPES``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from torch import nn

from .models import MODELS, build
from .training import TrainConfig
from .wasserstein import CONSTRAINTS


@dataclass(frozen=True)
class Recipe:
    """A model family (a name in ``gan.models.MODELS``), the two networks' options and the training settings."""

    name: str
    model: str
    summary: str
    config: dict  # TrainConfig keyword arguments, the budget (steps or seconds) included
    generator: dict = field(default_factory=dict)  # keyword arguments of the generator class
    discriminator: dict = field(default_factory=dict)  # keyword arguments of the discriminator class
    # the Wasserstein GAN's step (gan.wasserstein.wgan_step) and its options, e.g. dict(constraint="gp",
    # n_critic=5); empty: the GAN step (gan.train_step)
    wgan: dict = field(default_factory=dict)

    def train_config(self, **changes) -> TrainConfig:
        """Return the recipe's ``TrainConfig``, with ``changes`` (e.g. ``steps=500, seconds=None``) applied."""
        return TrainConfig(**{**self.config, **changes})

    def build(self, part: str = "generator", **changes) -> nn.Module:
        """Return a fresh generator or discriminator with the recipe's options (and ``changes``)."""
        return build(self.model, part, {**(self.generator if part == "generator" else self.discriminator), **changes})


RECIPES: dict[str, Recipe] = {}


def register(recipe: Recipe) -> Recipe:
    """Add ``recipe`` under its name (checked now: its model is registered and its settings are valid)."""
    if not isinstance(recipe, Recipe):
        raise TypeError(f"register: expected a gan.recipes.Recipe, got {type(recipe).__name__}.")
    if recipe.model not in MODELS:
        raise ValueError(
            f"recipe {recipe.name!r}: unknown model {recipe.model!r}; register it first with "
            f"gan.models.register_model (known: {sorted(MODELS)})."
        )
    recipe.train_config()  # TrainConfig checks the settings
    unknown = set(recipe.wgan) - {"constraint", "n_critic", "gp_weight", "clip"}
    if unknown or (recipe.wgan and recipe.wgan.get("constraint") not in CONSTRAINTS):
        raise ValueError(
            f"recipe {recipe.name!r}: wgan must name constraint 'gp' or 'clip' and may set n_critic, gp_weight "
            f"and clip (gan.wasserstein.wgan_step); got {recipe.wgan!r}."
        )
    if recipe.name in RECIPES and RECIPES[recipe.name] != recipe:
        raise ValueError(f"register: a different recipe is already called {recipe.name!r}; pick another name.")
    RECIPES[recipe.name] = recipe
    return recipe


def get(name: str) -> Recipe:
    """Return the recipe called ``name``."""
    if name not in RECIPES:
        raise ValueError(f"Unknown recipe {name!r}; known recipes: {names()} (python -m gan recipes).")
    return RECIPES[name]


def names() -> list[str]:
    """Return the names of the registered recipes."""
    return sorted(RECIPES)


# Every MNIST recipe: batches of 64, D returns logits, Adam with beta1 = 0.5, an averaged generator, and
# gan.fast's speed path (the plain step's computation up to float32 rounding). The budgets are the shipped runs'.
_MNIST = dict(batch_size=64, loss="bce_logits", betas=(0.5, 0.999), fast=True)

register(
    Recipe(
        "mlp",
        "mlp",
        "chapter 6's MLP GAN as shipped (mlp-gan): 30 epochs",
        config=dict(_MNIST, steps=28_110, lr_d=1e-3, lr_g=1e-3, ema=0.998, log_every=500),
    )
)
register(
    Recipe(
        "dcgan",
        "dcgan",
        "Radford et al.'s DCGAN for 28x28, chapter 9's rates (D 1e-3, G 2e-3): 10 epochs",
        config=dict(_MNIST, steps=9_370, lr_d=1e-3, lr_g=2e-3, ema=0.999, log_every=500),
    )
)
register(
    Recipe(
        "dcgan-refine",
        "dcgan",
        "the shipped DCGAN (dcgan): our 3x3 refine layers, rates decayed to 0 over 80 epochs",
        config=dict(
            _MNIST, steps=74_960, lr_d=1e-3, lr_g=2e-3, ema=0.999, lr_decay=True, precision="auto", log_every=2000
        ),
        generator=dict(refine=True, final_conv=True),
        discriminator=dict(refine=True),
    )
)
register(
    Recipe(
        "cgan",
        "cgan",
        "the conditional MLP GAN (cgan): the digit given to both networks, a projection D, 30 epochs",
        config=dict(_MNIST, steps=28_110, lr_d=5e-4, lr_g=1e-3, ema=0.998, log_every=500),
        discriminator=dict(conditioning="projection"),  # learns to check the label sooner (chapter 12's study)
    )
)

# The Wasserstein GAN's three ways to bound the critic's slope (chapter 13), on chapter 6's MLP networks, each
# with its authors' optimiser settings and no averaged generator (none of them used one); batches of 64.
# The budgets of wgan-clip and sngan are benchmarks/wasserstein_mnist.py's, 15,000 discriminator updates (five per
# generator update in a WGAN); wgan-gp's is the shipped generator's (gan.pretrained.load("wgan-gp")), 100,000.
_WGAN = dict(batch_size=64, loss="bce_logits", log_every=250)
register(
    Recipe(
        "wgan-clip",
        "mlp",
        "WGAN with weight clipping (Arjovsky et al.'s Algorithm 1: RMSProp 5e-5, clip 0.01, 5 critic steps)",
        config=dict(_WGAN, steps=3_000, optimizer="rmsprop", lr_d=5e-5, lr_g=5e-5),
        wgan=dict(constraint="clip", clip=0.01, n_critic=5),
    )
)
register(
    Recipe(
        "wgan-gp",
        "mlp",
        "WGAN-GP (Gulrajani et al.'s Algorithm 1: Adam 1e-4, betas (0, 0.9), penalty 10, 5 critic steps)",
        config=dict(_WGAN, steps=20_000, lr_d=1e-4, lr_g=1e-4, betas=(0.0, 0.9), log_every=1000),
        wgan=dict(constraint="gp", gp_weight=10.0, n_critic=5),
    )
)
register(
    Recipe(
        "sngan",
        "mlp",
        "SN-GAN: the GAN loss, D spectrally normalised (Miyato et al.'s setting C: Adam 2e-4, betas (0.5, 0.999))",
        config=dict(_WGAN, steps=15_000, lr_d=2e-4, lr_g=2e-4, betas=(0.5, 0.999)),
        discriminator=dict(spectral_norm=True),
    )
)
