from pathlib import Path

import pytest
import torch

import gan
from gan.checkpoints import FORMAT


def _mlp():
    torch.manual_seed(0)
    return gan.MLPGenerator(hidden=(32,)), gan.MLPDiscriminator(hidden=(32,))


def test_checkpoint_round_trip_rebuilds_the_same_generator(tmp_path):
    G, D = _mlp()
    path = gan.save_checkpoint(tmp_path / "g.pt", "mlp", G, D, metrics={"frechet_distance": 1.0})
    G2 = gan.load_generator(path, model="mlp")
    z = torch.randn(4, 100)
    assert torch.equal(G.eval()(z), G2(z))
    ckpt = gan.load_checkpoint(path)
    assert ckpt["model"] == "mlp" and ckpt["format"] == FORMAT and ckpt["package_version"] == gan.__version__
    assert ckpt["generator_config"]["hidden"] == [32] and ckpt["metrics"] == {"frechet_distance": 1.0}


def test_half_precision_checkpoint_is_smaller_and_close(tmp_path):
    G, _ = _mlp()
    full = gan.save_checkpoint(tmp_path / "full.pt", "mlp", G)
    half = gan.save_checkpoint(tmp_path / "half.pt", "mlp", G, half=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    z = torch.randn(4, 100)
    assert torch.allclose(gan.load_generator(full)(z), gan.load_generator(half)(z), atol=1e-2)


def test_loading_a_checkpoint_of_another_model_is_refused(tmp_path):
    G, _ = _mlp()
    path = gan.save_checkpoint(tmp_path / "g.pt", "mlp", G)
    with pytest.raises(gan.CheckpointError, match="holds a 'mlp' model, not 'dcgan'"):
        gan.load_generator(path, model="dcgan")


def test_truncated_checkpoint_gives_a_clear_error(tmp_path):
    G, _ = _mlp()
    path = gan.save_checkpoint(tmp_path / "g.pt", "mlp", G)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(gan.CheckpointError, match="not a readable checkpoint"):
        gan.load_generator(path)


def test_a_plain_state_dict_is_not_mistaken_for_a_checkpoint(tmp_path):
    G, _ = _mlp()
    torch.save(G.state_dict(), tmp_path / "weights.pt")
    with pytest.raises(gan.CheckpointError, match="is not a gan checkpoint"):
        gan.load_checkpoint(tmp_path / "weights.pt")


def test_a_newer_checkpoint_format_asks_for_an_upgrade(tmp_path):
    G, _ = _mlp()
    path = gan.save_checkpoint(tmp_path / "g.pt", "mlp", G)
    ckpt = torch.load(path, weights_only=True)
    ckpt["format"] = FORMAT + 1
    torch.save(ckpt, path)
    with pytest.raises(gan.CheckpointError, match="newer than this package understands.*Upgrade"):
        gan.load_checkpoint(path)


def test_weights_that_do_not_fit_the_recorded_config_are_refused(tmp_path):
    G, _ = _mlp()
    path = gan.save_checkpoint(tmp_path / "g.pt", "mlp", G)
    ckpt = torch.load(path, weights_only=True)
    ckpt["generator_config"]["hidden"] = [64]
    torch.save(ckpt, path)
    with pytest.raises(gan.CheckpointError, match="weights do not fit a 'mlp' generator"):
        gan.load_generator(path)


def test_saving_never_overwrites_a_file_that_is_not_a_checkpoint(tmp_path):
    G, _ = _mlp()
    precious = tmp_path / "notes.pt"
    precious.write_text("my notes")
    with pytest.raises(FileExistsError, match="not a gan checkpoint; refusing to overwrite"):
        gan.save_checkpoint(precious, "mlp", G)
    assert precious.read_text() == "my notes"


def test_saving_replaces_an_older_checkpoint_and_leaves_no_temporary_files(tmp_path):
    G, _ = _mlp()
    gan.save_checkpoint(tmp_path / "g.pt", "mlp", G)
    gan.save_checkpoint(tmp_path / "g.pt", "mlp", G)
    assert [p.name for p in tmp_path.iterdir()] == ["g.pt"]


def test_unknown_model_name_lists_the_known_ones(tmp_path):
    G, _ = _mlp()
    with pytest.raises(ValueError, match=r"Unknown model 'vae'; known models: \['cgan', 'dcgan', 'mlp'\]"):
        gan.save_checkpoint(tmp_path / "g.pt", "vae", G)


def test_missing_checkpoint_file_says_where():
    with pytest.raises(FileNotFoundError, match="No checkpoint at /nowhere/g.pt"):
        gan.load_checkpoint("/nowhere/g.pt")


def test_unknown_pretrained_name_lists_the_shipped_ones():
    with pytest.raises(ValueError, match=r"Unknown pretrained checkpoint 'biggan'; shipped ones: \["):
        gan.pretrained.load("biggan")


@pytest.mark.parametrize("name", gan.pretrained.names())
def test_every_shipped_generator_loads_and_samples_images_in_range(name):
    G = gan.pretrained.load(name)
    images = gan.sample(G, 8, seed=0)
    assert images.shape == (8, 1, 28, 28) and images.min() >= -1 and images.max() <= 1
    assert torch.equal(images, gan.sample(G, 8, seed=0))
    assert "metrics" in gan.pretrained.info(name)


def test_shipped_weights_stay_under_20_mb():
    # Colab installs the package from the repository: keep what it downloads small. The six SGAN
    # seed runs (chapter 10's table, about 1.1 MB each in float16) raised the limit from 10 MB to 16,
    # the conditional GAN (chapter 12, 2.2 MB with its discriminator) to 20; the WGAN-GP
    # generator (chapter 13, 2.2 MB) fits under it.
    total = sum(p.stat().st_size for p in gan.pretrained.WEIGHTS.glob("*.pt"))
    assert total < 20 * 2**20


def test_a_dcgan_checkpoint_saved_before_final_conv_still_loads(tmp_path):
    # Checkpoints written before DCGANGenerator had the final_conv and refine options hold the plain
    # layers and neither key; they must keep loading, with the architecture they were trained with.
    torch.manual_seed(0)
    G = gan.DCGANGenerator(width=8, final_conv=False, refine=False)
    path = gan.save_checkpoint(tmp_path / "old.pt", "dcgan", G)
    ckpt = torch.load(path, weights_only=True)
    del ckpt["generator_config"]["final_conv"], ckpt["generator_config"]["refine"]
    torch.save(ckpt, path)
    G2 = gan.load_generator(path, model="dcgan")
    assert G2.config["final_conv"] is False and G2.config["refine"] is False
    z = torch.randn(3, 100)
    assert torch.equal(G.eval()(z), G2(z))


def test_a_dcgan_checkpoint_saved_before_refine_still_loads_with_its_discriminator(tmp_path):
    # Checkpoints with final_conv but without refine (the shipped DCGAN of package versions before
    # refine): both networks' configs get refine=False, so their weights fit again.
    torch.manual_seed(0)
    G, D = gan.DCGANGenerator(width=8, final_conv=True), gan.DCGANDiscriminator(width=8)
    path = gan.save_checkpoint(tmp_path / "old.pt", "dcgan", G, D)
    ckpt = torch.load(path, weights_only=True)
    del ckpt["generator_config"]["refine"], ckpt["discriminator_config"]["refine"]
    torch.save(ckpt, path)
    loaded = gan.load_checkpoint(path)
    assert loaded["generator_config"]["final_conv"] is True and loaded["generator_config"]["refine"] is False
    D2 = gan.DCGANDiscriminator(**loaded["discriminator_config"])
    D2.load_state_dict(loaded["discriminator"])
    x = torch.randn(3, 1, 28, 28)
    assert torch.equal(D.eval()(x), D2.eval()(x))
    z = torch.randn(3, 100)
    assert torch.equal(G.eval()(z), gan.load_generator(path)(z))


def test_an_old_dcgan_checkpoint_loaded_by_hand_still_loads_and_is_not_changed():
    # The same old checkpoint, read with torch.load and passed as a dict: the same validation runs,
    # and the caller's dict keeps what it had.
    torch.manual_seed(0)
    G = gan.DCGANGenerator(width=8, final_conv=False, refine=False)
    ckpt = {
        "format": 1,
        "package_version": "0",
        "model": "dcgan",
        "generator_config": {"z_dim": 100, "width": 8},
        "generator": G.state_dict(),
    }
    G2 = gan.load_generator(ckpt, model="dcgan")
    assert G2.config["final_conv"] is False
    assert ckpt["generator_config"] == {"z_dim": 100, "width": 8}
    z = torch.randn(3, 100)
    assert torch.equal(G.eval()(z), G2(z))


@pytest.mark.parametrize("bad", [{}, {"model": "dcgan"}])
def test_a_dict_that_is_not_a_checkpoint_is_refused_clearly(bad):
    with pytest.raises(gan.CheckpointError, match="is not a gan checkpoint"):
        gan.load_generator(bad)


def test_every_shipped_network_is_a_checkpoint_of_the_current_format_with_its_kind():
    from gan.checkpoints import FORMAT, KINDS, read

    kinds = {}
    for path in sorted((Path(gan.__file__).parent / "weights").glob("*.pt")):
        saved = torch.load(path, map_location="cpu", weights_only=True)
        assert saved["format"] == FORMAT and saved["kind"] in KINDS, path.name
        read(path, saved["kind"])  # and it reads back through the one reader
        kinds[path.name] = saved["kind"]
    assert kinds["mlp_gan.pt"] == kinds["dcgan.pt"] == "generator"
    assert kinds["mnist_classifier.pt"] == "classifier" and kinds["sgan_classifier.pt"] == "sgan-classifier"


def test_files_written_before_checkpoints_had_a_kind_still_load(tmp_path):
    from gan.checkpoints import read

    G = gan.MLPGenerator(z_dim=4, hidden=(8,))
    old_generator = {
        "format": 1,
        "package_version": "0.1.0",
        "model": "mlp",
        "generator_config": G.config,
        "generator": G.state_dict(),
    }
    torch.save(old_generator, tmp_path / "old.pt")
    loaded = gan.load_generator(tmp_path / "old.pt")
    assert all(torch.equal(a, b) for a, b in zip(loaded.parameters(), G.parameters()))
    classifier = gan.MNISTClassifier()
    torch.save({"weights": classifier.state_dict(), "test_accuracy": 0.99}, tmp_path / "old_classifier.pt")
    assert read(tmp_path / "old_classifier.pt", "classifier")["test_accuracy"] == 0.99
    with pytest.raises(gan.CheckpointError, match="is the metrics' classifier weights, not a gan checkpoint"):
        gan.load_checkpoint(tmp_path / "old_classifier.pt")
