"""Start a chapter: write book/NN_name.md from the course's skeleton and add it to _toc.yml in numeric order.

    bash tools/new-chapter 16 progressive_gan            # then write it, then: bash tools/run-chapter 16
    bash tools/new-chapter 16 progressive_gan --root DIR  # in another copy of the repository (the tests use this)

Only the standard library: it runs before any environment exists. The front matter and the hidden Colab
install cell are copied verbatim from the existing chapters, so the new one starts exactly as they do.
It writes no .ipynb: the first `bash tools/run-chapter NN` executes the chapter and creates it (until then
`tools/check_notebooks.py pairing` names the chapter and that command). Every placeholder contains
TODO(new-chapter): `grep -n TODO book/NN_*.md` lists what is left to write, and a test fails while one remains.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PLACEHOLDER = "TODO(new-chapter)"
NUMBER = re.compile(r"[0-9][0-9]")
NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
TOC_CHAPTER = re.compile(r"^(?P<indent>\s*)- file: book/(?P<number>[0-9][0-9])_\S+\s*$")

IMPORTS_CELL = """\
```{code-cell} ipython3
import torch

import gan

device = gan.pick_device()
gan.seed_everything(0)
```"""


class Refusal(Exception):
    """A reason not to write anything, for the user."""


def _front_matter(text: str, source: Path) -> str:
    """Return the chapter's YAML front matter, both `---` lines included."""
    lines = text.splitlines()
    if not lines or lines[0] != "---" or "---" not in lines[1:]:
        raise Refusal(f"{source}: no front matter (--- ... ---) to copy")
    end = lines.index("---", 1)
    return "\n".join(lines[: end + 1])


def _first_code_cell(text: str, source: Path) -> str:
    """Return the first ```{code-cell} block, fences included, as the file writes it."""
    match = re.search(r"^```\{code-cell\}.*?^```$", text, flags=re.MULTILINE | re.DOTALL)
    if not match:
        raise Refusal(f"{source}: no code cell to copy the Colab install cell from")
    return match.group(0)


def skeleton(chapters: list[Path], name: str) -> str:
    """Return the new chapter's text: front matter and install cell as the existing chapters have them."""
    if not chapters:
        raise Refusal("book/ has no chapter (book/NN_name.md) to copy the front matter and install cell from")
    texts = {md: md.read_text() for md in chapters}
    # The most common front matter and install cell, so one chapter being edited cannot change the copy.
    front = Counter(_front_matter(t, md) for md, t in texts.items()).most_common(1)[0][0]
    install = Counter(_first_code_cell(t, md) for md, t in texts.items()).most_common(1)[0][0]
    if ":tags: [remove-cell]" not in install:
        raise Refusal("the chapters' first code cell is not the hidden (remove-cell) Colab install cell")
    title = name.replace("_", " ").capitalize()
    todo = PLACEHOLDER
    return f"""{front}

# {todo}: {title}

% Link the chapters this one builds on with {{doc}}`03_first_gan`; cite with {{cite:t}}`key` (references.bib).
{todo}: one or two paragraphs: what this chapter does, why it matters, and which chapters it builds on.

By the end of this chapter you will be able to

- {todo}: the first thing the reader will be able to do (a verb: build, explain, measure, ...),
- {todo}: the second, and
- {todo}: the third.

{install}

{IMPORTS_CELL}

## {todo}: the first section

% Small cells, one idea each, with the prose between them. Show the package's code with
% gan.show_source(gan.SomeClass) rather than a pasted copy. Check every result the text states with an
% assert (or a table printed) in a cell above the sentence; tag cells that print training numbers
% (losses, timings) with `:tags: [nbval-ignore-output]`. Link terms with {{term}}`mode collapse` and
% add new ones, with their Korean terms, to book/glossary.md.

{todo}: the chapter.

## Summary

- {todo}: one bullet per learning goal above, saying what the chapter showed.

## Exercises

1. {todo}: an exercise the reader can do with this chapter's code.
2. {todo}: another.

```{{admonition}} Solutions
:class: dropdown

1. {todo}: the first solution.
2. {todo}: the second.
```
"""


