import copy
import math

import pytest
import torch

import gan


def _pattern_run(seed=0, steps=200, **overrides):
    gan.seed_everything(seed)
    G, D = gan.PatternGenerator(), gan.PatternDiscriminator()
    config = gan.TrainConfig(
        steps=steps, batch_size=8, loss="mse", optimizer="sgd", lr_d=0.01, lr_g=0.01, log_every=50, **overrides
    )
    return gan.train_gan(G, D, gan.pattern_real, lambda n: torch.rand(n, 1), config, progress=False)


def test_training_history_has_one_row_per_log_interval():
    result = _pattern_run(steps=200)
    assert list(result.history.columns) == ["step", "d_loss", "g_loss", "d_real", "d_fake", "seconds"]
    assert result.history["step"].tolist() == [50, 100, 150, 200]
    assert result.steps == 200 and not result.interrupted


def test_training_repeats_exactly_under_the_same_seed():
    a, b = _pattern_run(seed=3), _pattern_run(seed=3)
    cols = ["d_loss", "g_loss", "d_real", "d_fake"]
    assert a.history[cols].equals(b.history[cols])
    for p, q in zip(a.generator.parameters(), b.generator.parameters()):
        assert torch.equal(p, q)


def test_training_changes_both_networks():
    gan.seed_everything(0)
    G0, D0 = gan.PatternGenerator(), gan.PatternDiscriminator()
    result = _pattern_run(seed=0, steps=50)
    assert not torch.equal(G0.net[0].weight, result.generator.net[0].weight)
    assert not torch.equal(D0.net[0].weight, result.discriminator.net[0].weight)


@pytest.mark.slow
def test_pattern_gan_learns_1010_and_ends_near_balance():
    gan.seed_everything(0)
    G, D = gan.PatternGenerator(), gan.PatternDiscriminator()
    config = gan.TrainConfig(steps=6000, batch_size=1, loss="mse", optimizer="sgd", lr_d=0.01, lr_g=0.01, log_every=500)
    result = gan.train_gan(G, D, gan.pattern_real, lambda n: torch.rand(n, 1), config, progress=False)
    with torch.no_grad():
        fake = G(torch.rand(256, 1))
    assert (fake.mean(0).round() == torch.tensor([1.0, 0.0, 1.0, 0.0])).all()
    assert abs(result.history["d_fake"].iloc[-1] - 0.5) < 0.15


def test_training_stops_on_a_time_budget():
    gan.seed_everything(0)
    G, D = gan.PatternGenerator(), gan.PatternDiscriminator()
    result = gan.train_gan(
        G,
        D,
        gan.pattern_real,
        lambda n: torch.rand(n, 1),
        gan.TrainConfig(steps=None, seconds=0.3, log_every=10),
        progress=False,
    )
    assert 0.3 <= result.seconds < 5 and result.steps > 0


def test_keyboard_interrupt_keeps_the_networks_and_history():
    def interrupt(step, G, D):
        if step == 100:
            raise KeyboardInterrupt

    gan.seed_everything(0)
    G, D = gan.PatternGenerator(), gan.PatternDiscriminator()
    result = gan.train_gan(
        G,
        D,
        gan.pattern_real,
        lambda n: torch.rand(n, 1),
        gan.TrainConfig(steps=1000, log_every=50),
        callback=interrupt,
        progress=False,
    )
    assert result.interrupted and result.steps == 100
    assert result.history["step"].tolist() == [50, 100]
    assert result.generator is G


