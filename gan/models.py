"""The networks. Each ``__init__`` reads like the architecture table in its chapter."""

from __future__ import annotations

import torch
from torch import nn

from .data import CLASSES


class PatternDiscriminator(nn.Module):
    """Chapter 3's police: 4 -> 3 -> 1 with sigmoids; returns the probability (N, 1) that a pattern is real."""

    batch_independent = True  # each pattern is judged on its own, so gan.fast may judge a batch in one pass

    def __init__(self, hidden: int = 3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(4, hidden),
            nn.Sigmoid(),
            nn.Linear(hidden, 1),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_features(self, x, 4)
        return self.net(x)


class PatternGenerator(nn.Module):
    """Chapter 3's counterfeiter: z_dim -> 3 -> 4 with sigmoids; returns patterns (N, 4) in (0, 1)."""

    def __init__(self, z_dim: int = 1, hidden: int = 3):
        super().__init__()
        self.z_dim = z_dim
        self.net = nn.Sequential(
            nn.Linear(z_dim, hidden),
            nn.Sigmoid(),
            nn.Linear(hidden, 4),
            nn.Sigmoid(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        _check_features(self, z, self.z_dim)
        return self.net(z)


def _check_features(model: nn.Module, x: torch.Tensor, features: int) -> None:
    """Raise a readable error when ``x`` is not a float batch of shape (N, features)."""
    name = type(model).__name__
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: input must be a torch.Tensor, got {type(x).__name__}.")
    if x.dim() != 2 or x.shape[1] != features:
        raise ValueError(f"{name}: input must have shape (N, {features}), got {tuple(x.shape)}.")
    if not x.is_floating_point():
        raise TypeError(f"{name}: input must be a float tensor, got dtype {x.dtype}; call .float() first.")
    _check_dtype(model, x)


ACTIVATIONS = {
    "sigmoid": nn.Sigmoid,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
}


def _mlp(
    sizes: list[int], activation: str, layer_norm: bool, batch_norm: bool = False, dropout: float = 0.0
) -> list[nn.Module]:
    """Return Linear (+ LayerNorm or BatchNorm) + activation (+ Dropout) blocks for consecutive ``sizes``."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}.")
    if layer_norm and batch_norm:
        raise ValueError("layer_norm and batch_norm are alternatives; set at most one of them.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}.")
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers.append(nn.Linear(n_in, n_out))
        if layer_norm:
            layers.append(nn.LayerNorm(n_out))
        if batch_norm:
            layers.append(nn.BatchNorm1d(n_out))
        layers.append(ACTIVATIONS[activation]())
        if dropout:
            layers.append(nn.Dropout(dropout))
    return layers


class MLPGenerator(nn.Module):
    """MNIST generator: z (N, z_dim) -> hidden layers -> images (N, 1, 28, 28) in [-1, 1] (tanh) or [0, 1] (sigmoid)."""

    def __init__(
        self,
        z_dim: int = 100,
        hidden: tuple[int, ...] = (256, 512),
        activation: str = "leaky_relu",
        layer_norm: bool = True,
        output: str = "tanh",
        batch_norm: bool = False,
        dropout: float = 0.0,
    ):
        super().__init__()
        if output not in ("tanh", "sigmoid"):
            raise ValueError(f"MLPGenerator: output must be 'tanh' or 'sigmoid', got {output!r}.")
        self.z_dim = z_dim
        self.config = dict(
            z_dim=z_dim,
            hidden=list(hidden),
            activation=activation,
            layer_norm=layer_norm,
            output=output,
            batch_norm=batch_norm,
            dropout=dropout,
        )
        self.net = nn.Sequential(
            *_mlp([z_dim, *hidden], activation, layer_norm, batch_norm, dropout),
            nn.Linear(hidden[-1], 28 * 28),
            nn.Tanh() if output == "tanh" else nn.Sigmoid(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        _check_features(self, z, self.z_dim)
        return self.net(z).view(-1, 1, 28, 28)


class MLPDiscriminator(nn.Module):
    """MNIST discriminator: images (N, 1, 28, 28) -> hidden layers -> one logit (N, 1), or a probability with ``output='sigmoid'``."""

    def __init__(
        self,
        hidden: tuple[int, ...] = (512, 256),
        activation: str = "leaky_relu",
        layer_norm: bool = False,
        output: str = "logits",
        batch_norm: bool = False,
        dropout: float = 0.0,
        spectral_norm: bool = False,
    ):
        super().__init__()
        if output not in ("logits", "sigmoid"):
            raise ValueError(f"MLPDiscriminator: output must be 'logits' or 'sigmoid', got {output!r}.")
        self.config = dict(
            hidden=list(hidden),
            activation=activation,
            layer_norm=layer_norm,
            output=output,
            batch_norm=batch_norm,
            dropout=dropout,
            **({"spectral_norm": True} if spectral_norm else {}),  # older checkpoints' configs stay valid
        )
        # BatchNorm mixes the images of a batch, and dropout draws one mask per pass (see gan.fast.judge);
        # spectral normalisation runs one power-iteration step per pass, so one pass is not two either
        self.batch_independent = not batch_norm and dropout == 0 and not spectral_norm
        self.net = nn.Sequential(
            nn.Flatten(),
            *_mlp([28 * 28, *hidden], activation, layer_norm, batch_norm, dropout),
            nn.Linear(hidden[-1], 1),
            *([nn.Sigmoid()] if output == "sigmoid" else []),
        )
        if spectral_norm:  # Miyato et al. (2018): every linear layer divided by its largest singular value
            from .wasserstein import spectral_normalise

            spectral_normalise(self.net)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, model=self)
        return self.net(x)


def check_labels(model: nn.Module, labels: torch.Tensor, n: int, classes: int) -> None:
    """Raise a readable error unless ``labels`` is an integer tensor of ``n`` class indices in [0, classes)."""
    name = type(model).__name__
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"{name}: labels must be a torch.Tensor of class indices, got {type(labels).__name__}.")
    if labels.dim() != 1 or len(labels) != n:
        raise ValueError(f"{name}: labels must have shape ({n},), one class per image, got {tuple(labels.shape)}.")
    if labels.dtype != torch.long:
        raise TypeError(f"{name}: labels must be integers of dtype torch.long, got {labels.dtype}; call .long() first.")
    # The range is checked on the CPU only: on a GPU reading min and max would wait for the device at every
    # call (the batches' labels are checked once, where they enter: gan.data.LabelledBatches, gan.sample).
    if n and labels.device.type == "cpu" and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"{name}: labels must lie in 0..{classes - 1}, got values from {labels.min().item()} to {labels.max().item()}."
        )


class ConditionalMLPGenerator(nn.Module):
    """Conditional MNIST generator (Mirza & Osindero 2014): z (N, z_dim) and digits (N,) -> images (N, 1, 28, 28).

    The digit enters as a one-hot vector appended to z; the rest is the MLP generator (tanh output, in [-1, 1]).
    """

    conditional = True  # takes (z, labels): gan.sample, gan.train_mnist and the CLI pass the digits

    def __init__(
        self,
        z_dim: int = 100,
        classes: int = 10,
        hidden: tuple[int, ...] = (256, 512),
        activation: str = "leaky_relu",
        batch_norm: bool = True,
    ):
        super().__init__()
        self.z_dim, self.classes = z_dim, classes
        self.config = dict(
            z_dim=z_dim, classes=classes, hidden=list(hidden), activation=activation, batch_norm=batch_norm
        )
        self.net = nn.Sequential(
            *_mlp([z_dim + classes, *hidden], activation, layer_norm=False, batch_norm=batch_norm),
            nn.Linear(hidden[-1], 28 * 28),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        _check_features(self, z, self.z_dim)
        check_labels(self, labels, len(z), self.classes)
        one_hot = nn.functional.one_hot(labels, self.classes).to(z.dtype)
        return self.net(torch.cat([z, one_hot], dim=1)).view(-1, 1, 28, 28)


class ConditionalMLPDiscriminator(nn.Module):
    """Conditional MNIST discriminator: images (N, 1, 28, 28) and digits (N,) -> one logit (N, 1).

    ``conditioning="concat"`` appends the one-hot digit to the pixels (Mirza & Osindero 2014);
    ``conditioning="projection"`` adds the inner product of a learned embedding of the digit with the
    last hidden features to an unconditional logit (Miyato & Koyama 2018); the "cgan" recipe uses the
    projection (chapter 12's study: the generator obeyed the label much sooner with it). The embedding
    starts as PyTorch's ``nn.Embedding`` does, standard normal (``embedding_init="normal"``), or as in
    Miyato & Koyama's code, Glorot (Xavier) uniform (``"xavier"``, entries about 11 times smaller here).
    """

    conditional = True

    def __init__(
        self,
        classes: int = 10,
        hidden: tuple[int, ...] = (512, 256),
        activation: str = "leaky_relu",
        conditioning: str = "concat",
        embedding_init: str = "normal",
    ):
        super().__init__()
        if embedding_init not in ("normal", "xavier"):
            raise ValueError(
                f"ConditionalMLPDiscriminator: embedding_init must be 'normal' or 'xavier', got {embedding_init!r}."
            )
        if conditioning not in ("concat", "projection"):
            raise ValueError(
                f"ConditionalMLPDiscriminator: conditioning must be 'concat' or 'projection', got {conditioning!r}."
            )
        self.classes, self.conditioning = classes, conditioning
        self.config = dict(classes=classes, hidden=list(hidden), activation=activation, conditioning=conditioning)
        if embedding_init != "normal":
            self.config["embedding_init"] = embedding_init
        self.batch_independent = True  # no BatchNorm, no dropout: each image's verdict depends on it alone
        inputs = 28 * 28 + (classes if conditioning == "concat" else 0)
        self.body = nn.Sequential(*_mlp([inputs, *hidden], activation, layer_norm=False))
        self.head = nn.Linear(hidden[-1], 1)
        self.embed = nn.Embedding(classes, hidden[-1]) if conditioning == "projection" else None
        if self.embed is not None and embedding_init == "xavier":
            nn.init.xavier_uniform_(self.embed.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        check_images(x, model=self)
        check_labels(self, labels, len(x), self.classes)
        pixels = x.flatten(1)
        if self.embed is None:  # concat: the digit is part of the input
            return self.head(self.body(torch.cat([pixels, nn.functional.one_hot(labels, self.classes).to(x.dtype)], 1)))
        features = self.body(pixels)  # projection: logit = head(features) + <embed(digit), features>
        return self.head(features) + (self.embed(labels) * features).sum(dim=1, keepdim=True)


class DCGANGenerator(nn.Module):
    """DCGAN for 28x28 (Radford et al.): z -> 7x7 -> 14x14 -> 28x28 by transposed convolutions; images in [-1, 1].

    By default these are Radford et al.'s layers. Two additions of ours are options (the shipped DCGAN
    uses both; they triple a training step's arithmetic): ``refine=True`` adds a 3x3 convolution of
    stride 1 after the 7x7 and after the 14x14 stage, a layer that keeps the size, so each scale gets
    two layers of drawing instead of one; and ``final_conv=True`` makes the last transposed convolution
    draw ``width // 2`` feature maps at 28x28, from which a 3x3 convolution draws the image (the plain
    ending lets the transposed convolution draw the image itself).
    ``batch_norm=False`` drops the BatchNorm layers (chapter 9, exercise 5; the convolutions then get biases).
    """

    def __init__(
        self, z_dim: int = 100, width: int = 64, batch_norm: bool = True, final_conv: bool = False, refine: bool = False
    ):
        super().__init__()
        if width < 2:
            raise ValueError(f"DCGANGenerator: width must be at least 2, got {width!r}.")
        self.z_dim = z_dim
        self.config = dict(z_dim=z_dim, width=width, batch_norm=batch_norm, final_conv=final_conv, refine=refine)

        def norm(channels):
            return [nn.BatchNorm2d(channels)] if batch_norm else []

        def refined(channels):  # a 3x3 convolution of stride 1: same size, one more layer
            if not refine:
                return []
            return [nn.Conv2d(channels, channels, 3, 1, 1, bias=not batch_norm), *norm(channels), nn.ReLU()]

        if final_conv:
            ending = [
                nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=not batch_norm),  # 14x14 -> 28x28
                *norm(width // 2),
                nn.ReLU(),
                nn.Conv2d(width // 2, 1, 3, 1, 1),  # 28x28 -> 28x28: the image, from width // 2 feature maps
            ]
        else:
            ending = [nn.ConvTranspose2d(width, 1, 4, 2, 1)]  # 14x14 -> 28x28
        self.net = nn.Sequential(
            nn.Unflatten(1, (z_dim, 1, 1)),
            nn.ConvTranspose2d(z_dim, 2 * width, 7, 1, 0, bias=not batch_norm),  # 1x1 -> 7x7
            *norm(2 * width),
            nn.ReLU(),
            *refined(2 * width),  # 7x7 -> 7x7
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=not batch_norm),  # 7x7 -> 14x14
            *norm(width),
            nn.ReLU(),
            *refined(width),  # 14x14 -> 14x14
            *ending,
            nn.Tanh(),
        )
        init_dcgan_weights(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        _check_features(self, z, self.z_dim)
        return self.net(z)


class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator for 28x28: strided convolutions 28 -> 14 -> 7, LeakyReLU, one logit (N, 1).

    Like the generator's option, ``refine=True`` adds a 3x3 convolution of stride 1 at 14x14 and at 7x7.
    ``activation="relu"`` swaps LeakyReLU for ReLU (chapter 9, exercise 5).
    """

    def __init__(self, width: int = 64, activation: str = "leaky_relu", batch_norm: bool = True, refine: bool = False):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"DCGANDiscriminator: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}."
            )
        self.config = dict(width=width, activation=activation, batch_norm=batch_norm, refine=refine)
        self.batch_independent = not batch_norm  # BatchNorm mixes the images of a batch (see gan.fast.judge)

        def layer(c_in, c_out, kernel, stride, padding):  # convolution, BatchNorm, activation
            return [
                nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=not batch_norm),
                *([nn.BatchNorm2d(c_out)] if batch_norm else []),
                ACTIVATIONS[activation](),
            ]

        def refined(channels):  # a 3x3 convolution of stride 1: same size, one more layer
            return layer(channels, channels, 3, 1, 1) if refine else []

        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, 2, 1),  # 28 -> 14 (no BatchNorm on the input layer)
            ACTIVATIONS[activation](),
            *refined(width),  # 14 -> 14
            *layer(width, 2 * width, 4, 2, 1),  # 14 -> 7
            *refined(2 * width),  # 7 -> 7
            nn.Conv2d(2 * width, 1, 7, 1, 0),  # 7 -> 1
            nn.Flatten(),
        )
        init_dcgan_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, model=self)
        return self.net(x)


