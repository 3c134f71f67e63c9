"""Property-based tests: every call either returns a well-formed result or raises a documented error."""

import math

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import gan
from gan import metrics

DOCUMENTED = (ValueError, TypeError)
shapes = st.lists(st.integers(0, 30), min_size=0, max_size=5).map(tuple)
dtypes = st.sampled_from([torch.float32, torch.float64, torch.float16, torch.int64, torch.uint8, torch.bool])


def _tensor(shape, dtype, scale=1.0):
    x = torch.randn(shape) * scale
    return x.to(dtype)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, dtype=dtypes)
def test_pattern_models_return_the_right_shape_or_a_documented_error(shape, dtype):
    for model, n_in, n_out in ((gan.PatternDiscriminator(), 4, 1), (gan.PatternGenerator(), 1, 4)):
        x = _tensor(shape, dtype)
        try:
            y = model(x)
        except DOCUMENTED:
            assert len(shape) != 2 or shape[1] != n_in or dtype != torch.float32
            continue
        assert y.shape == (shape[0], n_out) and torch.isfinite(y).all()


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 4), tail=st.sampled_from([(1, 28, 28), (3, 28, 28), (1, 32, 32), (784,), (1, 28)]), dtype=dtypes
)
def test_mnist_discriminators_accept_only_float_mnist_images(n, tail, dtype):
    for D in (gan.MLPDiscriminator(hidden=(16,)), gan.DCGANDiscriminator(width=4)):
        D.eval()
        x = _tensor((n, *tail), dtype)
        try:
            y = D(x)
        except DOCUMENTED:
            assert tail != (1, 28, 28) or dtype != torch.float32
            continue
        assert y.shape == (n, 1)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, dtype=dtypes, scale=st.sampled_from([0.5, 1.0, 3.0]), shift=st.sampled_from([0.0, 1.0, -5.0]))
def test_metric_input_checks_accept_only_finite_mnist_batches_in_tanh_range(shape, dtype, scale, shift):
    x = (_tensor(shape, torch.float32, scale) + shift).clamp(-1e3, 1e3).to(dtype) if shape else torch.tensor(0.0)
    try:
        gan.models.check_images(x, values=True)
    except DOCUMENTED:
        return
    assert x.shape[1:] == (1, 28, 28) and x.is_floating_point()
    assert x.min() >= -1.001 and x.max() <= 1.001 and x.min() < 0


@settings(max_examples=30, deadline=None)
@given(n=st.integers(-3, 50), jitter=st.one_of(st.floats(-1, 1), st.just(math.nan)))
def test_pattern_sampler_returns_n_rows_or_a_documented_error(n, jitter):
    try:
        x = gan.pattern_real(n, jitter=jitter)
    except DOCUMENTED:
        assert n < 1 or not 0.0 <= jitter <= 0.5 or math.isnan(jitter)
        return
    assert x.shape == (n, 4) and x.min() >= 0 and x.max() <= 1


@settings(max_examples=30, deadline=None)
@given(n=st.integers(-2, 100), modes=st.integers(1, 12), std=st.floats(-0.1, 0.5))
def test_ring_sampler_returns_finite_points_or_a_documented_error(n, modes, std):
    try:
        x = gan.ring_of_gaussians(n, modes=modes, std=std)
    except DOCUMENTED:
        assert n < 1 or std <= 0
        return
    assert x.shape == (n, 2) and torch.isfinite(x).all()


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=4).map(tuple))
def test_to_float_maps_any_uint8_tensor_into_tanh_range(shape):
    x = torch.randint(0, 256, shape, dtype=torch.uint8)
    y = gan.to_float(x)
    assert y.shape == x.shape and y.dtype == torch.float32 and y.min() >= -1 and y.max() <= 1


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 60), d=st.integers(1, 8), shift=st.floats(-3, 3))
def test_frechet_distance_is_non_negative_or_refuses_too_few_samples(n, d, shift):
    gen = torch.Generator().manual_seed(n * 31 + d)
    a = torch.randn(n, d, generator=gen, dtype=torch.float64)
    b = torch.randn(n, d, generator=gen, dtype=torch.float64) + shift
    try:
        fd = metrics.frechet_distance(a, b)
    except ValueError:
        assert n <= d
        return
    assert math.isfinite(fd) and fd >= -1e-6
