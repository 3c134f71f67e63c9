"""Smoke tests of the scripts in benchmarks/: they run and write or print complete results. No speed is asserted."""

import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
LOOPS = {("mlp", "reference"), ("mlp", "engine"), ("dcgan", "reference"), ("dcgan", "engine"), ("dcgan", "upstream-64")}
HARDWARE = {"cpu", "threads", "device", "engine_precision", "torch", "torchvision", "python", "date"}


def load_script(name: str):
    """benchmarks/<name>.py, a script outside the package, imported as the module ``name``.

    As when Python runs it, its folder is on ``sys.path``, so that it can import its sibling scripts.
    """
    if str(BENCH.parent) not in sys.path:
        sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location(name, BENCH.parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # a dataclass in it looks its module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    yield load_script("bench")
    del sys.modules["bench"]


@pytest.fixture(scope="module")
def fast_script():
    yield load_script("fast_path")
    del sys.modules["fast_path"]


@pytest.fixture(scope="module")
def compile_script():
    yield load_script("compile")
    del sys.modules["compile"]


@pytest.mark.slow
def test_quick_run_writes_csv_and_json(bench, tmp_path, mnist_root, monkeypatch, capsys):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    assert bench.main(["--quick", "--out", str(tmp_path)]) == 0

    table = pd.read_csv(tmp_path / "results.csv")
    columns = {
        "part",
        "model",
        "loop",
        "steps",
        "repeats",
        "images_per_s",
        "engine_speedup",
        "flops_per_step",
        "tflops",
    }
    assert columns | HARDWARE <= set(table.columns)
    assert set(zip(table["model"], table["loop"])) == LOOPS
    assert (table["part"] == "throughput").all() and (table["images_per_s"] > 0).all()
    assert (table["flops_per_step"] > 0).all()

    saved = json.loads((tmp_path / "results.json").read_text())
    assert HARDWARE <= set(saved["hardware"]) and saved["settings"]["quick"] is True
    assert {(row["model"], row["loop"]) for row in saved["results"]} == LOOPS
    assert all(len(row["images_per_s_rounds"]) == 1 for row in saved["results"])
    assert "throughput" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["--repeats", "0"],
        ["--seconds-mlp", "-1"],
        ["--repeats", "two"],
        ["--skip-quality", "--quality"],
        ["--device", "tpu"],
    ],
)
def test_bad_arguments_are_rejected(bench, argv, capsys):
    with pytest.raises(SystemExit) as info:
        bench.main(argv)
    assert info.value.code == 2 and "error:" in capsys.readouterr().err


