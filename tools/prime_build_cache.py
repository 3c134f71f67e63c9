"""Put the committed, executed notebooks into Jupyter Book's execution cache before a build.

The build then shows exactly the outputs stored in book/*.ipynb (the ones Colab users open and nbval
re-checks) instead of executing every chapter a second time. jupyter-cache matches a chapter by a hash
of its code cells, so a chapter whose .md changed since its .ipynb was executed is still executed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jupyter_cache import get_cache

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebooks import ROOT, chapter_sources  # noqa: E402


def main() -> int:
    cache = get_cache(ROOT / "_build" / ".jupyter_cache")
    for md in chapter_sources():
        ipynb = md.with_suffix(".ipynb")
        if ipynb.exists():
            cache.cache_notebook_file(ipynb, check_validity=False, overwrite=True)
    print(f"primed the build cache with {len(chapter_sources())} executed chapters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
