"""The shipped generators as ONNX files, for the site's playground that runs them in the reader's browser.

``python -m gan export-onnx NAME OUT.onnx`` writes the generator ``NAME`` (``gan.pretrained.names()``) to
``OUT.onnx`` and what the page needs besides the network to ``OUT.json``: the seeds, so that the page's
seed ``s`` is ``gan.sample(G, 1, seed=s)``; the images PyTorch draws from a few of them, which the
browser tests compare with the page's; the latent directions of the stored study
``latent_directions``; and the SHA-256 of the weights, so that an export older than its weights is
found (``stale``). ``python -m gan export-onnx all FOLDER`` writes every shipped generator; the site's
copies live in ``book/_playground/playground/models`` (README, "The playground").
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import warnings
from pathlib import Path

import numpy as np
import torch

from . import pretrained
from .conditional import is_conditional
from .files import check_writable, write_file, write_text
from .latent import latents

#: Bumped when the metadata's layout changes: exports of another format are stale.
FORMAT = 2
#: The generators the site's playground runs (chapters 8, 9 and 12); ``export-onnx all`` writes these.
PLAYGROUND = ("cgan", "dcgan", "mlp-gan")
#: The page's seeds: seed s (0 <= s < SEEDS) is the vector gan.latent.latents(1, seed=s)[0].
SEEDS = 256
#: The seeds whose PyTorch images the export stores (for a conditional generator, each with every digit).
REFERENCE_SEEDS = (0, 1, 2, 3)
#: ONNX opset: 17 has LayerNormalization as one operator; onnxruntime-web runs it.
OPSET = 17
#: The seeds A and B the chapter 8 widget starts with; the checks below are taken along their path.
PAIR = (2, 3)


def _b64(array: np.ndarray) -> str:
    """Little-endian bytes of ``array`` in base64, as the page decodes them (Float32Array, Uint8Array)."""
    return base64.b64encode(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()).decode()


def to_pixels(images: torch.Tensor) -> np.ndarray:
    """Images in [-1, 1] -> grey levels 0..255 (uint8): round((x + 1) * 127.5).

    The page draws with the same formula, except that JavaScript rounds halves up where PyTorch rounds
    them to even: at most one grey level apart, within the browser tests' tolerance of 2."""
    return ((images.detach().cpu().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()


def onnx_bytes(generator: torch.nn.Module) -> bytes:
    """The generator as an ONNX model (opset ``OPSET``): inputs ``z`` (n, z_dim) float32, and ``labels`` (n,)
    int64 for a conditional one; output ``images`` (n, 1, 28, 28). The batch size n is free."""
    import importlib.util

    if importlib.util.find_spec("onnx") is None:
        raise ValueError(
            "export-onnx needs the onnx package, which PyTorch's exporter writes with: pip install onnx "
            "(bash tools/setup-env installs it)."
        )
    conditional = is_conditional(generator)
    generator = generator.cpu().eval()
    z = latents(2, seed=0, z_dim=generator.z_dim)
    args = (z, torch.tensor([0, 1])) if conditional else (z,)
    inputs = ["z", "labels"] if conditional else ["z"]
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # PyTorch 2.9+ announces that this exporter (TorchScript's) will give way to torch.export's, which
        # needs the extra package onnxscript and cannot yet trace the generators' input checks; and the
        # tracer warns that those checks (Python ifs on the labels' values) are not recorded, which is
        # what we want: the page passes only valid digits.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        torch.onnx.export(
            generator,
            args,
            buffer,
            dynamo=False,
            opset_version=OPSET,
            input_names=inputs,
            output_names=["images"],
            dynamic_axes={name: {0: "n"} for name in [*inputs, "images"]},
        )
    return buffer.getvalue()


def stored_directions(name: str) -> dict | None:
    """The directions of the study ``latent_directions`` for the shipped generator ``name`` (None if it has none).

    Raises ``ValueError`` when the study was made from other weights than the shipped ones.
    """
    study = pretrained.study("latent_directions")
    rows = study[study["model"] == name].sort_values("direction")
    if rows.empty:
        return None
    if set(rows["weights_sha256"]) != {pretrained.sha256(name)}:
        raise ValueError(
            f"The stored latent directions of {name} were computed from other weights than the shipped "
            f"{pretrained.path(name).name}; rerun benchmarks/latent_directions.py first."
        )
    vectors = rows[[c for c in rows.columns if c.startswith("v") and c[1:].isdigit()]].to_numpy(np.float32)
    return dict(
        vectors=vectors.tolist(),
        rms_change=rows["rms_change"].tolist(),
        agreement=rows["agreement"].tolist(),
        n=int(rows["n"].iloc[0]),
        seed=int(rows["seed"].iloc[0]),
        study="latent_directions",
    )


def checks(seeds: torch.Tensor, directions: dict | None) -> dict[str, torch.Tensor]:
    """The latent vectors the widgets compute from seeds, by the names their canvases carry (data-check).

    Along the pair ``PAIR`` = (A, B): slerp and lerp at t = 0.5 (where the chapter 8 widget starts) and
    0.7 (after four steps of its slider), A + B, A - B and B - A; and, with ``directions``, seed 0 moved
    one unit along each direction (the chapter 9 widget after four steps of a slider). The browser tests
    compare the page's images of these with PyTorch's, so the page's arithmetic is checked too.
    """
    from .latent import lerp, slerp

    a_seed, b_seed = PAIR
    a, b = seeds[a_seed], seeds[b_seed]
    named = {}
    for method, path in (("slerp", slerp), ("lerp", lerp)):
        for t in (0.5, 0.7):
            named[f"{method}({a_seed}, {b_seed}, {t:.2f})"] = path(a, b, t)
    named[f"{a_seed} + {b_seed}"] = a + b
    named[f"{a_seed} - {b_seed}"] = a - b
    named[f"{b_seed} - {a_seed}"] = b - a
    if directions is not None:
        vectors = torch.tensor(directions["vectors"])
        for k in range(len(vectors)):
            steps = [1.0 if j == k else 0.0 for j in range(len(vectors))]
            named[f"0 + ({', '.join(f'{x:.2f}' for x in steps)}) d"] = seeds[0] + vectors[k]
    return named


def metadata(name: str, generator: torch.nn.Module, onnx: bytes) -> dict:
    """What the page needs besides the network (see the module's docstring)."""
    conditional = is_conditional(generator)
    seeds = torch.cat([latents(1, seed=s, z_dim=generator.z_dim) for s in range(SEEDS)])
    reference = []
    with torch.no_grad():
        for seed in REFERENCE_SEEDS:
            for label in range(generator.classes) if conditional else [None]:
                args = (seeds[seed : seed + 1],) + ((torch.tensor([label]),) if conditional else ())
                image = generator(*args)
                reference.append(dict(seed=seed, label=label, pixels=_b64(to_pixels(image).reshape(-1))))
    directions = None if conditional else stored_directions(name)
    checked = []
    if not conditional:
        with torch.no_grad():
            for check, z in checks(seeds, directions).items():
                checked.append(dict(name=check, pixels=_b64(to_pixels(generator(z[None])).reshape(-1))))
    return dict(
        format=FORMAT,
        name=name,
        generator=type(generator).__name__,
        z_dim=generator.z_dim,
        conditional=conditional,
        classes=generator.classes if conditional else None,
        image_shape=[1, 28, 28],
        weights=dict(file=pretrained.path(name).name, sha256=pretrained.sha256(name)),
        onnx=dict(sha256=hashlib.sha256(onnx).hexdigest(), opset=OPSET, torch=torch.__version__),
        pixels="round((x + 1) * 127.5) of the image x in [-1, 1], row by row, uint8, base64",
        seeds=dict(count=SEEDS, rule="seed s is gan.latent.latents(1, seed=s)[0]", z=_b64(seeds.numpy())),
        reference=reference,
        checks=checked,
        directions=directions,
    )


def export(name: str, out: str | Path) -> tuple[Path, Path]:
    """Write the shipped generator ``name`` to ``out`` (ONNX) and its metadata next to it (``.json``).

    Both files are written atomically, the network first; returns their paths.
    """
    if name not in pretrained.names():
        raise ValueError(f"export-onnx: unknown generator {name!r}; shipped ones: {pretrained.names()}.")
    out = Path(out)
    if out.suffix != ".onnx":
        raise ValueError(
            f"export-onnx: the output file must end in .onnx (its metadata goes next to it as .json), got {out}."
        )
    meta_path = out.with_suffix(".json")
    for path, what in ((out, "an ONNX file"), (meta_path, "an export's metadata")):
        check_writable(path, ours=_ours(what), what=what)
    generator = pretrained.load(name)
    onnx = onnx_bytes(generator)
    meta = metadata(name, generator, onnx)  # before writing: a study that refuses leaves nothing half-done
    write_file(out, onnx, ours=_ours("an ONNX file"), what="an ONNX file")
    write_text(
        meta_path, json.dumps(meta, indent=1) + "\n", ours=_ours("an export's metadata"), what="an export's metadata"
    )
    return out, meta_path


def _ours(what: str):
    """Which existing files an export may replace: an earlier export only, not a file of the user's.

    An ONNX file is an earlier export when the metadata next to it records its SHA-256; a metadata
    file when it is JSON with this module's keys.
    """

    def metadata_file(path: Path) -> dict | None:
        try:
            meta = json.loads(path.read_text(encoding="utf8"))
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) and {"format", "onnx", "weights"} <= meta.keys() else None

    def ours(path: Path) -> bool:
        if what == "an ONNX file":
            meta = metadata_file(path.with_suffix(".json"))
            try:
                return meta is not None and meta["onnx"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
            except (OSError, TypeError, KeyError):
                return False
        return metadata_file(path) is not None

    return ours


def stale(folder: str | Path) -> list[str]:
    """Return what is wrong with the exports in ``folder`` (empty when every shipped generator's is current).

    An export is stale when its metadata or network is missing, its format is older than ``FORMAT``,
    its network is not the file it recorded, or the shipped weights (or their stored directions) changed since.
    """
    folder = Path(folder)
    problems = []
    for name in PLAYGROUND:
        onnx_path, meta_path = folder / f"{name}.onnx", folder / f"{name}.json"
        if not onnx_path.is_file() or not meta_path.is_file():
            problems.append(f"{name}: {onnx_path.name} or {meta_path.name} is missing")
            continue
        meta = json.loads(meta_path.read_text(encoding="utf8"))
        if meta.get("format") != FORMAT:
            problems.append(f"{name}: metadata format {meta.get('format')}, expected {FORMAT}")
        elif meta["weights"]["sha256"] != pretrained.sha256(name):
            problems.append(f"{name}: exported from other weights than the shipped {meta['weights']['file']}")
        elif hashlib.sha256(onnx_path.read_bytes()).hexdigest() != meta["onnx"]["sha256"]:
            problems.append(f"{name}: {onnx_path.name} is not the network its metadata describes")
        else:
            try:
                current = None if meta["conditional"] else stored_directions(name)
            except ValueError as err:
                problems.append(f"{name}: {err}")
                continue
            if meta["directions"] != current:
                problems.append(f"{name}: the stored latent directions changed since the export")
    return problems