def test_fast_path_benchmark_runs_and_finds_the_same_verdicts(fast_script, mnist_root, monkeypatch, capsys):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    assert fast_script.main(["--rounds", "1", "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert "mlp: the one-pass verdicts equal the two passes' " in out
    assert "dcgan: its discriminator mixes a batch (BatchNorm), so the fast step keeps two passes" in out
    for model in ("mlp", "dcgan"):
        assert f"median ms per {model} step: plain" in out


@pytest.mark.slow
def test_compile_benchmark_runs_and_finds_the_same_outputs(compile_script, mnist_root, monkeypatch, capsys):
    monkeypatch.setenv("GAN_DATA_DIR", str(mnist_root))
    assert compile_script.main(["--models", "mlp", "--rounds", "1", "--steps", "2", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "mlp, compiled: warm-up round (compilation included)" in out
    assert "mlp: median ms per step, plain" in out and "x the plain speed" in out


@pytest.mark.parametrize(
    "script, argv",
    [
        ("fast_script", ["--rounds", "0"]),
        ("fast_script", ["--steps", "-3"]),
        ("fast_script", ["--steps", "many"]),
        ("compile_script", ["--rounds", "0"]),
        ("compile_script", ["--steps", "-3"]),
        ("compile_script", ["--models", "vae"]),
    ],
)
def test_small_benchmarks_reject_bad_arguments(script, argv, request, capsys):
    with pytest.raises(SystemExit) as info:
        request.getfixturevalue(script).main(argv)
    assert info.value.code == 2 and "error:" in capsys.readouterr().err


def test_the_stored_dcgan_ablation_covers_the_scripts_variants_seeds_and_budget():
    # Renaming a variant or changing the budget without rerunning benchmarks/dcgan_ablation.py fails here.
    import gan

    script = load_script("dcgan_ablation")
    study = gan.pretrained.study("dcgan_ablation")
    assert list(dict.fromkeys(study.variant)) == list(script.VARIANTS)
    runs = study.groupby(["variant", "step"]).seed.apply(sorted)
    assert set(runs.index) == {(v, s) for v in script.VARIANTS for s in (script.LIVE, script.STEPS)}
    assert (runs == [list(script.SEEDS)] * len(runs)).all() and study.machine.nunique() == 1
    for name, (changes, _, _) in script.VARIANTS.items():
        rows = study[study.variant == name]
        assert (rows.lr_d == changes.get("lr_d", script.LR_D)).all() and (
            rows.lr_g == changes.get("lr_g", script.LR_G)
        ).all()


def test_the_stored_ring_recipes_cover_todays_recipes_seeds_and_budget():
    # Adding or renaming a recipe in gan.toy.RECIPES without rerunning benchmarks/ring_recipes.py fails here.
    import gan

    script = load_script("ring_recipes")
    study = gan.pretrained.study("ring_recipes")
    assert list(dict.fromkeys(study.recipe)) == list(gan.toy.RECIPES)
    steps = list(range(script.EVERY, script.STEPS + 1, script.EVERY))
    assert (study.groupby(["recipe", "seed"]).step.apply(list) == [steps] * (len(gan.toy.RECIPES) * 3)).all()
    assert (
        study.groupby("recipe").seed.apply(lambda s: sorted(set(s))) == [list(script.SEEDS)] * len(gan.toy.RECIPES)
    ).all()
    assert study.machine.nunique() == 1
    long = gan.pretrained.study("ring_recipes_long")
    assert list(dict.fromkeys(long.recipe)) == list(script.LONG)
    steps = list(range(script.EVERY, script.LONG_STEPS + 1, script.EVERY))
    assert (long.groupby(["recipe", "seed"]).step.apply(list) == [steps] * (len(script.LONG) * 3)).all()


def test_the_stored_equal_time_race_covers_the_scripts_budgets_seeds_and_models():
    # Changing the budgets or seeds of benchmarks/equal_time.py without rerunning it fails here.
    import gan

    script = load_script("equal_time")
    race = gan.pretrained.study("equal_time")
    budgets = [f"{b} DCGAN steps" for b in script.BUDGETS]
    assert list(dict.fromkeys(race.budget)) == budgets and race.machine.nunique() == 1
    runs = race.groupby(["budget", "model"]).seed.apply(sorted)
    assert set(runs.index) == {(b, m) for b in budgets for m in ("MLP GAN", "DCGAN")}
    assert (runs == [list(script.SEEDS)] * len(runs)).all()
    dcgan = race[race.model == "DCGAN"]
    assert (dcgan.steps == dcgan.budget.str.split().str[0].astype(int)).all()
    # each MLP run had the time its DCGAN run took (the loop stops at the first step past it)
    paired = race.pivot_table(index=["budget", "seed"], columns="model", values="seconds")
    assert ((paired["MLP GAN"] - paired["DCGAN"]).abs() < 0.1 * paired["DCGAN"]).all()


def test_pretrained_study_names_the_shipped_studies_when_one_is_missing():
    import gan

    with pytest.raises(ValueError, match="No stored study 'nope'.*ladder"):
        gan.pretrained.study("nope")


def test_the_stored_latent_directions_match_the_script_and_the_shipped_weights():
    # Changing benchmarks/latent_directions.py's models, K, N or seed, or the shipped weights, without rerunning it fails here.
    import gan

    script = load_script("latent_directions")
    study = gan.pretrained.study("latent_directions")
    assert list(dict.fromkeys(study.model)) == list(script.MODELS) and study.machine.nunique() == 1
    assert (study.groupby("model").direction.apply(list) == [list(range(1, script.K + 1))] * len(script.MODELS)).all()
    assert (study.n == script.N).all() and (study.seed == script.SEEDS[0]).all()
    for name in script.MODELS:
        assert set(study[study.model == name].weights_sha256) == {gan.pretrained.sha256(name)}


def test_the_stored_dynamics_study_covers_the_scripts_variants_seeds_and_budget():
    # Changing benchmarks/dynamics_ring.py's variants, seeds or budget without rerunning it fails here.
    import gan

    script = load_script("dynamics_ring")
    study = gan.pretrained.study("dynamics_ring")
    assert list(dict.fromkeys(study.variant)) == list(script.VARIANTS) and study.machine.nunique() == 1
    runs = study.groupby("variant").seed.apply(lambda s: sorted(set(s)))
    assert (runs == [list(script.SEEDS)] * len(runs)).all()
    steps = sorted(set(study.step))
    assert steps == list(range(script.EVERY, script.STEPS + 1, script.EVERY))


def test_the_stored_wasserstein_study_covers_the_scripts_methods_seeds_and_budget():
    # Changing benchmarks/wasserstein_mnist.py's methods, seeds or budget, or a recipe's step, without rerunning it fails here.
    import gan

    script = load_script("wasserstein_mnist")
    study = gan.pretrained.study("wasserstein_mnist")
    assert list(dict.fromkeys(study.method)) == list(script.METHODS) and study.machine.nunique() == 1
    for name, recipe_name in script.METHODS.items():
        rows = study[study.method == name]
        recipe = gan.recipes.get(recipe_name)
        assert (rows.recipe == recipe_name).all() and sorted(set(rows.seed)) == list(script.SEEDS)
        steps = script.budget(recipe)
        assert sorted(set(rows.step)) == list(range(steps // script.RECORDS, steps + 1, steps // script.RECORDS))
        assert rows.d_updates.max() == script.D_UPDATES
        assert (rows.loss == ("wasserstein" if recipe.wgan else "d_loss")).all()
    for name in ("wgan-clip", "sngan"):  # these recipes' budgets are the study's (wgan-gp's is the shipped run's)
        assert script.budget(gan.recipes.get(name)) == gan.recipes.get(name).config["steps"]
