"""The shipped generators' ONNX exports (gan.export), which the site's playground runs in the browser:
current, equal to PyTorch under onnxruntime, and what the page relies on (seeds, reference images, directions)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import torch

import gan
from gan import export, pretrained
from gan.__main__ import main

SITE_MODELS = Path(__file__).resolve().parent.parent / "book" / "_playground" / "playground" / "models"
REEXPORT = f"python -m gan export-onnx all {SITE_MODELS.relative_to(SITE_MODELS.parents[3])}"


def _meta(name: str) -> dict:
    return json.loads((SITE_MODELS / f"{name}.json").read_text(encoding="utf8"))


def _decode(text: str, dtype) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.dtype(dtype).newbyteorder("<"))


def test_the_sites_exports_are_current():
    problems = export.stale(SITE_MODELS)
    assert not problems, f"stale exports in {SITE_MODELS}: {problems}; run {REEXPORT}"


@pytest.mark.parametrize("name", export.PLAYGROUND)
@pytest.mark.parametrize("n", [1, 7])
def test_onnxruntime_draws_what_pytorch_draws(name, n):
    G = pretrained.load(name)
    session = onnxruntime.InferenceSession(str(SITE_MODELS / f"{name}.onnx"), providers=["CPUExecutionProvider"])
    z = gan.latent.latents(n, seed=11, z_dim=G.z_dim)
    feeds = {"z": z.numpy()}
    args = (z,)
    if export.is_conditional(G):
        labels = torch.arange(n) % G.classes
        feeds["labels"] = labels.numpy()
        args = (z, labels)
    (images,) = session.run(["images"], feeds)
    with torch.no_grad():
        expected = G(*args).numpy()
    assert images.shape == expected.shape == (n, 1, 28, 28)
    difference = np.abs(images - expected).max()
    assert difference <= 1e-4, f"{name}: onnxruntime and PyTorch differ by up to {difference:.2e}"


@pytest.mark.parametrize("name", export.PLAYGROUND)
def test_the_page_gets_the_seeds_of_gan_sample_and_pytorchs_images(name):
    G, meta = pretrained.load(name), _meta(name)
    seeds = torch.from_numpy(_decode(meta["seeds"]["z"], np.float32).copy()).view(meta["seeds"]["count"], G.z_dim)
    assert meta["seeds"]["count"] == export.SEEDS
    for s in (0, 1, 200, export.SEEDS - 1):
        assert torch.equal(seeds[s], gan.latent.latents(1, seed=s, z_dim=G.z_dim)[0])
    references = meta["reference"]
    assert {r["seed"] for r in references} == set(export.REFERENCE_SEEDS)
    for r in references:
        labels = {} if r["label"] is None else {"labels": r["label"]}
        image = gan.sample(G, 1, seed=r["seed"], **labels)
        assert np.array_equal(_decode(r["pixels"], np.uint8), export.to_pixels(image).reshape(-1))
    if meta["conditional"]:
        assert sorted({r["label"] for r in references}) == list(range(G.classes))


@pytest.mark.parametrize("name", ["mlp-gan", "dcgan"])
def test_the_exported_directions_are_the_studys_orthonormal_vectors(name):
    directions = _meta(name)["directions"]
    v = torch.tensor(directions["vectors"])
    assert v.shape == (3, 100)
    assert torch.allclose(v @ v.T, torch.eye(3), atol=1e-5)
    assert directions["rms_change"] == sorted(directions["rms_change"], reverse=True)
    assert directions == export.stored_directions(name)


def test_the_conditional_export_has_no_directions():
    assert _meta("cgan")["directions"] is None and _meta("cgan")["checks"] == []


@pytest.mark.parametrize("name", ["mlp-gan", "dcgan"])
def test_the_checks_are_pytorchs_images_of_the_named_vectors(name):
    # The browser tests compare the page's images of these vectors (its own lerp, slerp, sums and
    # moves along the directions) with these pixels: here they are checked to be PyTorch's.
    G, meta = pretrained.load(name), _meta(name)
    seeds = torch.cat([gan.latent.latents(1, seed=s, z_dim=G.z_dim) for s in range(4)])
    named = export.checks(seeds, meta["directions"])
    assert [c["name"] for c in meta["checks"]] == list(named)
    a, b = export.PAIR
    assert torch.equal(named[f"slerp({a}, {b}, 0.70)"], gan.latent.slerp(seeds[a], seeds[b], 0.7))
    assert torch.equal(named[f"{b} - {a}"], seeds[b] - seeds[a])
    with torch.no_grad():
        for check in meta["checks"]:
            expected = export.to_pixels(G(named[check["name"]][None])).reshape(-1)
            assert np.array_equal(_decode(check["pixels"], np.uint8), expected), check["name"]
    assert sum(" d" in c["name"] for c in meta["checks"]) == 3


def test_to_pixels_maps_the_image_range_onto_grey_levels():
    assert export.to_pixels(torch.tensor([-1.0, -2.0, 0.0, 1.0, 3.0])).tolist() == [0, 0, 128, 255, 255]


def test_directions_are_where_the_image_changes_most():
    torch.manual_seed(0)
    G = gan.MLPGenerator(z_dim=8).eval()
    v, rms = gan.latent.directions(G, k=3, n=16, seed=0)
    assert v.shape == (3, 8) and torch.allclose(v @ v.T, torch.eye(3), atol=1e-5)
    assert (rms[:-1] >= rms[1:]).all()
    assert (v.gather(1, v.abs().argmax(1, keepdim=True)) > 0).all()  # the sign rule
    # The root-mean-square pixel change per unit step, measured by small finite steps, is the one reported.
    z, eps = gan.latent.latents(16, seed=0, z_dim=8), 1e-3
    with torch.no_grad():
        for k in range(3):
            change = (G(z + eps * v[k]) - G(z - eps * v[k])) / (2 * eps)
            measured = change.pow(2).mean().sqrt()
            assert measured == pytest.approx(rms[k].item(), rel=1e-2)
        # and no unit direction changes the images more than the first (checked against random ones)
        random = torch.nn.functional.normalize(torch.randn(64, 8), dim=1)
        first = ((G(z + eps * v[0]) - G(z - eps * v[0])) / (2 * eps)).pow(2).mean()
        for u in random:
            assert ((G(z + eps * u) - G(z - eps * u)) / (2 * eps)).pow(2).mean() <= first * 1.001


def test_directions_refuse_what_they_cannot_do():
    with pytest.raises(ValueError, match="conditional"):
        gan.latent.directions(gan.ConditionalMLPGenerator())
    with pytest.raises(ValueError, match="k must be"):
        gan.latent.directions(gan.MLPGenerator(z_dim=4), k=5)


@pytest.mark.slow
def test_the_command_writes_the_sites_exports_again_bit_for_bit(tmp_path, capsys):
    assert main(["export-onnx", "all", str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    for name in export.PLAYGROUND:
        for suffix in (".onnx", ".json"):
            made, site = tmp_path / f"{name}{suffix}", SITE_MODELS / f"{name}{suffix}"
            assert made.read_bytes() == site.read_bytes(), f"{made.name} differs from the site's; run {REEXPORT}"


def test_the_command_refuses_bad_input_in_one_line(tmp_path, capsys):
    assert main(["export-onnx", "nope", str(tmp_path / "x.onnx")]) == 1
    assert "unknown generator 'nope'" in capsys.readouterr().err
    assert main(["export-onnx", "dcgan", str(tmp_path / "x.pt")]) == 1
    assert "must end in .onnx" in capsys.readouterr().err
    assert main(["export-onnx", "all", str(tmp_path / "missing")]) == 2
    assert "existing folder" in capsys.readouterr().err
    notes = tmp_path / "dcgan.json"
    notes.write_text("my notes, not an export")
    assert main(["export-onnx", "dcgan", str(tmp_path / "dcgan.onnx")]) == 1
    assert "my notes" in notes.read_text() and not (tmp_path / "dcgan.onnx").exists()
    # an .onnx file of the user's (no export's metadata records it) is not replaced either
    notes.unlink()
    theirs = tmp_path / "mine.onnx"
    theirs.write_bytes(b"someone's own network")
    assert main(["export-onnx", "dcgan", str(theirs)]) == 1
    assert theirs.read_bytes() == b"someone's own network" and not (tmp_path / "mine.json").exists()


def test_stale_names_what_is_out_of_date(tmp_path):
    for file in SITE_MODELS.iterdir():
        shutil.copy(file, tmp_path / file.name)
    assert export.stale(tmp_path) == []
    meta = json.loads((tmp_path / "dcgan.json").read_text())
    meta["weights"]["sha256"] = "0" * 64
    (tmp_path / "dcgan.json").write_text(json.dumps(meta))
    (tmp_path / "cgan.onnx").write_bytes(b"not this network")
    (tmp_path / "mlp-gan.json").unlink()
    problems = export.stale(tmp_path)
    assert len(problems) == 3
    assert "dcgan: exported from other weights" in problems[1]
    assert "cgan: cgan.onnx is not the network" in problems[0]
    assert "mlp-gan: mlp-gan.onnx or mlp-gan.json is missing" in problems[2]


def test_stale_finds_an_old_format_and_changed_directions(tmp_path):
    for file in SITE_MODELS.iterdir():
        shutil.copy(file, tmp_path / file.name)
    meta = json.loads((tmp_path / "mlp-gan.json").read_text())
    meta["format"] = export.FORMAT - 1
    (tmp_path / "mlp-gan.json").write_text(json.dumps(meta))
    meta = json.loads((tmp_path / "dcgan.json").read_text())
    meta["directions"]["vectors"][0][0] += 0.5
    (tmp_path / "dcgan.json").write_text(json.dumps(meta))
    problems = export.stale(tmp_path)
    assert problems == [
        "dcgan: the stored latent directions changed since the export",
        f"mlp-gan: metadata format {export.FORMAT - 1}, expected {export.FORMAT}",
    ]
