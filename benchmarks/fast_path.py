"""Does the fast path pay? Time the plain training step and gan.fast's, side by side, in one process.

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/fast_path.py   # about a minute on 2 CPU cores

For the MLP GAN and Radford et al.'s DCGAN (the package defaults), two copies of the same networks
train in alternating rounds: one with ``TrainConfig(fast=False)`` (``gan.train_step``, plain Adam, the
default layout), one with ``fast=True`` (``gan.fast``: fused Adam, the one-pass discriminator where it
applies, channels-last convolutions). Both in float32. Prints each round's ms per step, the medians
and their ratio, and checks first that the one-pass verdicts equal the two passes' (to 1e-5; it says
whether bit for bit).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch

import gan
from gan import TrainConfig, fast
from gan.training import make_optimizer

from bench import positive  # the sibling script's argument type


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=positive(int), default=5, help="timed rounds per variant (default 5)")
    parser.add_argument(
        "--steps",
        type=positive(int),
        default=100,
        help="MLP GAN steps per round (default 100; the DCGAN gets a fifth of them)",
    )
    args = parser.parse_args(argv)

    gen = gan.seed_everything(0, threads=torch.get_num_threads())
    images = gan.load_mnist(train=True).images
    stream = gan.batches(images, 64, generator=gen)
    real = gan.to_float(images[:64])
    ok = True
    for model, steps in (("mlp", args.steps), ("dcgan", max(1, args.steps // 5))):
        recipe = gan.recipes.get(model)
        G, D = recipe.build("generator"), recipe.build("discriminator")
        with torch.no_grad():
            fake = G(torch.randn(64, G.z_dim))
            pairs = list(zip(fast.judge(D, real, fake), (D(real), D(fake))))
        gap = max((a - b).abs().max().item() for a, b in pairs)
        ok &= gap <= 1e-5
        same = "bit for bit" if all(torch.equal(a, b) for a, b in pairs) else f"to {gap:.1e}"
        if D.batch_independent:
            print(f"{model}: the one-pass verdicts equal the two passes' {same}")
        else:
            print(f"{model}: its discriminator mixes a batch (BatchNorm), so the fast step keeps two passes")

        variants = {}
        for name, is_fast in (("plain", False), ("fast", True)):
            config = TrainConfig(batch_size=64, loss="bce_logits", lr_d=1e-3, lr_g=1e-3, fast=is_fast)
            g, d = copy.deepcopy(G), copy.deepcopy(D)
            if is_fast:
                fast.prepare(torch.device("cpu"), g, d)
            step = fast.faster(gan.train_step) if is_fast else gan.train_step
            variants[name] = (
                g,
                d,
                make_optimizer(d.parameters(), config, 1e-3),
                make_optimizer(g.parameters(), config, 1e-3),
                config,
                step,
            )

        def run_round(name: str) -> float:
            g, d, opt_d, opt_g, config, step = variants[name]
            start = time.perf_counter()
            for _ in range(steps):
                step(g, d, next(stream), torch.randn(64, g.z_dim), opt_d, opt_g, config)
            return (time.perf_counter() - start) / steps * 1000

        for name in variants:  # warm-up round, discarded
            run_round(name)
        times = {name: [] for name in variants}
        for i in range(args.rounds):
            for name in list(variants)[:: 1 if i % 2 == 0 else -1]:  # alternate which goes first
                times[name].append(run_round(name))
            print(f"  round {i + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f} ms" for n in variants), flush=True)
        plain, quick = (statistics.median(times[name]) for name in variants)
        print(f"  median ms per {model} step: plain {plain:.2f}, fast {quick:.2f}; fast is {plain / quick:.2f}x faster")
    print(f"{torch.get_num_threads()} threads, torch {torch.__version__}, float32")
    if not ok:
        print("one pass and two passes disagree by more than 1e-5: gan.fast.judge is wrong")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