def test_non_finite_loss_stops_with_step_network_and_causes_and_keeps_the_last_good_weights():
    class Exploding(torch.nn.Module):  # a discriminator that turns NaN after its 25th call
        def __init__(self):
            super().__init__()
            self.inner = gan.PatternDiscriminator()
            self.calls = 0

        def forward(self, x):
            self.calls += 1
            out = self.inner(x)
            return out * float("nan") if self.calls > 25 * 3 else out  # 3 calls per step

    gan.seed_everything(0)
    G, D = gan.PatternGenerator(), Exploding()
    with pytest.raises(
        gan.NonFiniteLossError,
        match=r"discriminator's loss became nan between steps 21 and 30; both networks were "
        r"restored to step 20.*learning rate",
    ) as info:
        gan.train_gan(
            G,
            D,
            gan.pattern_real,
            lambda n: torch.rand(n, 1),
            gan.TrainConfig(steps=100, log_every=10, loss="mse", optimizer="sgd", lr_d=0.01, lr_g=0.01),
            progress=False,
        )
    result = info.value.result
    assert result.steps == 20 and result.history["step"].tolist() == [10, 20]
    assert all(torch.isfinite(p).all() for p in [*G.parameters(), *D.parameters()])
    assert result.generator is G


def test_logits_fed_to_a_probability_loss_get_a_clear_error():
    D = torch.nn.Linear(4, 1)  # raw logits, no sigmoid
    torch.nn.init.constant_(D.bias, 3.0)  # logits well above 1
    gan.seed_everything(0)
    with pytest.raises(ValueError, match="needs the discriminator to output probabilities.*bce_logits"):
        gan.train_gan(
            gan.PatternGenerator(),
            D,
            gan.pattern_real,
            lambda n: torch.rand(n, 1),
            gan.TrainConfig(steps=10, loss="bce"),
            progress=False,
        )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(steps=None, seconds=None), "give steps or seconds"),
        (dict(steps=0), "steps must be a positive int"),
        (dict(batch_size=2.5), "batch_size must be a positive int"),
        (dict(lr_d=-1.0), "lr_d must be a positive finite number"),
        (dict(lr_g=math.inf), "lr_g must be a positive finite number"),
        (dict(loss="hinge"), "Unknown loss 'hinge'"),
        (dict(optimizer="adagrad"), "optimizer must be 'adam', 'sgd' or 'rmsprop'"),
        (dict(loss="mse", saturating=True), "saturating=True needs loss"),
    ],
)
def test_train_config_rejects_bad_settings_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gan.TrainConfig(**kwargs)


def test_saturating_generator_loss_is_log_one_minus_d():
    d = torch.tensor([[0.1], [0.7]])
    assert torch.allclose(gan.generator_loss(d, "bce", saturating=True), torch.log(1 - d).mean())
    assert torch.allclose(gan.generator_loss(d, "bce"), -torch.log(d).mean())


def test_losses_balance_points_are_quarter_and_log_two():
    half = torch.full((4, 1), 0.5)
    assert gan.get_loss("mse")(half, 1.0).item() == pytest.approx(0.25)
    assert gan.get_loss("bce")(half, 1.0).item() == pytest.approx(math.log(2))


def test_output_range_reads_the_last_activation():
    assert gan.output_range(gan.MLPGenerator(output="sigmoid")) == (0.0, 1.0)
    assert gan.output_range(gan.MLPGenerator(output="tanh")) == (-1.0, 1.0)
    assert gan.output_range(gan.DCGANGenerator(width=8)) == (-1.0, 1.0)
    assert gan.output_range(gan.PatternGenerator()) == (0.0, 1.0)
    assert gan.output_range(torch.nn.Linear(2, 2)) is None


def test_check_data_range_accepts_matching_ranges():
    gan.check_data_range(torch.rand(8, 1, 28, 28), gan.MLPGenerator(output="sigmoid"))
    gan.check_data_range(torch.rand(8, 1, 28, 28) * 2 - 1, gan.MLPGenerator(output="tanh"))
    gan.check_data_range(torch.randn(8, 2) * 5, torch.nn.Linear(2, 2))  # unknown range: not checked


@pytest.mark.parametrize(
    "output, data, words",
    [
        ("sigmoid", lambda: torch.rand(8, 1, 28, 28) * 2 - 1, ["sigmoid", "(x + 1) / 2", "range alone"]),
        ("tanh", lambda: torch.rand(8, 1, 28, 28), ["tanh", "2 * x - 1", "never below 0"]),
        ("tanh", lambda: torch.rand(8, 1, 28, 28) * 255, ["tanh", "range alone"]),
    ],
)
def test_check_data_range_names_the_mismatch_and_the_fix(output, data, words):
    with pytest.raises(ValueError) as info:
        gan.check_data_range(data(), gan.MLPGenerator(output=output))
    for word in words:
        assert word in str(info.value)