def toc_with_chapter(toc: str, number: str, entry: str) -> tuple[str, str]:
    """Return _toc.yml's text with ``- file: entry`` after the chapter numbered just below ``number``
    (or before the one just above), and the caption of the part it went into."""
    lines = toc.splitlines(keepends=True)
    found = [(i, m) for i, line in enumerate(lines) if (m := TOC_CHAPTER.match(line))]
    if not found:
        raise Refusal("_toc.yml lists no numbered chapter (- file: book/NN_name); add the entry by hand")
    below = [(i, m) for i, m in found if m["number"] < number]
    if below:
        i, m = max(below, key=lambda f: f[1]["number"])
        indent = len(m["indent"])
        at = i + 1
        while at < len(lines) and lines[at].strip() and len(lines[at]) - len(lines[at].lstrip()) > indent:
            at += 1  # keys of that entry (title:, sections:) stay with it
    else:
        at, m = min(found, key=lambda f: f[1]["number"])
    lines.insert(at, f"{m['indent']}- file: {entry}\n")
    captions = [re.search(r"caption:\s*(.+)", line) for line in lines[:at]]
    caption = next((c.group(1).strip() for c in reversed(captions) if c), "")
    return "".join(lines), caption


def new_chapter(root: Path, number: str, name: str) -> str:
    """Write book/NN_name.md and its _toc.yml entry under ``root``; return what to do next."""
    if not NUMBER.fullmatch(number) or number == "00":
        raise Refusal(f"the chapter number must be two digits from 01 to 99, e.g. 07; got {number!r}")
    if not NAME.fullmatch(name):
        raise Refusal(
            f"the name must be lowercase_with_underscores (a-z, 0-9, single _), e.g. latent_space; got {name!r}"
        )
    book, toc_path = root / "book", root / "_toc.yml"
    if not book.is_dir() or not toc_path.is_file():
        raise Refusal(f"{root} has no book/ folder or no _toc.yml: is it the repository? (see --root)")
    md = book / f"{number}_{name}.md"
    taken = sorted({p.name for p in book.glob(f"{number}_*") if p.suffix in (".md", ".ipynb")})
    if taken:
        raise Refusal(f"chapter {number} already exists: book/{taken[0]}. Pick another number, or edit that chapter")
    toc = toc_path.read_text()
    listed = [m["number"] for line in toc.splitlines() if (m := TOC_CHAPTER.match(line))]
    if number in listed:
        raise Refusal(f"_toc.yml already lists a chapter {number} (book/{number}_...). Pick another number")
    text = skeleton(sorted(book.glob("[0-9][0-9]_*.md")), name)
    entry = f"book/{md.stem}"
    new_toc, caption = toc_with_chapter(toc, number, entry)
    md.write_text(text)
    toc_path.write_text(new_toc)
    rel = f"book/{md.name}"
    part = f' (part "{caption}")' if caption else ""
    return f"""Created {rel} and listed it in _toc.yml{part}; move the entry to another part if it belongs there.

Next:
  1. Write the chapter: replace every {PLACEHOLDER} in {rel} (grep -n TODO {rel});
     the house style is in CONTRIBUTING.md, "Add a chapter".
  2. Execute it, store its outputs and check it with strict nbval:
         bash tools/run-chapter {number}
     (the first run creates book/{md.stem}.ipynb; run it again after every change to the code cells).
  3. Commit {rel}, book/{md.stem}.ipynb and _toc.yml together."""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tools/new-chapter", description="Start book/NN_name.md from the course's chapter skeleton."
    )
    parser.add_argument("number", metavar="NN", help="two digits, e.g. 11")
    parser.add_argument("name", help="lowercase_with_underscores, e.g. wasserstein_gan")
    parser.add_argument(
        "--root", type=Path, default=REPOSITORY, help="the repository to write into (default: this one)"
    )
    args = parser.parse_args(argv)
    try:
        print(new_chapter(args.root.resolve(), args.number, args.name))
    except Refusal as refusal:
        print(f"new-chapter: {refusal}. Nothing was written.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
