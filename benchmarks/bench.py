"""Benchmark of issue 5 ("Performance"): how fast does the package's engine train, and how good is what it trains?

Part 1, throughput: for the MLP GAN and the 28x28 DCGAN, the images/second of
  * "reference": a training loop written the way typical tutorials do (torchvision Dataset + DataLoader,
    BCEWithLogitsLoss against torch.ones/zeros targets, and a .item() + print of both losses every step),
  * "engine": ``gan.train_gan`` fed by ``gan.batches`` from MNIST held in memory,
  * "upstream-64" (DCGAN only): the PyTorch examples DCGAN (github.com/pytorch/examples, dcgan/main.py)
    at its native 64x64 resolution, for reference.
The loops run in turn in one process (in reverse order every other round) with fresh networks each round;
the first round is a discarded warm-up and each loop's images/s is the median of the timed rounds. One
step of each loop is run under ``FlopCounterMode`` to turn images/s into achieved TFLOP/s.

Part 2, quality per second: the engine trains each model for a fixed time budget, then the EMA generator's
10,000 samples are scored by ``gan.metrics.evaluate`` next to ``gan.metrics.real_data_floor()``.

Usage: python benchmarks/bench.py [--repeats 5] [--seconds-mlp 60 --seconds-dcgan 180] [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.flop_counter import FlopCounterMode
from torchvision import transforms

import gan
from gan.models import init_dcgan_weights

BATCH = 64
DEFAULT_OUT = Path(__file__).resolve().parent / "results"

# Training steps per timed round, chosen so that the engine's round lasts a few seconds: a training
# run's start-up (fresh optimizer state, first allocations) costs about 70 ms, 5% of a 300-step round
# of the MLP GAN on a CPU, and that is not the steady throughput a real run of thousands of steps sees.
STEPS = {
    "cpu": {"mlp": 1000, "dcgan": 120, "upstream-64": 3},
    "accelerator": {"mlp": 2000, "dcgan": 1000, "upstream-64": 300},
    "quick": {"mlp": 10, "dcgan": 3, "upstream-64": 1},
}

# Dense bf16 tensor-core peaks (TFLOP/s) from NVIDIA's data sheets; the first name found in the device's wins.
PEAK_TFLOPS = {"H100 PCIe": 756.0, "H100": 989.0, "H200": 989.0}

# The quality part's settings: the MLP as chapter 6's one-minute run (BatchNorm in G), the DCGAN as
# chapter 9's live run; both give G twice D's learning rate.
QUALITY = {
    "mlp": dict(lr_d=1e-3, lr_g=2e-3, generator_config=dict(layer_norm=False, batch_norm=True)),
    "dcgan": dict(lr_d=1e-3, lr_g=2e-3, generator_config=None),
}


class UpstreamGenerator(nn.Module):
    """pytorch/examples' DCGAN generator: z (N, nz, 1, 1) -> 4 -> 8 -> 16 -> 32 -> 64x64 images in [-1, 1]."""

    def __init__(self, nz: int = 100, ngf: int = 64, nc: int = 1):
        super().__init__()
        self.z_dim = nz
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )
        init_dcgan_weights(self)  # upstream's weights_init: N(0, 0.02) convolutions, N(1, 0.02) BatchNorm scales

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.main(z)


class UpstreamDiscriminator(nn.Module):
    """pytorch/examples' DCGAN discriminator: 64x64 images -> 32 -> 16 -> 8 -> 4 -> a probability (N,)."""

    def __init__(self, ndf: int = 64, nc: int = 1):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )
        init_dcgan_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x).view(-1, 1).squeeze(1)


NETWORKS = {
    # the package's model families, from its registry, with their default options
    **{
        name: (lambda name=name: (gan.models.build(name, "generator"), gan.models.build(name, "discriminator")))
        for name in ("mlp", "dcgan")
    },
    "upstream-64": lambda: (UpstreamGenerator(), UpstreamDiscriminator()),  # pytorch/examples' DCGAN, for reference
}


def tutorial_dataset(resize: int | None = None) -> torchvision.datasets.MNIST:
    """Return MNIST's training set as tutorials load it: PIL images through ToTensor and Normalize to [-1, 1]."""
    steps = [transforms.Resize(resize)] if resize else []
    steps += [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]
    return torchvision.datasets.MNIST(
        str(gan.data_root()), train=True, download=False, transform=transforms.Compose(steps)
    )


def epochs(loader: DataLoader):
    """Yield the loader's batches epoch after epoch, reshuffled each time, like a tutorial's epoch loop."""
    while True:
        yield from loader


