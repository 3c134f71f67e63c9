"""Walking the latent space: seeds as vectors, and straight (lerp) or spherical (slerp) paths between them."""

from __future__ import annotations

import math
import warnings

import torch


def latents(n: int, seed: int, z_dim: int = 100) -> torch.Tensor:
    """Return the ``n`` standard normal seeds (n, z_dim), on the CPU, that ``gan.sample(G, n, seed)`` feeds to G."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"latents: n must be a positive int, got {n!r}.")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"latents: seed must be an int (the seed given to gan.sample), got {seed!r}.")
    if not isinstance(z_dim, int) or isinstance(z_dim, bool) or z_dim < 1:
        raise ValueError(f"latents: z_dim must be a positive int, got {z_dim!r}.")
    # The same draw as gan.sample makes (a CPU generator seeded with ``seed``), so the seeds match bit for bit.
    return torch.randn(n, z_dim, generator=torch.Generator().manual_seed(seed))


def _check_pair(name: str, a: torch.Tensor, b: torch.Tensor) -> None:
    """Raise a readable error unless ``a`` and ``b`` are float tensors of one shape on one device."""
    for label, x in (("a", a), ("b", b)):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{name}: {label} must be a torch.Tensor, got {type(x).__name__}.")
        if not x.is_floating_point():
            raise TypeError(f"{name}: {label} must be a float tensor, got dtype {x.dtype}.")
        if x.dim() == 0:
            raise ValueError(f"{name}: {label} must be a latent vector (z_dim,) or a batch (N, z_dim), got a scalar.")
    if a.shape != b.shape:
        raise ValueError(f"{name}: a and b must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}.")
    if a.device != b.device:
        raise ValueError(f"{name}: a and b must be on the same device, got {a.device} and {b.device}.")


def _check_t(name: str, t) -> float:
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
        raise TypeError(f"{name}: t must be a finite number (0 gives a, 1 gives b), got {t!r}.")
    return float(t)


def lerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Return the point a fraction ``t`` of the way along the straight line from ``a`` to ``b`` (last dim = latent)."""
    _check_pair("lerp", a, b)
    t = _check_t("lerp", t)
    return (1 - t) * a + t * b


def slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Return the point a fraction ``t`` of the way along the great-circle arc from ``a`` to ``b`` (last dim = latent).

    For ``a`` and ``b`` of equal norm every point keeps that norm; ``t`` outside [0, 1] continues the arc
    past ``a`` or ``b``. Parallel or opposite vectors have no single arc between them: there it falls back to ``lerp``.
    """
    _check_pair("slerp", a, b)
    t = _check_t("slerp", t)
    norm_a, norm_b = a.norm(dim=-1, keepdim=True), b.norm(dim=-1, keepdim=True)
    if (norm_a == 0).any() or (norm_b == 0).any():
        raise ValueError("slerp: a zero vector has no direction, so there is no arc to follow; use lerp.")
    cos = ((a / norm_a) * (b / norm_b)).sum(-1, keepdim=True).clamp(-1.0, 1.0)
    omega = torch.arccos(cos)
    sin = torch.sin(omega)
    # Where the angle is tiny the arc is a straight line, and dividing by sin(omega) would lose precision.
    straight = sin.abs() < 1e-6
    safe = torch.where(straight, torch.ones_like(sin), sin)
    arc = torch.sin((1 - t) * omega) / safe * a + torch.sin(t * omega) / safe * b
    return torch.where(straight, (1 - t) * a + t * b, arc)


def path(a: torch.Tensor, b: torch.Tensor, steps: int = 12, method: str = "slerp") -> torch.Tensor:
    """Return ``steps`` latent vectors (steps, z_dim) evenly spaced from ``a`` to ``b``, both included."""
    methods = {"lerp": lerp, "slerp": slerp}
    if method not in methods:
        raise ValueError(f"path: method must be one of {sorted(methods)}, got {method!r}.")
    _check_pair("path", a, b)
    if a.dim() != 1:
        raise ValueError(f"path: a and b must be single latent vectors (z_dim,), got shape {tuple(a.shape)}.")
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 2:
        raise ValueError(f"path: steps must be an int >= 2 (both ends are included), got {steps!r}.")
    return torch.stack([methods[method](a, b, i / (steps - 1)) for i in range(steps)])


def to_typical_norm(z: torch.Tensor) -> torch.Tensor:
    """Return ``z`` rescaled along its last dim to norm sqrt(z_dim), where N(0, I) seeds concentrate."""
    if not isinstance(z, torch.Tensor) or not z.is_floating_point() or z.dim() == 0:
        raise TypeError(f"to_typical_norm: z must be a float tensor (z_dim,) or (N, z_dim), got {z!r:.60}.")
    norm = z.norm(dim=-1, keepdim=True)
    if (norm == 0).any():
        raise ValueError("to_typical_norm: a zero vector has no direction to rescale.")
    return z * (math.sqrt(z.shape[-1]) / norm)


def directions(generator: torch.nn.Module, k: int = 3, n: int = 32, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the ``k`` unit directions (k, z_dim) along which ``generator``'s images change most, and how much.

    The first is the direction of largest average change; each next one the largest among the
    directions at right angles to those before it.

    A small step ``eps * v`` from a seed ``z`` changes the image by about ``J(z) v eps``, where ``J(z)``
    (784 x z_dim) is the Jacobian of the image with respect to the seed. Averaged over the ``n`` seeds
    ``latents(n, seed)``, the squared change is ``eps**2 * v^T M v`` with ``M`` the mean of
    ``J(z)^T J(z)``; the directions that change the image most are the top eigenvectors of ``M``. The
    second tensor (k,) is the root-mean-square pixel change (on the [-1, 1] scale) per unit step along each,
    ``sqrt(eigenvalue / 784)``. Each direction's sign is fixed so that its entry largest in absolute value is positive.
    """
    from .conditional import is_conditional

    if is_conditional(generator):
        raise ValueError("directions: a conditional generator also takes a digit; use an unconditional one.")
    z_dim = generator.z_dim
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= z_dim:
        raise ValueError(f"directions: k must be an int from 1 to z_dim = {z_dim}, got {k!r}.")
    device = next(generator.parameters()).device
    z = latents(n, seed, z_dim).to(device)
    was_training = generator.training
    generator.eval()
    try:

        def image(v):  # one seed (z_dim,) -> its image as a vector (784,)
            return generator(v.unsqueeze(0)).flatten()

        with torch.no_grad(), warnings.catch_warnings():
            # PyTorch's forward-mode autograd loads its rules with torch.jit.script the first time and
            # warns that torch.jit.script is deprecated: PyTorch's own business, not this function's.
            warnings.filterwarnings("ignore", message=".*torch.jit.script.* is deprecated", category=FutureWarning)
            jacobians = torch.func.vmap(torch.func.jacfwd(image))(z)  # (n, 784, z_dim)
    finally:
        generator.train(was_training)
    jacobians = jacobians.double().cpu()
    m = torch.einsum("npi,npj->ij", jacobians, jacobians) / n  # mean of J^T J, (z_dim, z_dim)
    values, vectors = torch.linalg.eigh(m)  # ascending
    top = vectors[:, -k:].flip(1).T  # (k, z_dim), the largest eigenvalue first
    signs = torch.sign(top.gather(1, top.abs().argmax(1, keepdim=True)))
    rms = (values[-k:].flip(0).clamp(min=0) / jacobians.shape[1]).sqrt()
    return (top * signs).float(), rms.float()
