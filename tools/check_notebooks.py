"""CI gates for the committed notebooks.

    python tools/check_notebooks.py pairing   # each book/NN.ipynb is exactly what its .md regenerates
    python tools/check_notebooks.py stale     # each .ipynb's outputs were produced by its current code,
                                              # and the package source a chapter shows is today's

Both exit 1 and name the chapter and the fix on failure.
"""

from __future__ import annotations

import inspect
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebooks import ROOT, chapter_sources, code_hashes, sync_ipynb  # noqa: E402

FIX = "Run `.venv/bin/python tools/execute_notebooks.py {md}` and commit both files."


def check_pairing() -> list[str]:
    problems = []
    for md in chapter_sources():
        ipynb = md.with_suffix(".ipynb")
        rel = md.relative_to(ROOT)
        if not ipynb.exists():
            problems.append(f"{rel}: no paired {ipynb.name}. " + FIX.format(md=rel))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            regenerated = Path(tmp) / ipynb.name
            shutil.copy(ipynb, regenerated)
            sync_ipynb(md, regenerated)
            if regenerated.read_text() != ipynb.read_text():
                problems.append(f"{rel}: {ipynb.name} differs from what {md.name} regenerates. " + FIX.format(md=rel))
    for ipynb in sorted((ROOT / "book").glob("*.ipynb")):
        if not ipynb.with_suffix(".md").exists():
            problems.append(f"{ipynb.relative_to(ROOT)}: no paired .md source; delete it or add the source.")
    return problems


#: A cell that shows the package's source: ``gan.show_source(NAME)``, NAME dotted (``gan.toy.unrolled_step``).
SHOWN = re.compile(r"show_source\(([A-Za-z_][\w.]*)\)")


def resolve(expr: str):
    """Return the package object a chapter's ``show_source(expr)`` shows, or None if it cannot be told for sure.

    ``expr`` is ``gan.X...``, or starts with a name the chapter imported from the package: a submodule
    (``wasserstein.fit``) or a function of exactly one submodule (``frechet_distance``).
    """
    import gan

    parts = expr.split(".")
    if parts[0] == "gan":
        owners, parts = [gan], parts[1:]
    elif hasattr(gan, parts[0]):
        owners = [gan]
    else:
        modules = [m for m in vars(gan).values() if inspect.ismodule(m) and m.__name__.startswith("gan.")]
        owners = [m for m in modules if hasattr(m, parts[0])]
    found = set()
    for obj in owners:
        for part in parts:
            obj = getattr(obj, part, None)
        if obj is not None:
            found.add(obj)
    return found.pop() if len(found) == 1 else None


def shown_source_problems(nb, rel) -> list[str]:
    """The code cells of ``nb`` whose displayed package source differs from the package's source today."""
    problems = []
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        match = SHOWN.search(cell.source)
        obj = resolve(match.group(1)) if match else None
        if obj is None:
            continue
        shown = [o["data"]["text/plain"] for o in cell.outputs if "text/plain" in o.get("data", {})]
        if shown and shown[0].rstrip("\n") != inspect.getsource(obj).rstrip("\n"):
            problems.append(
                f"{rel}: code cell {i} shows the source of {match.group(1)}, which has changed since the chapter "
                "was executed. " + FIX.format(md=rel)
            )
    return problems


def check_stale() -> list[str]:
    problems = []
    for md in chapter_sources():
        ipynb = md.with_suffix(".ipynb")
        rel = md.relative_to(ROOT)
        if not ipynb.exists():
            continue  # reported by the pairing check
        nb = nbformat.read(ipynb, as_version=4)
        recorded = nb.metadata.get("gan", {}).get("code_sha256")
        current = code_hashes(nb)
        if recorded != current:
            changed = [i for i, (a, b) in enumerate(zip(current, recorded or [])) if a != b]
            where = f"code cells {changed}" if changed else "the number of code cells" if recorded else "all cells"
            problems.append(f"{rel}: stored outputs are stale ({where} changed since execution). " + FIX.format(md=rel))
        unrun = [i for i, c in enumerate(c for c in nb.cells if c.cell_type == "code") if c.execution_count is None]
        if unrun:
            problems.append(f"{rel}: code cells {unrun} were never executed. " + FIX.format(md=rel))
        problems += shown_source_problems(nb, rel)
    return problems


def main(argv: list[str]) -> int:
    checks = {"pairing": check_pairing, "stale": check_stale}
    if len(argv) != 1 or argv[0] not in checks:
        print(f"usage: python tools/check_notebooks.py {{{'|'.join(checks)}}}", file=sys.stderr)
        return 2
    problems = checks[argv[0]]()
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{argv[0]}: {len(chapter_sources())} chapters checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