def reference_run(G: nn.Module, D: nn.Module, dataset, device: torch.device, steps: int) -> int:
    """Train ``steps`` steps the way typical tutorials do and return the number of images trained on."""
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True)
    criterion = nn.BCEWithLogitsLoss()
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    images = 0
    for step, (real, _) in enumerate(itertools.islice(epochs(loader), steps)):
        real = real.to(device)
        b = real.size(0)
        fake = G(torch.randn(b, G.z_dim, device=device))
        d_loss = criterion(D(real), torch.ones(b, 1, device=device)) + criterion(
            D(fake.detach()), torch.zeros(b, 1, device=device)
        )
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = criterion(D(fake), torch.ones(b, 1, device=device))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        print(f"step {step} d_loss {d_loss.item():.4f} g_loss {g_loss.item():.4f}")
        images += b
    return images


def engine_run(G: nn.Module, D: nn.Module, images: torch.Tensor, device: torch.device, steps: int) -> int:
    """Train ``steps`` steps with ``gan.train_gan`` on in-memory uint8 ``images`` and return the images trained on."""
    stream = gan.batches(images, BATCH)
    config = gan.TrainConfig(
        steps=steps, batch_size=BATCH, loss="bce_logits", lr_d=2e-4, lr_g=2e-4, precision="auto", fast=True
    )
    gan.train_gan(
        G, D, lambda n: next(stream), lambda n: torch.randn(n, G.z_dim, device=device), config, progress=False
    )
    return steps * BATCH


