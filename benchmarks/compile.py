"""Does torch.compile pay on this machine? Time training steps with plain and compiled networks, side by side.

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/compile.py   # about 75 s on 2 CPU cores

For the MLP GAN and the 28x28 DCGAN (package defaults, the engine's precision and layout), the same
networks run ``gan.training.train_step`` as they are and wrapped in ``torch.compile``, in alternating
rounds in one process after a warm-up round that includes the compilation. Prints how long the
compilation took, each round's ms per step, the medians and their ratio. The engine leaves
``torch.compile`` out on the CPU because of what this script measures (see the README).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time

import torch

import gan
from gan import TrainConfig, pick_device, precision_context, training_dtype
from gan.fast import adam, prepare, train_step

from bench import positive, synchronize  # the sibling script's argument type and device wait

NETWORKS = ("mlp", "dcgan")  # model families of gan.models' registry, with their default options
# ATEN_CPU_CAPABILITY (the README's emulation of an AVX2-only CPU sets it to avx2) restricts the eager kernels
# but not the vector width torch.compile generates its C++ for (pytorch/pytorch#123224); on an AVX-512 CPU
# the two then disagree (outputs up to 1.7 apart). Give the compiled code the same width.
SIMD_BITS = {"avx2": 256, "avx512": 512}
STEPS = {"mlp": 200, "dcgan": 20}  # per round: about a second of training on 2 CPU cores


def compare(model: str, rounds: int, steps: int, device: torch.device) -> bool:
    """Print the ms per step of plain and compiled networks; return whether both gave the same outputs."""
    capability = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    if device.type == "cpu" and capability in SIMD_BITS:
        from torch._inductor import config as inductor_config

        inductor_config.cpp.simdlen = SIMD_BITS[capability]
    gen = gan.seed_everything(0)
    stream = gan.batches(gan.load_mnist(train=True).images.to(device), 64, generator=gen)
    config = TrainConfig(batch_size=64, loss="bce_logits", lr_d=1e-3, lr_g=1e-3, fast=True)
    G, D = (gan.models.build(model, part).to(device) for part in ("generator", "discriminator"))
    prepare(device, G, D)
    dtype = training_dtype(config.precision, device, G, D)

    variants = {}
    for name in ("plain", "compiled"):
        g, d = copy.deepcopy(G), copy.deepcopy(D)
        opt_d, opt_g = adam(d.parameters(), config.lr_d, config.betas), adam(g.parameters(), config.lr_g, config.betas)
        if name == "compiled":
            batch_independent = getattr(d, "batch_independent", False)
            g, d = torch.compile(g), torch.compile(d)
            d.batch_independent = batch_independent  # so that gan.fast.judge treats it as the plain D
        variants[name] = (g, d, opt_d, opt_g)

    z = torch.randn(64, G.z_dim, device=device)
    with torch.no_grad():
        plain_out, compiled_out = (variants[name][0].eval()(z) for name in variants)
        same = torch.allclose(plain_out, compiled_out, atol=1e-4)
        real = next(stream)  # float in [-1, 1]
        same &= torch.allclose(variants["plain"][1].eval()(real), variants["compiled"][1].eval()(real), atol=1e-4)
    for g, d, _, _ in variants.values():
        g.train()
        d.train()

    def run_round(name: str) -> float:
        g, d, opt_d, opt_g = variants[name]
        synchronize(device)
        start = time.perf_counter()
        with precision_context(device, dtype):
            for _ in range(steps):
                train_step(g, d, next(stream), torch.randn(64, g.z_dim, device=device), opt_d, opt_g, config)
        synchronize(device)
        return (time.perf_counter() - start) / steps * 1000

    for name in variants:  # warm-up round, discarded: for the compiled networks it includes the compilation
        start = time.perf_counter()
        run_round(name)
        print(f"{model}, {name}: warm-up round (compilation included) {time.perf_counter() - start:.1f} s", flush=True)
    times = {name: [] for name in variants}
    for i in range(rounds):
        for name in list(variants)[:: 1 if i % 2 == 0 else -1]:  # alternate which goes first
            times[name].append(run_round(name))
        print(f"{model} round {i + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f} ms" for n in variants), flush=True)
    plain, compiled = (statistics.median(times[name]) for name in variants)
    print(
        f"{model}: median ms per step, plain {plain:.2f}, compiled {compiled:.2f}; compiled is "
        f"{plain / compiled:.2f}x the plain speed ({str(dtype).removeprefix('torch.')} products)\n",
        flush=True,
    )
    return bool(same)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(NETWORKS), default=list(NETWORKS))
    parser.add_argument("--rounds", type=positive(int), default=5, help="timed rounds per variant (default 5)")
    parser.add_argument(
        "--steps",
        type=positive(int),
        default=None,
        help="training steps per round (default: 200 for the MLP GAN, 20 for the DCGAN)",
    )
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: the fastest available)")
    args = parser.parse_args(argv)
    device = pick_device(args.device)

    print(f"{torch.get_num_threads()} threads, torch {torch.__version__}, device {device}\n")
    agree = True
    for model in args.models:
        if not compare(model, args.rounds, args.steps or STEPS[model], device):
            print(f"{model}: the compiled networks' outputs differ from the plain ones'")
            agree = False
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
