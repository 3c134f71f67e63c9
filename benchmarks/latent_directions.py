"""The latent directions the playground's sliders follow: where the shipped generators' images change most.

    .venv/bin/python benchmarks/latent_directions.py   # about 2 minutes on a recent 2-core CPU; no MNIST needed

For each shipped unconditional generator (``mlp-gan``, ``dcgan``) it runs ``gan.latent.directions``
twice, on ``N`` seeds drawn from seed 0 and on ``N`` drawn from seed 1, and stores the first estimate's
``K`` directions with, for each, the root-mean-square pixel change per unit step and ``agreement``:
the absolute cosine between the two estimates of that direction (1: the seeds chosen do not matter).
Writes ``gan/studies/latent_directions.csv`` (``gan.pretrained.study("latent_directions")``) with the
SHA-256 of the weights it read; ``python -m gan export-onnx`` copies the directions into the exports
and refuses them if the weights have changed since.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

import gan

MODELS = ("mlp-gan", "dcgan")
K, N = 3, 512
SEEDS = (0, 1)  # the stored estimate, and an independent one to check it against

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import check_study_writable, write_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "latent_directions.csv"


def main() -> int:
    check_study_writable(OUT)  # before the runs, not after them
    torch.manual_seed(0)
    rows = []
    for name in MODELS:
        G = gan.pretrained.load(name)
        (stored, rms), (check, _) = (gan.latent.directions(G, k=K, n=N, seed=seed) for seed in SEEDS)
        agreement = (stored * check).sum(1).abs()
        for i in range(K):
            rows.append(
                dict(
                    model=name,
                    weights_sha256=gan.pretrained.sha256(name),
                    seed=SEEDS[0],
                    n=N,
                    direction=i + 1,
                    rms_change=round(rms[i].item(), 4),
                    agreement=round(agreement[i].item(), 4),
                    **{f"v{j}": f"{x:.8g}" for j, x in enumerate(stored[i].tolist())},
                )
            )
            print(f"{name}: direction {i + 1}, rms change {rms[i]:.3f}, agreement {agreement[i]:.3f}", flush=True)
    write_study(rows, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
