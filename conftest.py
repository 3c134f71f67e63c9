"""pytest setup shared by the unit tests and the nbval run over book/."""

import os
from collections import defaultdict

# Kernels started by nbval inherit this: the re-executed chapters must not draw progress bars,
# which the stored outputs (made by tools/execute_notebooks.py, which sets the same) do not have.
os.environ.setdefault("GAN_PROGRESS", "0")

# Time per notebook, printed at the end of the run, so that every CI log shows which chapter got
# slower. nbval makes each cell an item of its notebook; the kernel's start-up counts with the first.
# Summed from the items' reports (set-up, call and tear-down), which reach the main process also when
# pytest-xdist runs the notebooks in worker processes, several at a time.
_notebook_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.location[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[os.path.basename(path)] += report.duration


def pytest_terminal_summary(terminalreporter):
    if _notebook_seconds:
        # With notebooks run side by side (pytest -n), the sum exceeds the step's wall time.
        terminalreporter.section("time per notebook")
        for name, seconds in sorted(_notebook_seconds.items()):
            terminalreporter.write_line(f"{name:<28} {seconds:7.1f} s")
        terminalreporter.write_line(f"{'sum':<28} {sum(_notebook_seconds.values()):7.1f} s")