def upstream_run(netG: nn.Module, netD: nn.Module, dataset, device: torch.device, steps: int) -> int:
    """Train ``steps`` steps with pytorch/examples' DCGAN loop (BCELoss, three .item()s and a print per step)."""
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True)
    criterion = nn.BCELoss()
    optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real_label, fake_label = 1.0, 0.0
    images = 0
    for i, data in enumerate(itertools.islice(epochs(loader), steps)):
        # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        real = data[0].to(device)
        batch_size = real.size(0)
        label = torch.full((batch_size,), real_label, dtype=real.dtype, device=device)
        output = netD(real)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()
        noise = torch.randn(batch_size, netG.z_dim, 1, 1, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()
        # (2) Update G: maximize log(D(G(z)))
        netG.zero_grad()
        label.fill_(real_label)
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optimizerG.step()
        print(
            "[%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f"  # noqa: UP031 (upstream's print)
            % (i, len(loader), errD.item(), errG.item(), D_x, D_G_z1, D_G_z2)
        )
        images += batch_size
    return images


@dataclass
class Case:
    """One timed training loop: which networks, which loop, on which data, for how many steps per round."""

    model: str  # the row's group: "mlp" or "dcgan"
    loop: str  # "reference", "engine" or "upstream-64"
    networks: Callable[[], tuple[nn.Module, nn.Module]]
    run: Callable[[nn.Module, nn.Module, object, torch.device, int], int]
    data: object
    steps: int


def make_cases(steps: dict[str, int], images: torch.Tensor) -> list[Case]:
    """Return the five loops to time: reference and engine for each model, plus the upstream 64x64 DCGAN."""
    mnist_28, mnist_64 = tutorial_dataset(), tutorial_dataset(resize=64)
    cases = []
    for model in ("mlp", "dcgan"):
        cases.append(Case(model, "reference", NETWORKS[model], reference_run, mnist_28, steps[model]))
        cases.append(Case(model, "engine", NETWORKS[model], engine_run, images, steps[model]))
    cases.append(Case("dcgan", "upstream-64", NETWORKS["upstream-64"], upstream_run, mnist_64, steps["upstream-64"]))
    return cases


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work, so that the clock measures computation, not queueing."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def images_per_second(case: Case, device: torch.device) -> float:
    """Time one round of ``case`` with fresh networks (its prints go to a buffer) and return images/s."""
    G, D = (net.to(device) for net in case.networks())
    synchronize(device)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        images = case.run(G, D, case.data, device, case.steps)
    synchronize(device)
    return images / (time.perf_counter() - start)


def flops_per_step(case: Case, device: torch.device) -> int:
    """Count the floating-point operations of one training step of ``case`` (matmuls and convolutions)."""
    G, D = (net.to(device) for net in case.networks())
    with FlopCounterMode(display=False) as counter, contextlib.redirect_stdout(io.StringIO()):
        case.run(G, D, case.data, device, 1)
    return counter.get_total_flops()


def time_rounds(cases: list[Case], device: torch.device, repeats: int, warmup: int) -> dict[str, list[float]]:
    """Run every case once per round and return each case's images/s over the rounds after warm-up.

    Every other round runs the cases in reverse order, so that no loop always runs first.
    """
    speeds = {case.loop: [] for case in cases}
    for round_ in range(warmup + repeats):
        order = cases if round_ % 2 == 0 else cases[::-1]
        measured = {case.loop: images_per_second(case, device) for case in order}
        label = "warm-up" if round_ < warmup else f"round {round_ - warmup + 1}/{repeats}"
        print(
            f"{cases[0].model} {label}: " + ", ".join(f"{loop} {v:,.0f} images/s" for loop, v in measured.items()),
            flush=True,
        )
        if round_ >= warmup:
            for loop, value in measured.items():
                speeds[loop].append(value)
    return speeds


def throughput_rows(
    cases: list[Case], device: torch.device, repeats: int, warmup: int, peak_tflops: float | None
) -> list[dict]:
    """Time the cases of each model and return one row per case with the median images/s and derived figures."""
    rows = []
    for model in dict.fromkeys(case.model for case in cases):
        group = [case for case in cases if case.model == model]
        speeds = time_rounds(group, device, repeats, warmup)
        engine = statistics.median(speeds["engine"])
        for case in group:
            median = statistics.median(speeds[case.loop])
            flops = flops_per_step(case, device)
            tflops = flops / BATCH * median / 1e12
            row = dict(
                part="throughput",
                model=model,
                loop=case.loop,
                batch_size=BATCH,
                steps=case.steps,
                repeats=repeats,
                images_per_s=median,
                engine_speedup=engine / median if case.loop != "engine" else None,
                flops_per_step=flops,
                tflops=tflops,
                images_per_s_rounds=speeds[case.loop],
            )
            if peak_tflops is not None:
                row["peak_fraction"] = tflops / peak_tflops
            rows.append(row)
    return rows


def quality_row(model: str, seconds: float, device: torch.device, mnist: gan.MNIST, floor: dict) -> dict:
    """Train ``model`` with the engine for ``seconds`` and return its EMA generator's metrics as a row."""
    settings = QUALITY[model]
    # the model's recipe (batches of 64, logits, Adam with beta1 0.5, the fast path), with this budget's settings
    config = gan.recipes.get(model).train_config(
        steps=None,
        seconds=seconds,
        lr_d=settings["lr_d"],
        lr_g=settings["lr_g"],
        ema=0.998,
        precision="auto",
        log_every=100,
        lr_decay=False,
    )
    result = gan.train_mnist(
        model, config, generator_config=settings["generator_config"], device=device, data=mnist, progress=False
    )
    metrics = gan.metrics.evaluate(gan.sample(result.ema_generator, 10_000, seed=1))
    return metric_row(
        model,
        "engine",
        metrics,
        floor,
        seconds=seconds,
        steps=result.steps,
        images_per_s=result.steps * BATCH / result.seconds,
    )


def metric_row(model: str, loop: str, metrics: dict, floor: dict, **extra) -> dict:
    """Return a quality row: ``extra`` then the metrics, with the Fréchet distance also as a multiple of the floor's."""
    return dict(
        part="quality",
        model=model,
        loop=loop,
        **extra,
        classes_covered=metrics["classes_covered"],
        frechet_distance=metrics["frechet_distance"],
        fd_over_floor=metrics["frechet_distance"] / floor["frechet_distance"],
        classifier_score=metrics["classifier_score"],
        precision=metrics["precision"],
        recall=metrics["recall"],
    )


def quality_rows(seconds: dict[str, float], device: torch.device, mnist: gan.MNIST) -> list[dict]:
    """Return one quality row per model, then the real-data floor's row to judge them by."""
    floor = gan.metrics.real_data_floor()
    rows = []
    for model, budget in seconds.items():
        print(f"quality: training {model} for {budget:g} s", flush=True)
        rows.append(quality_row(model, budget, device, mnist, floor))
    return rows + [metric_row("real MNIST", "floor", floor, floor)]


def cpu_model() -> str:
    """Return the CPU's model name from /proc/cpuinfo, or what ``platform`` knows elsewhere."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def add_names(args: list[str], script: str) -> list[str] | None:
    """Read a study script's arguments, ``[--add NAME ...]``: the names to retrain, or None for all of them."""
    if args and args[0] != "--add" or args == ["--add"]:
        sys.exit(f"usage: {script} [--add NAME ...]")
    return args[1:] or None


def check_names(script: str, only: list[str] | None, known: list[str], what: str = "variants") -> None:
    """Before a study's runs: exit with one line if ``--add`` named something the script does not train."""
    unknown = sorted(set(only or []) - set(known))
    if unknown:
        raise SystemExit(f"{script}: unknown {what} {unknown}; known: {list(known)}")


def save_study(rows: list[dict], out: Path, key: str, order: list[str], only: list[str] | None) -> None:
    """Write a study's rows to ``out``; after ``--add NAME ...`` (``only``) keep the other names' stored rows."""
    if only:
        rows = merge_into_study(rows, out, key, order)
    write_study(rows, out)


def merge_into_study(rows: list[dict], out: Path, key: str, order: list[str]) -> list[dict]:
    """Return the stored rows of ``out`` with those whose ``key`` the new ``rows`` retrain replaced by them.

    For a script's ``--add NAME ...``: the other names' rows are kept (so they must come from the same
    machine), and all rows are sorted by ``order`` (the script's list of names), then seed and step.
    """
    new = pd.DataFrame(rows)
    old = pd.read_csv(out).drop(columns="machine")
    merged = pd.concat([old[~old[key].isin(new[key])], new])
    merged["order"] = merged[key].map(order.index)
    return merged.sort_values(["order", "seed", "step"], kind="stable").drop(columns="order").to_dict("records")


STUDY, RESULTS = "a study written by these scripts", "an earlier run of this benchmark"  # what may be replaced


def write_study(rows: list[dict], out: Path) -> None:
    """Write a study's rows to the CSV ``out`` with the machine in every row, atomically (a partial file never lands)."""
    table = pd.DataFrame(rows)
    table["machine"] = f"{cpu_model()}, {torch.backends.cpu.get_cpu_capability()}, torch {torch.__version__}, float32"
    gan.files.write_text(out, table.to_csv(index=False), ours=_is_study, what=STUDY)
    print(f"wrote {out}")


def _is_study(path: Path) -> bool:
    return gan.files.has_columns("seed", "machine")(path)


def exit_unless_writable(path: Path, ours: Callable[[Path], bool], what: str) -> None:
    """Before the runs: exit with one line if ``path`` cannot be written (not after twenty minutes)."""
    try:
        gan.files.check_writable(path, ours=ours, what=what)
    except OSError as err:  # also FileExistsError: a file there that is not ``what``
        sys.exit(f"error: {err}")


def ring_run(
    key: str, name: str, recipe: str, seed: int, steps: int, std: float, every: int, width: int = 36, **options
) -> list[dict]:
    """Train ``gan.toy.train_recipe(recipe, ...)`` (``options`` go to it) on the ring with two threads, score
    modes covered and the high-quality share every ``every`` updates, print the last scores, and return
    the study rows ``{key: name, seed, step, modes, hq, seconds}``."""
    from gan import toy

    trace = []

    def record(step, G, D):
        trace.append(dict(step=step, **toy.ring_scores(G, std)))

    result = toy.train_recipe(recipe, seed, steps, std, log_every=every, callback=record, threads=2, **options)
    seconds = result.history.set_index("step")["seconds"]
    last = trace[-1]
    print(
        f"{name:>{width}}, seed {seed}: {last['modes']} modes, high-quality share {last['hq']:.3f}, "
        f"{result.seconds:.0f} s",
        flush=True,
    )
    return [{key: name, "seed": seed, **row, "seconds": round(seconds[row["step"]], 1)} for row in trace]


def check_study_writable(out: Path) -> None:
    """Before a study's runs: exit with one line if ``out`` cannot be written."""
    exit_unless_writable(out, _is_study, STUDY)


def hardware(device: torch.device) -> dict:
    """Return what the timings depend on: CPU, thread count, device, library versions, and the date."""
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else device.type
    # The engine's "auto" precision, by train_gan's own rule; the DCGAN, also above its size threshold, gets the same.
    engine_precision = str(gan.training_dtype("auto", device, gan.MLPGenerator(), gan.MLPDiscriminator()))
    return dict(
        cpu=cpu_model(),
        threads=torch.get_num_threads(),
        device=name,
        engine_precision=engine_precision.removeprefix("torch."),
        torch=torch.__version__,
        torchvision=torchvision.__version__,
        python=platform.python_version(),
        date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def default_peak(device_name: str) -> float | None:
    """Return the dense bf16 peak TFLOP/s of a known GPU, or None."""
    return next((peak for name, peak in PEAK_TFLOPS.items() if name in device_name), None)


def write_results(rows: list[dict], info: dict, settings: dict, out: Path) -> None:
    """Write results.csv (one row per measurement, the hardware in every row) and results.json (with each round)."""
    table = pd.DataFrame(rows).drop(columns="images_per_s_rounds").assign(**info)
    gan.files.write_text(out / "results.csv", table.to_csv(index=False), ours=_is_results_csv, what=RESULTS)
    gan.files.write_text(
        out / "results.json",
        json.dumps(dict(hardware=info, settings=settings, results=rows), indent=2),
        ours=_is_results_json,
        what=RESULTS,
    )


def _is_results_csv(path: Path) -> bool:
    return gan.files.has_columns("cpu", "device", "torch", "date")(path)


def _is_results_json(path: Path) -> bool:
    try:
        return set(json.loads(path.read_text())) == {"hardware", "settings", "results"}
    except (OSError, ValueError):
        return False


def show(rows: list[dict], info: dict) -> None:
    """Print the hardware, then the throughput and the quality table."""
    print("\n" + ", ".join(f"{key}: {value}" for key, value in info.items()))
    for part in ("throughput", "quality"):
        table = pd.DataFrame([row for row in rows if row["part"] == part])
        if len(table):
            table = table.drop(columns=["part", "batch_size", "flops_per_step", "images_per_s_rounds"], errors="ignore")
            print(
                f"\n{part}\n"
                + table.to_string(
                    index=False, na_rep="-", float_format="{:.3g}".format, formatters={"images_per_s": "{:,.0f}".format}
                )
            )


def positive(kind: type) -> Callable[[str], int | float]:
    """Return an argparse type that parses ``kind`` and accepts only values above zero."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        return value

    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(description="Benchmark the gan engine against tutorial-style training loops.")
    parser.add_argument(
        "--repeats",
        type=positive(int),
        default=None,
        help="timed rounds per loop after one warm-up round; each loop reports the median "
        "(default 5, or 1 and no warm-up with --quick)",
    )
    parser.add_argument(
        "--seconds-mlp",
        type=positive(float),
        default=60.0,
        help="training budget of the MLP in the quality part (default 60)",
    )
    parser.add_argument(
        "--seconds-dcgan",
        type=positive(float),
        default=180.0,
        help="training budget of the DCGAN in the quality part (default 180)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: a few steps per loop, one round, no warm-up, no quality part"
    )
    quality = parser.add_mutually_exclusive_group()
    quality.add_argument("--skip-quality", action="store_true", help="skip the quality part")
    quality.add_argument("--quality", action="store_true", help="run the quality part even with --quick")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: gan.pick_device())")
    parser.add_argument(
        "--peak-tflops",
        type=positive(float),
        default=None,
        help="the device's peak TFLOP/s, to report the fraction achieved "
        "(default: the dense bf16 peak of an H100 or H200, 989, or 756 for an H100 PCIe; "
        "elsewhere no fraction)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for results.csv and results.json (default {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    try:
        args.device = gan.pick_device(args.device)
    except ValueError as err:
        parser.error(str(err))
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print its tables and write the results; return the exit status."""
    args = parse_args(argv)
    gan.seed_everything(0)
    device = args.device
    repeats = args.repeats or (1 if args.quick else 5)
    warmup = 0 if args.quick else 1
    steps = STEPS["quick" if args.quick else "cpu" if device.type == "cpu" else "accelerator"]
    info = hardware(device)
    peak = args.peak_tflops or default_peak(info["device"])
    run_quality = args.quality or not (args.skip_quality or args.quick)
    seconds = {"mlp": args.seconds_mlp, "dcgan": args.seconds_dcgan}
    settings = dict(
        batch_size=BATCH,
        repeats=repeats,
        warmup=warmup,
        steps=steps,
        peak_tflops=peak,
        quality_seconds=seconds if run_quality else None,
        quick=args.quick,
    )

    try:  # before the work, not after it
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        sys.exit(f"error: {err}")
    exit_unless_writable(args.out / "results.csv", _is_results_csv, RESULTS)
    exit_unless_writable(args.out / "results.json", _is_results_json, RESULTS)
    mnist = gan.load_mnist()
    rows = throughput_rows(make_cases(steps, mnist.images.to(device)), device, repeats, warmup, peak)
    if run_quality:
        rows += quality_rows(seconds, device, mnist)
    write_results(rows, info, settings, args.out)
    show(rows, info)
    print(f"\nwrote {args.out / 'results.csv'} and {args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
