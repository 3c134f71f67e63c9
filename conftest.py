"""pytest setup shared by the unit tests and the nbval run over book/."""

import os
import time
from collections import defaultdict

import pytest

# Kernels started by nbval inherit this: the re-executed chapters must not draw progress bars,
# which the stored outputs (made by tools/execute_notebooks.py, which sets the same) do not have.
os.environ.setdefault("GAN_PROGRESS", "0")

# Wall time per notebook, printed at the end of the run, so that every CI log shows which chapter got
# slower. nbval makes each cell an item of its notebook; the kernel's start-up counts with the first.
_notebook_seconds: dict[str, float] = defaultdict(float)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.perf_counter()
    yield
    if item.path.suffix == ".ipynb":
        _notebook_seconds[item.path.name] += time.perf_counter() - start


def pytest_terminal_summary(terminalreporter):
    if _notebook_seconds:
        terminalreporter.section("wall time per notebook")
        for name, seconds in sorted(_notebook_seconds.items()):
            terminalreporter.write_line(f"{name:<28} {seconds:7.1f} s")
        terminalreporter.write_line(f"{'total':<28} {sum(_notebook_seconds.values()):7.1f} s")
