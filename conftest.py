"""pytest setup shared by the unit tests and the nbval run over book/."""

import os

# Kernels started by nbval inherit this: the re-executed chapters must not draw progress bars,
# which the stored outputs (made by tools/execute_notebooks.py, which sets the same) do not have.
os.environ.setdefault("GAN_PROGRESS", "0")