def init_dcgan_weights(model: nn.Module) -> None:
    """Initialise convolutions from N(0, 0.02) and BatchNorm scales from N(1, 0.02), as Radford et al. do."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def check_images(x: torch.Tensor, model: nn.Module | None = None, name: str = "images", values: bool = False) -> None:
    """Raise a readable error unless ``x`` is a float batch of MNIST-sized images (N, 1, 28, 28).

    With ``model`` (a network about to read ``x``) the error names the network, and ``x``'s float type
    must match its weights. With ``values=True`` the values are checked too (what the metrics need):
    a non-empty batch, finite, in [-1, 1], and not [0, 1] images by mistake.
    """
    who = f"{type(model).__name__}: input" if model is not None else name
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{who} must be a torch.Tensor of shape (N, 1, 28, 28), got {type(x).__name__}.")
    if x.dim() != 4 or tuple(x.shape[1:]) != (1, 28, 28):
        raise ValueError(f"{who} must have shape (N, 1, 28, 28), MNIST-sized images; got {tuple(x.shape)}.")
    if not x.is_floating_point():
        raise TypeError(f"{who} must be float in [-1, 1], got dtype {x.dtype}; uint8 data: use gan.to_float().")
    if model is not None:
        _check_dtype(model, x)
    if not values:
        return
    if len(x) == 0:
        raise ValueError(f"{who} is empty.")
    if not torch.isfinite(x).all():
        raise ValueError(f"{who} contain NaN or infinite values; check the generator that made them.")
    lo, hi = x.min().item(), x.max().item()
    if lo < -1.001 or hi > 1.001:
        raise ValueError(f"{who} must lie in [-1, 1], got values in [{lo:.3g}, {hi:.3g}].")
    if lo >= 0.0:
        raise ValueError(
            f"{who} lie in [{lo:.3g}, {hi:.3g}]: they look like [0, 1] images (a sigmoid generator?), but the "
            "metrics expect [-1, 1], where the background is -1. Pass images * 2 - 1."
        )


def _check_dtype(model: nn.Module, x: torch.Tensor) -> None:
    """Raise a readable error when ``x``'s float type differs from the model's weights (outside autocast)."""
    weight = next(model.parameters(), None)
    if weight is not None and x.dtype != weight.dtype and not torch.is_autocast_enabled(x.device.type):
        raise TypeError(
            f"{type(model).__name__}: input is {x.dtype} but the model's weights are {weight.dtype}; "
            f"convert one to match, e.g. x.to({weight.dtype})."
        )


# --- the semi-supervised GAN's discriminator (chapter 10; trained by gan.sgan) ---


class GaussianNoise(nn.Module):
    """Add N(0, std²) noise to the input in training mode; the identity in eval mode.

    Drawing fresh normal numbers is slow on a CPU: it took a quarter of an SGAN step there, more than
    the matrix products. So the noise is read from a bank of ``NOISE_BANK`` standard normal draws, made
    once per device, at a random offset per call: within a call every element gets an independent
    N(0, std²) draw; across calls the same numbers come back shifted onto other pixels of other images.
    """

    def __init__(self, std: float):
        super().__init__()
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std!r}.")
        self.std = std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.std == 0:
            return x
        bank = _noise_bank(x.device)
        if x.numel() > len(bank) // 2:  # a batch this large draws its own
            return x + self.std * torch.randn_like(x)
        offset = int(torch.randint(0, len(bank) - x.numel() + 1, ()))
        return x + (self.std * bank[offset : offset + x.numel()]).view(x.shape).to(x.dtype)

    def extra_repr(self) -> str:
        return f"std={self.std}"


NOISE_BANK = 1 << 22  # standard normal numbers in GaussianNoise's bank (16 MB), a few steps' worth
_banks: dict[torch.device, torch.Tensor] = {}


def _noise_bank(device: torch.device) -> torch.Tensor:
    """Return the bank of ``NOISE_BANK`` N(0, 1) draws on ``device``: the same numbers on every call and run."""
    if device not in _banks:
        _banks[device] = torch.randn(NOISE_BANK, generator=torch.Generator().manual_seed(0)).to(device)
    return _banks[device]


class SGANDiscriminator(nn.Module):
    """Images (N, 1, 28, 28) in [-1, 1] -> K class logits (N, K); the "fake" logit is a fixed 0.

    An MLP with Gaussian noise on the input and after every hidden layer, after Salimans et al.'s MNIST
    model; the noise's std is theirs, 0.3 on the input for pixels in [0, 1], doubled for ours in [-1, 1],
    and 0.5 on the hidden layers. The default is shallower than theirs; ``LONG_RUN`` builds theirs:
    ``hidden=(1000, 500, 250, 250, 250)`` and ``weight_norm=True``, which writes every weight matrix as
    a learned length times a direction (Salimans & Kingma 2016). ``features`` is the last hidden layer,
    the one G's feature matching looks at.
    """

    def __init__(
        self,
        hidden: tuple[int, ...] = (500, 250, 250),
        classes: int = CLASSES,
        input_noise: float = 0.6,
        hidden_noise: float = 0.5,
        weight_norm: bool = False,
    ):
        super().__init__()
        self.config = dict(
            hidden=list(hidden),
            classes=classes,
            input_noise=input_noise,
            hidden_noise=hidden_noise,
            weight_norm=weight_norm,
        )

        def linear(n_in, n_out):
            layer = nn.Linear(n_in, n_out)
            return nn.utils.parametrizations.weight_norm(layer) if weight_norm else layer

        layers: list[nn.Module] = [nn.Flatten(), GaussianNoise(input_noise)]
        for i, (n_in, n_out) in enumerate(zip([28 * 28, *hidden[:-1]], hidden)):
            layers += [GaussianNoise(hidden_noise)] if i > 0 else []
            layers += [linear(n_in, n_out), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(GaussianNoise(hidden_noise), linear(hidden[-1], classes))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Return the last hidden layer's activations (N, hidden[-1]), before its noise."""
        check_images(x, model=self)
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


