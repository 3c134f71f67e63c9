"""Chapter 13's MNIST study: weight clipping, the gradient penalty and spectral normalisation against the GAN.

    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/wasserstein_mnist.py   # about 15 minutes on a recent 2-core CPU
    GAN_DATA_DIR=../shared/data .venv/bin/python benchmarks/wasserstein_mnist.py --add NAME ...   # only these methods

Trains chapter 6's MLP networks four ways, each with its authors' optimiser settings (``gan.recipes``:
"wgan-clip", "wgan-gp", "sngan", and "mlp" for the GAN, without its averaged generator since none of the
others has one), from seeds 0, 1 and 2, for the same number of discriminator updates, ``D_UPDATES``: the
Wasserstein GANs make five critic updates per generator update, so they make a fifth as many generator
updates. Ten times per run (every tenth of the budget) it draws ``N`` samples with seed 1 and records
their Fréchet distance to MNIST's test set next to the discriminator's mean loss over the steps since the
last record (for the Wasserstein GANs, the critic's estimate of the distance, E T(real) - E T(fake),
without the penalty). Writes ``gan/studies/wasserstein_mnist.csv``
(``gan.pretrained.study("wasserstein_mnist")``) with the machine it ran on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gan

SEEDS = (0, 1, 2)
D_UPDATES, RECORDS, N = 15_000, 10, 2000
#: name -> recipe; the GAN's recipe loses its averaged generator (the others have none)
METHODS = {
    "GAN (chapter 6's rates)": "mlp",
    "WGAN, weight clipping": "wgan-clip",
    "WGAN-GP": "wgan-gp",
    "SN-GAN": "sngan",
}
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import add_names, check_names, check_study_writable, save_study  # noqa: E402

OUT = gan.pretrained.STUDIES / "wasserstein_mnist.csv"


def budget(recipe: gan.recipes.Recipe) -> int:
    """Generator updates for ``D_UPDATES`` discriminator updates under ``recipe``."""
    return D_UPDATES // recipe.wgan.get("n_critic", 1)


def main(only: list[str] | None = None) -> int:
    check_study_writable(OUT)  # before the runs, not after them
    check_names("wasserstein_mnist.py", only, list(METHODS), what="methods")
    mnist = gan.load_mnist(train=True)
    rows = []
    for name, recipe_name in METHODS.items():
        if only and name not in only:
            continue
        recipe = gan.recipes.get(recipe_name)
        steps = budget(recipe)
        for seed in SEEDS:
            config = recipe.train_config(steps=steps, seconds=None, ema=None, log_every=steps // RECORDS)
            scores = {}

            def score(step, G, D):
                images = gan.sample(G, N, seed=1)
                scores[step] = gan.metrics.evaluate(images, precision_recall=False)["frechet_distance"]

            result = gan.train_mnist(recipe_name, config, data=mnist, seed=seed, callback=score, progress=False)
            loss = "wasserstein" if recipe.wgan else "d_loss"
            for row in result.history.itertuples():
                rows.append(
                    dict(
                        method=name,
                        recipe=recipe_name,
                        seed=seed,
                        step=row.step,
                        d_updates=row.step * recipe.wgan.get("n_critic", 1),
                        loss=loss,
                        value=round(getattr(row, loss), 5),
                        frechet_distance=round(scores[row.step], 2),
                        seconds=round(row.seconds, 1),
                    )
                )
            print(
                f"{name:>24}, seed {seed}: Fréchet distance {rows[-1]['frechet_distance']:.1f} after {steps} "
                f"generator updates, {result.seconds:.0f} s",
                flush=True,
            )
    save_study(rows, OUT, "method", list(METHODS), only)
    return 0


if __name__ == "__main__":
    sys.exit(main(only=add_names(sys.argv[1:], "wasserstein_mnist.py")))
