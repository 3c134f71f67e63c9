import subprocess
import sys

import pytest
import torch

import gan
from gan.__main__ import main


@pytest.mark.slow
def test_train_then_sample_from_the_command_line(tmp_path, mnist_root, monkeypatch, capsys):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    ckpt = tmp_path / "mlp.pt"
    assert main(["train", "mlp", "--seconds", "2", "--out", str(ckpt), "--log-every", "10", "--device", "cpu"]) == 0
    saved = gan.load_checkpoint(ckpt)
    assert saved["model"] == "mlp" and saved["train_config"]["lr_g"] == saved["train_config"]["lr_d"] == 1e-3
    out = tmp_path / "samples.pt"
    assert main(["sample", str(ckpt), "--n", "16", "--out", str(out)]) == 0
    images = torch.load(out, weights_only=True)
    assert images.shape == (16, 1, 28, 28) and images.min() >= -1 and images.max() <= 1
    assert "saved (16, 1, 28, 28) images" in capsys.readouterr().out


@pytest.mark.slow
def test_train_sgan_saves_a_classifier_with_its_history(tmp_path, mnist_root, monkeypatch, capsys):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    out = tmp_path / "sgan.pt"
    assert (
        main(
            [
                "train-sgan",
                "--long",
                "--steps",
                "4",
                "--eval-every",
                "2",
                "--test",
                "--out",
                str(out),
                "--device",
                "cpu",
            ]
        )
        == 0
    )
    D, info = gan.sgan.load_classifier(out)
    assert info["history"]["step"] == [2, 4] and info["train_config"]["unsupervised_weight"] == 0.5
    out = capsys.readouterr().out
    assert D.config["weight_norm"] and "step      4: validation accuracy" in out and "test accuracy" in out
    assert len(info["history"]["val_accuracy"]) == 2  # the validation curve; the test set read once:
    assert info["test_accuracy"] == gan.sgan.accuracy(D, gan.load_mnist(train=False))


def test_train_sgan_supervised_saves_the_baseline_with_its_method(tmp_path, mnist_root, monkeypatch):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    out = tmp_path / "baseline.pt"
    args = ["train-sgan", "--supervised", "--steps", "4", "--seed", "1", "--out", str(out), "--device", "cpu"]
    assert main(args) == 0
    _, info = gan.sgan.load_classifier(out)
    assert info["method"] == "supervised" and info["seed"] == 1 and info["labels"] == 100
    assert info["train_config"]["lr"] == gan.sgan.SUPERVISED_LR
    assert "test_accuracy" not in info  # the test set is read only on request (--test)


def test_the_shipped_sgan_seed_runs_are_chapter_10s_recipe():
    for method in ("SGAN", "supervised"):
        for seed in gan.sgan.SHIPPED_SEEDS:
            _, info = gan.sgan.load_classifier(gan.sgan.shipped_seed_run(method, seed))
            assert (info["method"], info["seed"], info["labels"]) == (method, seed, 100)
            assert info["train_config"]["steps"] == gan.sgan.SGANConfig().steps
            assert info["train_config"]["precision"] == "float32" and info["format"] == 2
            # watched on held-out training images; the test set is left for chapter 10 to read once
            assert len(info["history"]["val_accuracy"]) == 10 and "test_accuracy" not in info
    with pytest.raises(ValueError, match="ships methods 'SGAN' and 'supervised' for seeds 0, 1 and 2"):
        gan.sgan.shipped_seed_run("SGAN", 3)


def test_sample_accepts_a_shipped_name(tmp_path):
    out = tmp_path / "s.pt"
    assert main(["sample", gan.pretrained.names()[0], "--n", "4", "--out", str(out)]) == 0
    assert torch.load(out, weights_only=True).shape == (4, 1, 28, 28)


@pytest.mark.parametrize("argv", [["train", "vae"], ["train", "--recipe", "vae"]])
def test_an_unknown_recipe_is_rejected_with_the_choices(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main([*argv, "--seconds", "1", "--out", "x.pt"])
    assert info.value.code == 2
    assert (
        "invalid choice: 'vae' (choose from 'cgan', 'dcgan', 'dcgan-refine', 'mlp', 'sngan', 'wgan-clip', 'wgan-gp')"
        in capsys.readouterr().err
    )


@pytest.mark.slow
def test_the_generator_can_get_its_own_learning_rate_and_width(tmp_path, mnist_root, monkeypatch):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    ckpt = tmp_path / "dcgan.pt"
    args = [
        "train",
        "dcgan",
        "--seconds",
        "1",
        "--lr",
        "1e-3",
        "--lr-g",
        "2e-3",
        "--g-width",
        "16",
        "--refine",
        "--out",
        str(ckpt),
        "--device",
        "cpu",
    ]
    assert main(args) == 0
    saved = gan.load_checkpoint(ckpt)
    assert (saved["train_config"]["lr_d"], saved["train_config"]["lr_g"]) == (1e-3, 2e-3)
    assert saved["generator_config"]["final_conv"] is True and saved["generator_config"]["refine"] is True
    assert saved["generator_config"]["width"] == 16 and saved["discriminator_config"]["width"] == 64
    assert saved["discriminator_config"]["refine"] is True
    assert gan.load_generator(ckpt)(torch.randn(2, 100)).shape == (2, 1, 28, 28)


def test_generator_width_is_refused_for_the_mlp_gan(capsys):
    assert main(["train", "mlp", "--seconds", "1", "--g-width", "128", "--out", "x.pt"]) == 2
    assert "--g-width sets the DCGAN generator's width; the mlp generator has none" in capsys.readouterr().err


def test_refine_is_refused_for_the_mlp_gan(capsys):
    assert main(["train", "mlp", "--seconds", "1", "--refine", "--out", "x.pt"]) == 2
    assert "--refine adds the DCGAN's 3x3 layers; the mlp networks have none" in capsys.readouterr().err


def test_training_needs_exactly_one_budget(capsys):
    with pytest.raises(SystemExit):
        main(["train", "mlp", "--seconds", "1", "--epochs", "1", "--out", "x.pt"])
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.slow
def test_sampling_a_file_that_is_not_a_checkpoint_fails_clearly(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    result = subprocess.run(
        [sys.executable, "-m", "gan", "sample", str(bad), "--n", "4", "--out", str(tmp_path / "o.pt")],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "is not a readable checkpoint" in result.stderr
