"""The three descriptions of the environment agree: pyproject.toml, requirements-lock.txt, environment.yml."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _environment_yml() -> dict[str, SpecifierSet]:
    """Return environment.yml's packages as PyPI names with their version constraints."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for line in dep["pip"]:
                if not line.startswith("-e"):
                    req = Requirement(line)
                    specs[canonicalize_name(req.name)] = req.specifier
        else:
            name, _, version = dep.partition("=")
            if name in ("python", "pip"):
                continue
            # conda's "numpy=2.4" means any 2.4.x
            specs[canonicalize_name(name)] = SpecifierSet(f"=={version}.*") if version else SpecifierSet()
    return specs


def test_lock_pins_every_package_exactly():
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        if line.startswith("#"):
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.+\-]+", line), f"not an exact pin: {line!r}"


def test_lock_pins_a_matched_torch_and_torchvision_pair():
    lock = _lock()
    # torchvision 0.(N+15) goes with torch 2.N
    torch_minor = int(lock["torch"].split(".")[1])
    assert lock["torchvision"].startswith(f"0.{torch_minor + 15}.")


def test_lock_has_jupyter_book_1():
    assert _lock()["jupyter-book"] == "1.0.4.post1"


def test_environment_yml_versions_match_the_lock():
    lock = _lock()
    for name, spec in _environment_yml().items():
        assert name in lock, f"environment.yml lists {name}, which requirements-lock.txt lacks"
        assert lock[name] in spec, f"{name}: environment.yml wants {spec}, the lock has {lock[name]}"


def test_environment_yml_and_lock_use_the_same_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]


def test_every_declared_dependency_is_in_the_lock_and_environment_yml():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    lock, env = _lock(), _environment_yml()
    for line in declared:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in lock and lock[name] in req.specifier, f"pyproject wants {req}, lock has {lock.get(name)}"
        assert name in env, f"environment.yml does not list {name}"
