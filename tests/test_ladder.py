"""Chapter 6's ladder: rungs add one change each, leave-one-out undoes one, and a rung trains."""

import pytest
import torch

from gan import ladder


def test_each_rung_adds_exactly_its_change_and_keeps_the_ones_before():
    rungs = list(ladder.rungs().items())
    assert rungs[0] == ("original", ladder.ORIGINAL)
    for (_, before), (name, after) in zip(rungs, rungs[1:]):
        changed = {key for key in after if after[key] != before[key]}
        assert changed == set(ladder.CHANGES[name]), name


def test_leave_one_out_undoes_one_change_of_the_last_rung():
    final = ladder.rungs()["+ normal noise"]
    variants = ladder.leave_one_out()
    assert len(variants) == len(ladder.CHANGES) - 1
    for (name, change), variant in zip(list(ladder.CHANGES.items())[1:], variants.values()):
        differs = {key for key in final if final[key] != variant[key]}
        assert differs == set(change) and all(variant[key] == ladder.ORIGINAL[key] for key in change), name


def test_a_rung_trains_and_draws_in_the_metrics_range():
    images = torch.randint(0, 256, (256, 1, 28, 28), dtype=torch.uint8)
    rung = ladder.rungs()["+ normal noise"]
    result = ladder.train_rung(rung, seed=0, images=images, steps=200, batch_size=8)
    assert list(result.history.columns[:5]) == ["step", "d_loss", "g_loss", "d_real", "d_fake"]
    assert len(result.history) == 2 and not result.generator.training
    x = ladder.draw(result.generator, rung, n=5)
    assert x.shape == (5, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert torch.equal(x, ladder.draw(result.generator, rung, n=5))  # fixed seeds
    with pytest.raises(ValueError, match="noise must be 'uniform' or 'normal'"):
        ladder.noise_sampler("gaussian")


def test_the_stored_study_covers_todays_rungs_seeds_and_budget():
    # Renaming or adding a rung without rerunning benchmarks/ladder_study.py fails here.
    study = ladder.study()
    expected = {("ladder", name) for name in ladder.rungs()} | {
        ("leave one out", name) for name in ladder.leave_one_out()
    }
    expected |= {("source budget", "original, 60,000 updates of 1 image")}
    assert set(zip(study.study, study.rung)) == expected
    assert (study.groupby(["study", "rung"]).seed.apply(sorted) == [[0, 1, 2]] * len(expected)).all()
    budget = study[study.study != "source budget"]
    assert (budget.steps == ladder.STEPS).all() and (budget.batch_size == ladder.BATCH).all()
    assert study.machine.nunique() == 1