def test_train_gan_refuses_mismatched_ranges_before_the_first_step():
    G, D = gan.MLPGenerator(z_dim=4, hidden=(8,), output="sigmoid"), gan.MLPDiscriminator(hidden=(8,))
    before = [p.clone() for p in G.parameters()]
    config = gan.TrainConfig(steps=5, batch_size=4, loss="bce_logits")
    with pytest.raises(ValueError, match="range alone"):
        gan.train_gan(
            G, D, lambda n: torch.rand(n, 1, 28, 28) * 2 - 1, lambda n: torch.randn(n, 4), config, progress=False
        )
    assert all(torch.equal(a, b) for a, b in zip(before, G.parameters()))


def test_generator_step_adds_nothing_to_the_discriminators_gradients():
    import copy

    gan.seed_everything(0)
    G, D = gan.PatternGenerator(), gan.PatternDiscriminator()
    G0, D0 = copy.deepcopy(G), copy.deepcopy(D)
    config = gan.TrainConfig(steps=1, batch_size=4, loss="mse", optimizer="sgd", lr_d=0.01, lr_g=0.01)
    opt_d, opt_g = (gan.training.make_optimizer(m.parameters(), config, 0.01) for m in (D, G))
    real, z = gan.pattern_real(4), torch.rand(4, 1)
    gan.train_step(G, D, real, z, opt_d, opt_g, config)
    # D's gradients after the whole step are exactly those of D's own loss: G's step added nothing
    mse = gan.get_loss("mse")
    d_real, d_fake = D0(real), D0(G0(z).detach())
    (mse(d_real, 1.0) + mse(d_fake, 0.0)).backward()
    for p, p0 in zip(D.parameters(), D0.parameters()):
        assert torch.equal(p.grad, p0.grad)
    assert all(p.requires_grad for p in D.parameters())
    assert all(p.grad is not None for p in G.parameters())


def test_frozen_restores_requires_grad_even_after_an_error():
    D = gan.PatternDiscriminator()
    D.net[0].bias.requires_grad_(False)  # the user froze this one: it must stay frozen
    with pytest.raises(RuntimeError):
        with gan.training.frozen(D):
            assert not any(p.requires_grad for p in D.parameters())
            raise RuntimeError("boom")
    assert [p.requires_grad for p in D.parameters()] == [True, False, True, True]


def test_lr_decay_ends_near_zero_and_needs_a_step_count():
    result = _pattern_run(steps=100, lr_decay=True)
    assert result.steps == 100
    with pytest.raises(ValueError, match="lr_decay=True decays the learning rates to 0 at the last step; give steps"):
        gan.TrainConfig(steps=None, seconds=5, lr_decay=True)