# --- the registry: every model family the package can train, save and load, by name ---

#: name -> (generator class, discriminator class). ``register_model`` adds one; ``build`` makes one.
MODELS: dict[str, tuple[type[nn.Module], type[nn.Module]]] = {}


def register_model(name: str, generator: type[nn.Module], discriminator: type[nn.Module]) -> None:
    """Register a model family under ``name``: the CLI, checkpoints and recipes then know it.

    Both classes must build with keyword arguments only and keep them in ``self.config`` (a dict of
    plain values), which checkpoints store to rebuild the network; the generator needs ``z_dim``.
    """
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"register_model: name must be a non-empty string, got {name!r}.")
    for part, cls in (("generator", generator), ("discriminator", discriminator)):
        if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
            raise TypeError(f"register_model: {part} must be an nn.Module class, got {cls!r}.")
    if name in MODELS and MODELS[name] != (generator, discriminator):
        raise ValueError(f"register_model: {name!r} is already registered with other classes; pick another name.")
    MODELS[name] = (generator, discriminator)


def model_names() -> list[str]:
    """Return the names of the registered model families."""
    return sorted(MODELS)


def build(model: str, part: str = "generator", config: dict | None = None) -> nn.Module:
    """Return a fresh generator or discriminator of family ``model`` built with ``config`` (or its defaults)."""
    if model not in MODELS:
        raise ValueError(f"Unknown model {model!r}; known models: {model_names()}.")
    if part not in ("generator", "discriminator"):
        raise ValueError(f"build: part must be 'generator' or 'discriminator', got {part!r}.")
    cls = MODELS[model][0 if part == "generator" else 1]
    return cls(**(config or {}))


register_model("mlp", MLPGenerator, MLPDiscriminator)
register_model("dcgan", DCGANGenerator, DCGANDiscriminator)
register_model("cgan", ConditionalMLPGenerator, ConditionalMLPDiscriminator)
