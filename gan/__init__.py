"""gan: the small PyTorch package behind the open course on Generative Adversarial Networks."""

from . import fast, files, ladder, latent, metrics, models, pretrained, recipes, resume, sgan, toy
from .checkpoints import CheckpointError, load_checkpoint, load_generator, save_checkpoint
from .classifier import MNISTClassifier, load_classifier
from .data import (
    MNIST,
    Batches,
    MNISTCorruptError,
    MNISTNotFoundError,
    batches,
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

__version__ = "0.1.0"