def test_lr_decay_decays_linearly():
    G, D = gan.PatternGenerator(), gan.PatternDiscriminator()
    config = gan.TrainConfig(steps=10, batch_size=4, loss="mse", optimizer="sgd", lr_d=0.1, lr_g=0.1, lr_decay=True)
    seen = []
    original = torch.optim.SGD.step

    def spy(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    torch.optim.SGD.step = spy
    try:
        gan.train_gan(G, D, gan.pattern_real, lambda n: torch.rand(n, 1), config, progress=False)
    finally:
        torch.optim.SGD.step = original
    assert seen[::2] == pytest.approx([0.1 * (1 - i / 10) for i in range(10)])


def test_precision_is_checked_and_reported():
    with pytest.raises(ValueError, match="precision must be one of"):
        gan.TrainConfig(precision="fp16")
    # The pattern GAN is far below BF16_MIN_PARAMETERS: "auto" keeps it in float32 on every machine.
    assert _pattern_run(steps=20).precision == "float32"


def test_training_dtype_rules():
    from gan.fast import BF16_MIN_PARAMETERS, native_bf16, training_dtype

    small, big = torch.nn.Linear(4, 4), torch.nn.Linear(BF16_MIN_PARAMETERS, 1)
    assert training_dtype("auto", "cpu", small) == torch.float32
    assert training_dtype("auto", "cpu", big) == (torch.bfloat16 if native_bf16("cpu") else torch.float32)
    assert training_dtype("float32", "cpu", big) == torch.float32
    assert training_dtype("bfloat16", "cpu", small) == torch.bfloat16
    with pytest.raises(ValueError, match="precision must be one of"):
        training_dtype("half", "cpu", small)


def test_bfloat16_training_keeps_float32_weights_and_learns():
    # Forced bfloat16 runs anywhere (emulated where the CPU lacks it): weights and losses stay float32.
    G, D = gan.MLPGenerator(z_dim=8, hidden=(32,)), gan.MLPDiscriminator(hidden=(32,))
    images = gan.to_float(torch.randint(0, 256, (64, 1, 28, 28), dtype=torch.uint8))
    config = gan.TrainConfig(steps=10, batch_size=16, loss="bce_logits", precision="bfloat16", log_every=5)
    result = gan.train_gan(
        G, D, lambda n: images[torch.randint(0, 64, (n,))], lambda n: torch.randn(n, 8), config, progress=False
    )
    assert result.precision == "bfloat16"
    assert all(p.dtype == torch.float32 for p in [*G.parameters(), *D.parameters()])
    assert result.history[["d_loss", "g_loss"]].notna().all().all() and len(result.history) == 2


def test_the_loop_runs_exactly_the_hand_written_loop_of_train_steps():
    # Chapter 3's check: train_gan is train_step repeated, nothing more (plain path, same seed, same weights).
    config = gan.TrainConfig(steps=50, batch_size=4, loss="mse", optimizer="sgd", lr_d=0.1, lr_g=0.1, log_every=10)
    gan.seed_everything(0)
    G, D = gan.PatternGenerator(), gan.PatternDiscriminator()
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    gan.train_gan(G, D, gan.pattern_real, lambda n: torch.rand(n, 1), config, progress=False)
    gan.seed_everything(0)
    gan.PatternGenerator(), gan.PatternDiscriminator()  # the same draws as above, so the batches match
    opt_d, opt_g = torch.optim.SGD(D2.parameters(), lr=0.1), torch.optim.SGD(G2.parameters(), lr=0.1)
    for _ in range(config.steps):
        gan.train_step(G2, D2, gan.pattern_real(4), torch.rand(4, 1), opt_d, opt_g, config)
    assert all(
        torch.equal(a, b) for a, b in zip([*G.parameters(), *D.parameters()], [*G2.parameters(), *D2.parameters()])
    )


def test_the_steps_after_the_last_log_step_are_recorded_checked_and_seen_by_the_callback():
    gan.seed_everything(0)
    G, D = gan.PatternGenerator(), gan.PatternDiscriminator()
    seen = []
    config = gan.TrainConfig(steps=25, batch_size=4, loss="mse", optimizer="sgd", lr_d=0.1, lr_g=0.1, log_every=10)
    result = gan.train_gan(
        G,
        D,
        gan.pattern_real,
        lambda n: torch.rand(n, 1),
        config,
        callback=lambda step, G, D: seen.append(step),
        progress=False,
    )
    assert result.history["step"].tolist() == [10, 20, 25] and seen == [10, 20, 25]

    class LateNaN(torch.nn.Module):  # finite until the 22nd step, so only the last, partial window sees NaN
        def __init__(self):
            super().__init__()
            self.inner, self.calls = gan.PatternDiscriminator(), 0

        def forward(self, x):
            self.calls += 1
            return self.inner(x) * (float("nan") if self.calls > 21 * 3 else 1.0)

    with pytest.raises(gan.NonFiniteLossError, match="between steps 21 and 25; both networks were restored to step 20"):
        gan.train_gan(
            gan.PatternGenerator(), LateNaN(), gan.pattern_real, lambda n: torch.rand(n, 1), config, progress=False
        )
