"""Does judging real and fake images in one pass pay? Time one training step both ways, side by side.

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/judge.py   # about 20 s on 2 CPU cores

The MLP GAN with the package defaults (LayerNorm in D, so ``D.batch_independent`` is True and
``gan.training.judge`` sends the real batch and the fakes through D as one batch of 128) against the
same networks with ``batch_independent`` switched off (two passes of 64), in alternating rounds of
``train_step`` in one process. Prints each round's ms per step, the medians and their ratio.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch

import gan
from bench import positive  # the sibling script's argument type
from gan import TrainConfig, precision_context, training_dtype
from gan.training import adam, judge, train_step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=positive(int), default=7, help="timed rounds per variant (default 7)")
    parser.add_argument("--steps", type=positive(int), default=200, help="training steps per round (default 200)")
    args = parser.parse_args(argv)

    gen = gan.seed_everything(0)
    images = gan.load_mnist(train=True).images
    stream = gan.batches(images, 64, generator=gen)
    config = TrainConfig(batch_size=64, loss="bce_logits", lr_d=1e-3, lr_g=1e-3)
    G, D = gan.MLPGenerator(), gan.MLPDiscriminator()
    assert D.batch_independent, "the default MLP discriminator should judge each image on its own"

    variants = {}
    for name, one_pass in (("one pass", True), ("two passes", False)):
        g, d = copy.deepcopy(G), copy.deepcopy(D)
        d.batch_independent = one_pass
        opt_d, opt_g = adam(d.parameters(), config.lr_d, config.betas), adam(g.parameters(), config.lr_g, config.betas)
        variants[name] = (g, d, opt_d, opt_g)
    dtype = training_dtype(config.precision, torch.device("cpu"), G, D)

    real, fake = gan.to_float(images[:64]), G(torch.randn(64, G.z_dim)).detach()
    with torch.no_grad():
        same = all(torch.allclose(a, b, atol=1e-5) for a, b in zip(judge(D, real, fake), (D(real), D(fake))))
    print(f"one pass gives the two passes' verdicts: {same}")

    def run_round(name: str) -> float:
        g, d, opt_d, opt_g = variants[name]
        start = time.perf_counter()
        with precision_context(torch.device("cpu"), dtype):
            for _ in range(args.steps):
                train_step(g, d, next(stream), torch.randn(64, g.z_dim), opt_d, opt_g, config)
        return (time.perf_counter() - start) / args.steps * 1000

    for name in variants:  # warm-up round, discarded
        run_round(name)
    times = {name: [] for name in variants}
    for i in range(args.rounds):
        for name in list(variants)[:: 1 if i % 2 == 0 else -1]:  # alternate which goes first
            times[name].append(run_round(name))
        print(f"round {i + 1}: " + ", ".join(f"{name} {times[name][-1]:.2f} ms" for name in variants), flush=True)
    one, two = (statistics.median(times[name]) for name in variants)
    print(f"\n{torch.get_num_threads()} threads, torch {torch.__version__}, products in {str(dtype).removeprefix('torch.')}")
    print(f"median ms per MLP GAN step: one pass {one:.2f}, two passes {two:.2f}; one pass is {two / one:.2f}x faster")
    if not same:
        print("one pass and two passes disagree: judge is wrong")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
