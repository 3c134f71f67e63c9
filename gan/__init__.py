"""gan: the small PyTorch package behind the open course on Generative Adversarial Networks."""

from . import (
    checkpoints,
    classifier,
    conditional,
    data,
    device,
    dynamics,
    export,
    fast,
    files,
    ladder,
    latent,
    losses,
    metrics,
    models,
    plotting,
    pretrained,
    recipes,
    resume,
    sampling,
    sgan,
    toy,
    training,
    wasserstein,
)
from .checkpoints import CheckpointError, load_checkpoint, load_generator, save_checkpoint
from .classifier import MNISTClassifier, load_classifier
from .data import (
    MNIST,
    Batches,
    LabelledBatches,
    MNISTCorruptError,
    MNISTNotFoundError,
    batches,
    blur,
    data_root,
    grid_of_gaussians,
    load_mnist,
    pattern_random,
    pattern_real,
    ring_of_gaussians,
    to_float,
)
from .device import available_devices, pick_device, seed_everything
from .fast import native_bf16, precision_context, training_dtype
from .losses import generator_loss, get_loss
from .models import (
    ConditionalMLPDiscriminator,
    ConditionalMLPGenerator,
    DCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    MLPGenerator,
    PatternDiscriminator,
    PatternGenerator,
)
from .plotting import plot_heatmap, plot_history, show_images, show_source
from .sampling import sample
from .training import (
    NonFiniteLossError,
    TrainConfig,
    TrainResult,
    check_data_range,
    output_range,
    train_gan,
    train_mnist,
    train_step,
)

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)

#: The top-level names: the modules, and the functions and classes the chapters use most.
__all__ = sorted(name for name in list(globals()) if not name.startswith("_"))
