"""Command line: python -m gan {train,recipes,sample,train-classifier,train-sgan} ... (python -m gan --help)."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from pathlib import Path


def _train_classifier(args) -> int:
    from .classifier import WEIGHTS, accuracy, is_classifier_file, save_weights, train_classifier
    from .data import load_mnist
    from .files import check_writable

    out = args.out or WEIGHTS
    check_writable(out, ours=is_classifier_file, what="classifier weights saved by gan")  # before the work
    model = train_classifier(epochs=args.epochs, seed=args.seed)
    acc = accuracy(model, load_mnist(train=False))
    print(f"test accuracy: {acc:.4f}")
    if acc < 0.99:
        print("test accuracy is below 0.99; weights not saved", file=sys.stderr)
        return 1
    save_weights(model, acc, out)
    print(f"saved {out}")
    return 0


# The settings a resumed run takes from its state file; giving one of them with --resume is refused.
_TRAIN_SETTINGS = (
    "recipe",
    "seconds",
    "epochs",
    "steps",
    "batch_size",
    "lr",
    "lr_g",
    "lr_decay",
    "ema",
    "g_width",
    "refine",
    "seed",
    "precision",
    "half",
    "evaluate",
    "log_every",
    "checkpoint_every",
)
_SGAN_SETTINGS = (
    "labels",
    "long",
    "steps",
    "supervised",
    "eval_every",
    "test",
    "seed",
    "precision",
    "half",
    "checkpoint_every",
)


def _resumed(args, settings, command) -> tuple[dict | None, dict | None]:
    """Return (state, run) for ``--resume`` (run: how the run was started, with this --out and --device), else Nones."""
    if args.resume is None:
        return None, None
    given = [name for name in settings if name in args.given]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise ValueError(
            f"--resume continues the saved run with its own settings; drop {flags} "
            "(only --out and --device may be given)."
        )
    from .resume import load_state

    state = load_state(args.resume, command)
    run = dict(state["run"])
    if args.out is not None:
        run["out"] = str(Path(args.out).resolve())
    if args.device is not None and args.device != run["device"]:
        print(
            f"note: the run started on {run['device']} and goes on on {args.device}; it will not end bitwise "
            "identical to an uninterrupted run",
            file=sys.stderr,
        )
        run["device"] = args.device
    print(
        f"resuming {run['out']} at step {state['step']} of {run['config']['steps'] or '-'} "
        f"({state['seconds']:.0f} s already trained)"
    )
    return state, run


def _checkpointing(args, run: dict, size: int):
    """Return the ``Checkpointing`` that ``--checkpoint-every`` asks for (or None), its state file checked first."""
    from .files import check_writable
    from .resume import Checkpointing, Every, is_state_file, state_path

    if run["checkpoint_every"] is None:
        return None
    if args.resume is not None:
        path = Path(args.resume)
    else:
        path = state_path(run["out"])
        if path.exists() and is_state_file(path):  # an interrupted run's progress: never thrown away by a restart
            raise FileExistsError(
                f"{path} holds the state of an interrupted run. Continue it with: python -m gan "
                f"{run['command']} --resume {shlex.quote(str(path))}, or delete it to start afresh."
            )
    check_writable(path, ours=is_state_file, what="a gan training state", size=size)
    return Checkpointing(path, Every.parse(run["checkpoint_every"]), run)


def _start(args, command: str, config) -> dict:
    """The plain values that describe a new run, saved with its states so that --resume can rebuild it."""
    from dataclasses import asdict

    from .device import pick_device

    if args.checkpoint_every is not None:
        from .resume import Every

        Every.parse(args.checkpoint_every)  # a bad interval fails now, not at the first save
    return dict(
        command=command,
        config=asdict(config),
        seed=args.seed,
        out=str(Path(args.out).resolve()),
        device=str(pick_device(args.device)),
        half=args.half,
        checkpoint_every=args.checkpoint_every,
    )


def _train(args) -> int:
    from dataclasses import asdict

    from .checkpoints import load_checkpoint, readable_by, save_checkpoint
    from .files import WriteError, check_writable
    from .models import build
    from .recipes import get
    from .training import NonFiniteLossError, TrainConfig, train_mnist

    state, run = _resumed(args, _TRAIN_SETTINGS, "train")
    if state is None:
        if args.out is None or args.recipe is None:
            print(
                "give --recipe NAME (python -m gan recipes lists them) and --out FILE, or --resume STATE",
                file=sys.stderr,
            )
            return 2
        recipe = get(args.recipe)
        if args.g_width is not None and recipe.model != "dcgan":
            print(f"--g-width sets the DCGAN generator's width; the {recipe.model} generator has none", file=sys.stderr)
            return 2
        if args.refine and recipe.model != "dcgan":
            print(f"--refine adds the DCGAN's 3x3 layers; the {recipe.model} networks have none", file=sys.stderr)
            return 2
        # The recipe's settings, changed by the options given on the command line.
        changes = {}
        if args.seconds is not None:
            changes |= dict(seconds=args.seconds, steps=None)
        elif args.steps is not None or args.epochs is not None:
            batch_size = args.batch_size or recipe.train_config().batch_size
            steps = args.steps if args.steps is not None else args.epochs * (60_000 // batch_size)
            changes |= dict(steps=steps, seconds=None)
        if args.lr is not None:
            changes |= dict(lr_d=args.lr, lr_g=args.lr)
        options = dict(
            batch_size=args.batch_size,
            lr_g=args.lr_g,
            log_every=args.log_every,
            precision=args.precision,
            lr_decay=args.lr_decay or None,
        )
        changes |= {key: value for key, value in options.items() if value is not None}
        if args.ema is not None:
            changes["ema"] = args.ema or None
        config = recipe.train_config(**changes)
        generator_config = dict(recipe.generator) | ({} if args.g_width is None else {"width": args.g_width})
        discriminator_config = dict(recipe.discriminator)
        if args.refine:
            generator_config |= {"refine": True, "final_conv": True}
            discriminator_config |= {"refine": True}
        run = _start(args, "train", config) | dict(
            recipe=recipe.name,
            model=recipe.model,
            generator_config=generator_config or None,
            discriminator_config=discriminator_config or None,
            evaluate=args.evaluate,
        )
    config, model, out = TrainConfig(**run["config"]), run["model"], Path(run["out"])

    # Fail before the work: the checkpoint (and the state file) must be writable now, not after an hour.
    weights = sum(
        p.numel() * 4
        for part in ("generator", "discriminator")
        for p in build(model, part, run[f"{part}_config"]).parameters()
    )
    check_writable(out, ours=readable_by(load_checkpoint), what="a gan checkpoint", size=weights)
    # A state holds the networks, Adam's two moments and the EMA (at most 4x the weights); while a new one is
    # written the old one still exists: room for two.
    checkpoint = _checkpointing(args, run, size=8 * weights)

    def save(G, D, steps, **extra):
        return save_checkpoint(
            out,
            model,
            G,
            D,
            half=run["half"],
            recipe=run["recipe"],
            **extra,
            train_config=asdict(config) | {"seed": run["seed"], "steps_done": steps},
        )

    try:
        result = train_mnist(
            run["recipe"],
            config,
            run["generator_config"],
            run["discriminator_config"],
            device=run["device"],
            seed=run["seed"],
            checkpoint=checkpoint,
            resume=state,
        )
    except NonFiniteLossError as err:
        # Keep what was learned before the blow-up: the networks were restored to the last good step.
        good = err.result
        save(good.generator, good.discriminator, steps=good.steps)
        print(f"error: {err}\nsaved the last good networks (step {good.steps}) to {out}", file=sys.stderr)
        return 1
    except WriteError as err:  # a state could not be saved (say, the disk is full): the previous one is intact
        print(f"error: {err}", file=sys.stderr)
        _say_how_to_resume(checkpoint, "train")
        return 1
    if result.interrupted:
        print(f"interrupted after {result.steps} steps; saving what was learned so far", file=sys.stderr)
    G = result.ema_generator or result.generator
    last = result.history.iloc[-1] if len(result.history) else None
    print(
        f"trained {result.steps} steps in {result.seconds:.0f} s"
        + (f"; last losses d {last.d_loss:.3f}, g {last.g_loss:.3f}" if last is not None else "")
    )
    metrics = None
    if run["evaluate"] and not result.interrupted:
        from .metrics import evaluate
        from .sampling import sample

        metrics = evaluate(sample(G, 10_000, seed=run["seed"]))
        print("metrics (10,000 samples):", {k: round(v, 4) for k, v in metrics.items()})
    save(G, result.discriminator, steps=result.steps, **({"metrics": metrics} if metrics else {}))
    print(f"saved {out}")
    return _finish(checkpoint, result.interrupted, "train")


def _recipes(args) -> int:
    from .recipes import RECIPES
    from .toy import RECIPES as RING

    print("MNIST recipes (python -m gan train --recipe NAME; gan.train_mnist(NAME)):")
    for recipe in RECIPES.values():
        budget = f"{recipe.config['steps']:,} steps" if recipe.config.get("steps") else f"{recipe.config['seconds']} s"
        print(f"  {recipe.name:14s} {recipe.model:6s} {budget:>14s}  {recipe.summary}")
        settings = {k: v for k, v in recipe.config.items() if k not in ("steps", "seconds")}
        print(f"  {'':14s} {'':6s} {'':>14s}  " + ", ".join(f"{k}={v}" for k, v in settings.items()))
        for part in ("generator", "discriminator"):
            if getattr(recipe, part):
                print(
                    f"  {'':14s} {'':6s} {'':>14s}  {part}: "
                    + ", ".join(f"{k}={v}" for k, v in getattr(recipe, part).items())
                )
    print("\nRing recipes of chapter 7, each method with its authors' settings (gan.toy.train_recipe(NAME, ...)):")
    for name in RING:
        print(f"  {name}")
    from dataclasses import asdict

    from .sgan import LONG_RUN, SGANConfig

    print("\nSemi-supervised GAN of chapter 10 (python -m gan train-sgan [--long]; gan.sgan.SGANConfig):")
    for flag, config in (("(default)", SGANConfig()), ("--long", SGANConfig(**LONG_RUN))):
        print(f"  {flag:10s} " + ", ".join(f"{k}={v}" for k, v in asdict(config).items() if k != "eval_every"))
    return 0


def _say_how_to_resume(checkpoint, command: str) -> None:
    if checkpoint is not None and checkpoint.path.exists():
        print(
            f"the last saved state is in {checkpoint.path}; continue the run to its end with: "
            f"python -m gan {command} --resume {shlex.quote(str(checkpoint.path))}",
            file=sys.stderr,
        )


def _finish(checkpoint, interrupted: bool, command: str) -> int:
    """After the final save: drop the state file of a finished run; say how to resume an interrupted one."""
    if interrupted:
        _say_how_to_resume(checkpoint, command)
        return 130  # not a success: a script's `train ... && sample ...` stops here, a scheduler can requeue
    if checkpoint is not None:
        checkpoint.path.unlink(missing_ok=True)  # the run is complete: its checkpoint holds the result
    return 0


def _train_sgan(args) -> int:
    from .data import load_mnist
    from .files import WriteError, check_writable
    from .models import MLPGenerator
    from .sgan import (
        LONG_RUN,
        SUPERVISED_LR,
        SGANConfig,
        SGANDiscriminator,
        accuracy,
        is_saved_classifier,
        labelled_index,
        save_classifier,
        train_sgan,
        train_supervised,
        validation_split,
    )

    state, run = _resumed(args, _SGAN_SETTINGS, "train-sgan")
    if state is None:
        if args.out is None:
            print("give --out FILE, or --resume STATE", file=sys.stderr)
            return 2
        settings = dict(LONG_RUN) if args.long else {}
        if args.supervised:
            settings["lr"] = SUPERVISED_LR  # the baseline's own rate, chosen on the validation images
        if args.steps is not None:
            settings["steps"] = args.steps
        if args.precision is not None:
            settings["precision"] = args.precision
        config = SGANConfig(**settings, eval_every=args.eval_every)
        run = _start(args, "train-sgan", config) | dict(labels=args.labels, test=args.test, supervised=args.supervised)
    config, out = SGANConfig(**run["config"]), Path(run["out"])

    # Fail before the work: the classifier (and the state file) must be writable now.
    networks = [SGANDiscriminator(**config.discriminator), MLPGenerator(**config.generator)]
    weights = sum(p.numel() * 4 for n in networks for p in n.parameters())
    check_writable(out, ours=is_saved_classifier, what="a saved SGAN classifier", size=weights)
    checkpoint = _checkpointing(args, run, size=8 * weights)  # two states of at most 4x the weights

    # Held-out training images watch the run; the test set is read once, at the end.
    data, validation = validation_split(load_mnist(train=True))
    labelled = labelled_index(data.labels, run["labels"], seed=run["seed"])
    fit = train_supervised if run["supervised"] else train_sgan
    try:
        result = fit(
            data,
            labelled,
            config,
            validation=validation,
            device=run["device"],
            seed=run["seed"],
            checkpoint=checkpoint,
            resume=state,
        )
    except KeyboardInterrupt:
        print("interrupted; the classifier was not saved", file=sys.stderr)
        return _finish(checkpoint, True, "train-sgan")
    except (WriteError, FloatingPointError) as err:  # a state could not be saved, or a loss blew up
        print(f"error: {err}", file=sys.stderr)  # the last state saved, if any, is intact
        _say_how_to_resume(checkpoint, "train-sgan")
        return 1
    for step, acc in zip(result.history["step"], result.history["val_accuracy"]):
        print(f"step {step:6d}: validation accuracy {acc:.4f}")
    print(f"trained {config.steps} steps in {result.seconds:.0f} s on {run['labels']} labels")
    extra = {}
    if run["test"]:  # opt-in: a test score printed after every trial run invites choosing settings on it
        extra["test_accuracy"] = accuracy(result.D, load_mnist(train=False))
        print(f"test accuracy {extra['test_accuracy']:.4f}")
    save_classifier(
        out,
        result,
        config,
        half=run["half"],
        labels=run["labels"],
        seed=run["seed"],
        method="supervised" if run["supervised"] else "SGAN",
        **extra,
    )
    print(f"saved {out}")
    return _finish(checkpoint, False, "train-sgan")


def _sample(args) -> int:
    from . import pretrained
    from .checkpoints import load_generator
    from .files import check_writable, save_torch
    from .sampling import sample

    check_writable(args.out, ours=_is_images_file, what="a tensor of images saved by gan sample")
    if args.checkpoint in pretrained.names():
        G = pretrained.load(args.checkpoint, device=args.device or "cpu")
    else:
        G = load_generator(args.checkpoint, device=args.device or "cpu")
    from .conditional import is_conditional

    if args.digit is not None and not is_conditional(G):
        print(
            f"--digit chooses the digit of a conditional generator (cgan); {args.checkpoint} is not one",
            file=sys.stderr,
        )
        return 2
    if args.digit is not None and not 0 <= args.digit < G.classes:
        print(f"--digit must be between 0 and {G.classes - 1}, got {args.digit}", file=sys.stderr)
        return 2
    images = sample(G, args.n, seed=args.seed, labels=args.digit).cpu()
    save_torch(args.out, images, ours=_is_images_file, what="a tensor of images saved by gan sample")
    what = f" of the digit {args.digit}" if args.digit is not None else ""
    print(f"saved {tuple(images.shape)} images{what} in [-1, 1] to {args.out}")
    return 0


def _export_onnx(args) -> int:
    from .export import PLAYGROUND, export

    if args.name == "all":
        folder = Path(args.out)
        if not folder.is_dir():
            print(f"export-onnx all: OUT must be an existing folder, got {folder}", file=sys.stderr)
            return 2
        targets = [(name, folder / f"{name}.onnx") for name in PLAYGROUND]
    else:
        targets = [(args.name, Path(args.out))]
    for name, out in targets:
        onnx_path, meta_path = export(name, out)
        print(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e6:.1f} MB) and {meta_path.name}")
    return 0


def _is_images_file(path: Path) -> bool:
    """Whether ``path`` holds what ``sample`` writes: one float tensor of images (N, 1, 28, 28)."""
    import torch

    try:
        images = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:
        return False
    return isinstance(images, torch.Tensor) and images.dim() == 4 and images.is_floating_point()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _add_resume_arguments(p, command: str) -> None:
    p.add_argument(
        "--checkpoint-every",
        metavar="N|Mm|Ss",
        default=None,
        help="save the run's whole state every N steps (500), M minutes (10m) or S seconds (90s) to "
        "OUT's name with .state.pt (mlp.pt -> mlp.state.pt), so an interrupted run can be resumed; "
        "the file is removed when the run finishes",
    )
    p.add_argument(
        "--resume",
        metavar="STATE",
        default=None,
        help=f"continue an interrupted run from its state file to the same end (python -m gan {command} "
        "--resume mlp.state.pt); its settings come from the file",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    from .recipes import names as recipe_names

    p = sub.add_parser(
        "train",
        allow_abbrev=False,
        help="train a GAN on MNIST from a named recipe and save a checkpoint",
        description="Train a recipe (python -m gan recipes lists them). Every setting not given on "
        "the command line is the recipe's; the budget too.",
    )
    p.add_argument(
        "recipe_name", nargs="?", choices=recipe_names(), metavar="RECIPE", help="the recipe, as --recipe gives it"
    )
    p.add_argument("--recipe", choices=recipe_names(), help="the recipe to train: " + ", ".join(recipe_names()))
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=float, help="train for this many seconds")
    budget.add_argument("--epochs", type=int, help="train for this many passes over MNIST")
    budget.add_argument("--steps", type=int, help="train for this many steps")
    p.add_argument("--out", help="checkpoint file to write (checked before training starts)")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--lr", type=float, default=None, help="Adam learning rate of both networks")
    p.add_argument("--lr-g", type=float, default=None, help="the generator's learning rate, if not --lr")
    p.add_argument(
        "--lr-decay", action="store_true", help="decay the learning rates linearly to 0 (needs --epochs or --steps)"
    )
    p.add_argument("--ema", type=float, default=None, help="decay of the averaged generator saved (0: none)")
    p.add_argument(
        "--g-width",
        type=int,
        default=None,
        help="DCGAN only: the generator's width, its feature maps at 14x14 (twice that at 7x7; default 64)",
    )
    p.add_argument(
        "--refine",
        action="store_true",
        help="DCGAN only: add our 3x3 layers to both networks (refine, final_conv), as the shipped DCGAN has",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None, help="cuda, mps or cpu (default: the fastest available)")
    p.add_argument(
        "--precision",
        choices=["auto", "float32", "bfloat16"],
        default=None,
        help="what the training step's products run in (auto: bfloat16 where the hardware has it)",
    )
    p.add_argument("--half", action="store_true", help="store the weights as float16 (half the size)")
    p.add_argument("--evaluate", action="store_true", help="compute the metrics on 10,000 samples and store them")
    p.add_argument("--log-every", type=int, default=None)
    _add_resume_arguments(p, "train")
    p.set_defaults(run=_train)

    p = sub.add_parser("recipes", allow_abbrev=False, help="list the named recipes that train and the benchmarks use")
    p.set_defaults(run=_recipes)

    p = sub.add_parser("sample", allow_abbrev=False, help="draw images from a checkpoint or a shipped generator")
    p.add_argument("checkpoint", help="a checkpoint file, or a shipped name (see gan.pretrained.names())")
    p.add_argument("--n", type=int, required=True, help="how many images")
    p.add_argument("--out", required=True, help="file to write: a tensor (N, 1, 28, 28) in [-1, 1] (torch.save)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--digit",
        type=int,
        default=None,
        help="a conditional generator (cgan) draws only this digit; without it, the digits 0-9 in turn",
    )
    p.add_argument("--device", default=None)
    p.set_defaults(run=_sample)

    p = sub.add_parser(
        "export-onnx",
        allow_abbrev=False,
        help="export a shipped generator to ONNX, with what the site's playground needs (OUT.json)",
        description="Write the shipped generator NAME to OUT (a .onnx file) and its metadata next to it "
        "(OUT with .json): seeds, reference images, latent directions, the weights' SHA-256. "
        "NAME 'all' writes every shipped generator into the folder OUT as NAME.onnx and NAME.json.",
    )
    p.add_argument(
        "name", metavar="NAME", help="a shipped generator (gan.pretrained.names()) or 'all' (the playground's)"
    )
    p.add_argument("out", metavar="OUT", help="the .onnx file to write; for 'all', an existing folder")
    p.set_defaults(run=_export_onnx)

    p = sub.add_parser(
        "train-classifier",
        allow_abbrev=False,
        help="train the MNIST classifier the metrics use (ships with the package)",
    )
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="where to save (default: the package's weights folder)")
    p.set_defaults(run=_train_classifier)

    p = sub.add_parser(
        "train-sgan", allow_abbrev=False, help="train a semi-supervised GAN on a few labels and save its classifier"
    )
    p.add_argument("--labels", type=int, default=100, help="labelled training images, balanced over the digits")
    p.add_argument(
        "--long",
        action="store_true",
        help="Salimans et al.'s networks and 15,000 steps (gan.sgan.LONG_RUN) instead of chapter 10's",
    )
    p.add_argument("--steps", type=int, default=None, help="training steps (default: the chosen recipe's)")
    p.add_argument(
        "--supervised",
        action="store_true",
        help="train the baseline instead: the same discriminator on the labelled images only",
    )
    p.add_argument("--eval-every", type=int, default=None, help="also record validation accuracy every this many steps")
    p.add_argument(
        "--test",
        action="store_true",
        help="score the finished classifier on the test set once (off by default: choose settings on "
        "the validation accuracy, which every run prints)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None)
    p.add_argument(
        "--precision",
        choices=["auto", "float32", "bfloat16"],
        default=None,
        help="what the products run in (default: the settings', float32; auto: bfloat16 where the hardware has it)",
    )
    p.add_argument("--half", action="store_true", help="store the weights as float16 (half the size)")
    p.add_argument("--out", help="file to write the classifier to (checked before training starts)")
    _add_resume_arguments(p, "train-sgan")
    p.set_defaults(run=_train_sgan)

    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    # The options given on the command line (not their defaults), by their dest: --resume refuses settings.
    args.given = {tok.split("=", 1)[0][2:].replace("-", "_") for tok in argv if tok.startswith("--")}
    if getattr(args, "recipe_name", None) is not None:
        if args.recipe is not None and args.recipe != args.recipe_name:
            parser.error(f"two recipes given: {args.recipe_name} and --recipe {args.recipe}")
        args.recipe = args.recipe_name
    if getattr(args, "recipe", None) is not None:
        args.given.add("recipe")
    from .checkpoints import CheckpointError
    from .data import MNISTCorruptError, MNISTNotFoundError

    # `kill` (SIGTERM) stops a run the way Ctrl-C does: what was learned is saved, not lost.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main_thread else None
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (CheckpointError, MNISTNotFoundError, MNISTCorruptError, ValueError, OSError) as err:
        # OSError covers FileExistsError, FileNotFoundError and gan.files.WriteError.
        # The user's mistake or an environment problem: the message says what to do; no traceback.
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    raise SystemExit(main())
