"""Command line: python -m gan {train,sample,train-classifier,train-sgan} ... (python -m gan --help)."""

from __future__ import annotations

import argparse
import sys


def _train_classifier(args) -> int:
    from .classifier import WEIGHTS, _save, accuracy, train_classifier
    from .data import load_mnist

    model = train_classifier(epochs=args.epochs, seed=args.seed)
    acc = accuracy(model, load_mnist(train=False))
    print(f"test accuracy: {acc:.4f}")
    if acc < 0.99:
        print("test accuracy is below 0.99; weights not saved", file=sys.stderr)
        return 1
    _save(model, acc, args.out or WEIGHTS)
    print(f"saved {args.out or WEIGHTS}")
    return 0


def _train(args) -> int:
    from dataclasses import asdict

    from .checkpoints import save_checkpoint
    from .training import NonFiniteLossError, TrainConfig, train_mnist

    if (args.seconds is None) == (args.epochs is None):
        print("give exactly one of --seconds S or --epochs E", file=sys.stderr)
        return 2
    if args.g_width is not None and args.model != "dcgan":
        print(f"--g-width sets the DCGAN generator's width; the {args.model} generator has none", file=sys.stderr)
        return 2
    if args.refine and args.model != "dcgan":
        print(f"--refine adds the DCGAN's 3x3 layers; the {args.model} networks have none", file=sys.stderr)
        return 2
    steps = None if args.epochs is None else args.epochs * (60_000 // args.batch_size)
    config = TrainConfig(steps=steps, seconds=args.seconds, batch_size=args.batch_size, loss="bce_logits",
                         lr_d=args.lr, lr_g=args.lr if args.lr_g is None else args.lr_g, ema=args.ema or None,
                         log_every=args.log_every, lr_decay=args.lr_decay, precision=args.precision)
    try:
        generator_config = {} if args.g_width is None else {"width": args.g_width}
        discriminator_config = {}
        if args.refine:
            generator_config |= {"refine": True, "final_conv": True}
            discriminator_config |= {"refine": True}
        result = train_mnist(args.model, config, generator_config or None, discriminator_config or None,
                             device=args.device, seed=args.seed)
    except NonFiniteLossError as err:
        # Keep what was learned before the blow-up: the networks were restored to the last good step.
        good = err.result
        save_checkpoint(args.out, args.model, good.generator, good.discriminator, half=args.half,
                        train_config=asdict(config) | {"seed": args.seed, "steps_done": good.steps})
        print(f"error: {err}\nsaved the last good networks (step {good.steps}) to {args.out}", file=sys.stderr)
        return 1
    if result.interrupted:
        print(f"interrupted after {result.steps} steps; saving what was learned so far", file=sys.stderr)
    G = result.ema_generator or result.generator
    last = result.history.iloc[-1] if len(result.history) else None
    print(f"trained {result.steps} steps in {result.seconds:.0f} s"
          + (f"; last losses d {last.d_loss:.3f}, g {last.g_loss:.3f}" if last is not None else ""))
    metrics = None
    if args.evaluate:
        from .metrics import evaluate
        from .sampling import sample

        metrics = evaluate(sample(G, 10_000, seed=args.seed))
        print("metrics (10,000 samples):", {k: round(v, 4) for k, v in metrics.items()})
    save_checkpoint(args.out, args.model, G, result.discriminator, half=args.half,
                    train_config=asdict(config) | {"seed": args.seed, "steps_done": result.steps},
                    **({"metrics": metrics} if metrics else {}))
    print(f"saved {args.out}")
    return 0


def _train_sgan(args) -> int:
    from .data import load_mnist
    from .sgan import (LONG_RUN, SUPERVISED_LR, SGANConfig, accuracy, labelled_index, save_classifier, train_sgan,
                       train_supervised, validation_split)

    settings = dict(LONG_RUN) if args.long else {}
    if args.supervised:
        settings["lr"] = SUPERVISED_LR  # the baseline's own rate, chosen on the validation images
    if args.steps is not None:
        settings["steps"] = args.steps
    config = SGANConfig(**settings, eval_every=args.eval_every, precision=args.precision)
    # Held-out training images watch the run; the test set is read once, at the end.
    data, validation = validation_split(load_mnist(train=True))
    labelled = labelled_index(data.labels, args.labels, seed=args.seed)
    fit = train_supervised if args.supervised else train_sgan
    result = fit(data, labelled, config, validation=validation, device=args.device, seed=args.seed)
    for step, acc in zip(result.history["step"], result.history["val_accuracy"]):
        print(f"step {step:6d}: validation accuracy {acc:.4f}")
    print(f"trained {config.steps} steps in {result.seconds:.0f} s on {args.labels} labels")
    extra = {}
    if args.test:  # opt-in: a test score printed after every trial run invites choosing settings on it
        extra["test_accuracy"] = accuracy(result.D, load_mnist(train=False))
        print(f"test accuracy {extra['test_accuracy']:.4f}")
    save_classifier(args.out, result, config, half=args.half, labels=args.labels, seed=args.seed,
                    method="supervised" if args.supervised else "SGAN", **extra)
    print(f"saved {args.out}")
    return 0


def _sample(args) -> int:
    import torch

    from . import pretrained
    from .checkpoints import load_generator
    from .sampling import sample

    if args.checkpoint in pretrained.names():
        G = pretrained.load(args.checkpoint, device=args.device or "cpu")
    else:
        G = load_generator(args.checkpoint, device=args.device or "cpu")
    images = sample(G, args.n, seed=args.seed).cpu()
    torch.save(images, args.out)
    print(f"saved {tuple(images.shape)} images in [-1, 1] to {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    from .checkpoints import model_names

    p = sub.add_parser("train", help="train a GAN on MNIST and save a checkpoint")
    p.add_argument("model", choices=model_names())
    budget = p.add_mutually_exclusive_group(required=True)
    budget.add_argument("--seconds", type=float, help="train for this many seconds")
    budget.add_argument("--epochs", type=int, help="train for this many passes over MNIST")
    p.add_argument("--out", required=True, help="checkpoint file to write")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate of both networks")
    p.add_argument("--lr-g", type=float, default=None, help="the generator's learning rate, if not --lr")
    p.add_argument("--lr-decay", action="store_true", help="decay the learning rates linearly to 0 (needs --epochs)")
    p.add_argument("--ema", type=float, default=0.998, help="decay of the averaged generator saved (0: none)")
    p.add_argument("--g-width", type=int, default=None,
                   help="DCGAN only: the generator's width, its feature maps at 14x14 (twice that at 7x7; default 64)")
    p.add_argument("--refine", action="store_true",
                   help="DCGAN only: add our 3x3 layers to both networks (refine, final_conv), as the shipped DCGAN has")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None, help="cuda, mps or cpu (default: the fastest available)")
    p.add_argument("--precision", choices=["auto", "float32", "bfloat16"], default="auto",
                   help="what the training step's products run in (auto: bfloat16 where the hardware has it)")
    p.add_argument("--half", action="store_true", help="store the weights as float16 (half the size)")
    p.add_argument("--evaluate", action="store_true", help="compute the metrics on 10,000 samples and store them")
    p.add_argument("--log-every", type=int, default=500)
    p.set_defaults(run=_train)

    p = sub.add_parser("sample", help="draw images from a checkpoint or a shipped generator")
    p.add_argument("checkpoint", help="a checkpoint file, or a shipped name (see gan.pretrained.names())")
    p.add_argument("--n", type=int, required=True, help="how many images")
    p.add_argument("--out", required=True, help="file to write: a tensor (N, 1, 28, 28) in [-1, 1] (torch.save)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None)
    p.set_defaults(run=_sample)

    p = sub.add_parser("train-classifier", help="train the MNIST classifier the metrics use (ships with the package)")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="where to save (default: the package's weights folder)")
    p.set_defaults(run=_train_classifier)

    p = sub.add_parser("train-sgan", help="train a semi-supervised GAN on a few labels and save its classifier")
    p.add_argument("--labels", type=int, default=100, help="labelled training images, balanced over the digits")
    p.add_argument("--long", action="store_true",
                   help="Salimans et al.'s networks and 15,000 steps (gan.sgan.LONG_RUN) instead of chapter 9's")
    p.add_argument("--steps", type=int, default=None, help="training steps (default: the chosen recipe's)")
    p.add_argument("--supervised", action="store_true",
                   help="train the baseline instead: the same discriminator on the labelled images only")
    p.add_argument("--eval-every", type=int, default=None, help="also record validation accuracy every this many steps")
    p.add_argument("--test", action="store_true",
                   help="score the finished classifier on the test set once (off by default: choose settings on "
                        "the validation accuracy, which every run prints)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None)
    p.add_argument("--precision", choices=["auto", "float32", "bfloat16"], default="auto")
    p.add_argument("--half", action="store_true", help="store the weights as float16 (half the size)")
    p.add_argument("--out", required=True, help="file to write the classifier to")
    p.set_defaults(run=_train_sgan)

    args = parser.parse_args(argv)
    from .checkpoints import CheckpointError
    from .data import MNISTCorruptError, MNISTNotFoundError

    try:
        return args.run(args)
    except (CheckpointError, MNISTNotFoundError, MNISTCorruptError, FileExistsError, FileNotFoundError,
            ValueError) as err:
        # The user's mistake or an environment problem: the message says what to do; no traceback.
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
