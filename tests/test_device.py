import os
import subprocess
import sys

import pytest
import torch

import gan


def test_pick_device_prefers_an_available_accelerator_then_cpu():
    device = gan.pick_device()
    assert device.type == gan.available_devices()[0]
    assert gan.available_devices()[-1] == "cpu"


def test_pick_device_honours_an_explicit_choice():
    assert gan.pick_device("cpu") == torch.device("cpu")


def test_pick_device_reads_gan_device_from_the_environment(monkeypatch):
    monkeypatch.setenv("GAN_DEVICE", "cpu")
    assert gan.pick_device() == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_pick_device_rejects_an_unavailable_device_and_lists_the_available_ones():
    with pytest.raises(ValueError, match=r"'cuda' is not available.*\['cpu'\]|available: \["):
        gan.pick_device("cuda")


def test_pick_device_rejects_a_name_that_is_not_a_device():
    with pytest.raises(ValueError, match="not a device name"):
        gan.pick_device("gpu please")


def test_seed_everything_makes_torch_numpy_and_python_repeat():
    import random

    import numpy as np

    def draw():
        gen = gan.seed_everything(123)
        return (
            torch.rand(3).tolist(),
            np.random.rand(2).tolist(),
            random.random(),
            torch.rand(2, generator=gen).tolist(),
        )

    assert draw() == draw()


def test_seed_everything_fixes_the_thread_count():
    before = torch.get_num_threads()
    try:
        gan.seed_everything(0, threads=1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        gan.seed_everything(seed)


def test_seed_everything_rejects_bad_thread_counts():
    with pytest.raises(ValueError, match="threads must be a positive int"):
        gan.seed_everything(0, threads=0)


@pytest.mark.slow
def test_native_bf16_is_off_when_pytorch_is_restricted_below_avx512():
    # ATEN_CPU_CAPABILITY=avx2 is how the book's budgets are checked for CPUs without bfloat16: "auto"
    # precision must then pick float32, as it would on such a CPU.
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "avx2"}
    out = subprocess.run(
        [sys.executable, "-c", "import gan; print(gan.native_bf16('cpu'))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"
