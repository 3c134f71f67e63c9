"""The contributor's tools: tools/new-chapter starts a chapter exactly as the others start and lists it in
_toc.yml in order, or refuses and writes nothing; tools/run-chapter names a wrong chapter before it
touches the environment; tools/emulate_slow_cpu.py refuses bad arguments before it touches a cgroup, and its
watcher spreads busy threads over the two emulated cores and then leaves them. Nothing
here imports torch: these tools run before the environment exists."""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from new_chapter import PLACEHOLDER  # noqa: E402
from notebooks import chapter_sources, install_cell_source  # noqa: E402

CHAPTERS = chapter_sources()
COPIED = CHAPTERS[-1]  # the one chapter the copies below hold
TOC = (ROOT / "_toc.yml").read_text()


def _numbered(toc_text: str) -> list[str]:
    """The toc's chapter files (book/NN_name), in order."""
    toc = yaml.safe_load(toc_text)
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [f for f in files if f[len("book/") :][:2].isdigit()]


@pytest.fixture
def repo(tmp_path):
    """A copy of what new-chapter reads: _toc.yml and one chapter (the others are only listed in the toc)."""
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "_toc.yml", tmp_path / "_toc.yml")
    shutil.copy(COPIED, tmp_path / "book" / COPIED.name)
    return tmp_path


def _new_chapter(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "tools" / "new-chapter"), *args, "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _next_number() -> str:
    return f"{int(_numbered(TOC)[-1][len('book/') :][:2]) + 1:02d}"


def test_new_chapter_starts_as_every_chapter_starts(repo):
    number = _next_number()
    run = _new_chapter(repo, number, "wasserstein_gan")
    assert run.returncode == 0, run.stderr
    md = repo / "book" / f"{number}_wasserstein_gan.md"
    text = md.read_text()
    # The front matter, byte for byte, and the hidden install cell that tests/test_book.py checks.
    existing = COPIED.read_text()
    assert text.split("\n---\n")[0] == existing.split("\n---\n")[0]
    nb = jupytext.read(md)
    assert nb.metadata["jupytext"]["formats"] == "ipynb,md:myst"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    install, imports = [c for c in nb.cells if c.cell_type == "code"][:2]
    assert install.source == install_cell_source()
    assert install.metadata["tags"] == ["remove-cell"]
    for line in ("import torch", "import gan", "device = gan.pick_device()", "gan.seed_everything(0)"):
        assert line in imports.source.splitlines()
    for part in (
        "By the end of this chapter you will be able to",
        "## Summary",
        "## Exercises",
        "```{admonition} Solutions\n:class: dropdown",
    ):
        assert part in text, f"the skeleton lacks {part!r}"
    assert PLACEHOLDER in text  # what is left to write is marked
    # No .ipynb: the first run of tools/run-chapter executes the chapter and creates it.
    assert not md.with_suffix(".ipynb").exists()
    assert f"bash tools/run-chapter {number}" in run.stdout


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_new_chapter_lists_the_chapter_in_numeric_order(repo, where):
    listed = _numbered(TOC)
    if where == "last":
        number, toc = _next_number(), TOC
    else:
        # Free a number by taking its chapter out of the toc copy; the new chapter must land in its place.
        gone = listed[0] if where == "first" else listed[len(listed) // 2]
        number = gone[len("book/") :][:2]
        toc = "".join(line for line in TOC.splitlines(keepends=True) if line.strip() != f"- file: {gone}")
        assert toc != TOC and gone != f"book/{COPIED.stem}"
        (repo / "_toc.yml").write_text(toc)
    run = _new_chapter(repo, number, "a_new_idea")
    assert run.returncode == 0, run.stderr
    new_toc = (repo / "_toc.yml").read_text()
    entry = f"book/{number}_a_new_idea"
    # One line added, in the part and at the place its number says; nothing else touched.
    added = Counter(new_toc.splitlines()) - Counter(toc.splitlines())
    assert [line.strip() for line in added.elements()] == [f"- file: {entry}"]
    assert len(new_toc.splitlines()) == len(toc.splitlines()) + 1
    files = _numbered(new_toc)
    assert files == sorted(files) and entry in files
    if where != "last":
        assert files == sorted(set(listed) - {gone} | {entry})
        part = next(p for p in yaml.safe_load(TOC)["parts"] if any(c["file"] == gone for c in p["chapters"]))
        new_part = next(p for p in yaml.safe_load(new_toc)["parts"] if p["caption"] == part["caption"])
        assert entry in [c["file"] for c in new_part["chapters"]]


@pytest.mark.parametrize(
    ("number", "name", "says"),
    [
        ("7", "latent_walks", "two digits"),
        ("100", "latent_walks", "two digits"),
        ("ab", "latent_walks", "two digits"),
        ("00", "latent_walks", "two digits"),
        ("42", "Latent_walks", "lowercase_with_underscores"),
        ("42", "latent-walks", "lowercase_with_underscores"),
        ("42", "latent walks", "lowercase_with_underscores"),
        ("42", "_latent", "lowercase_with_underscores"),
        ("42", "latent__walks", "lowercase_with_underscores"),
        ("42", "latent_", "lowercase_with_underscores"),
        ("42", "1latent", "lowercase_with_underscores"),
        ("42", "", "lowercase_with_underscores"),
        (COPIED.name[:2], "another_name", f"already exists: book/{COPIED.name}"),  # the file is there
        (COPIED.name[:2], COPIED.stem[3:], "already exists"),  # the very same chapter
        (CHAPTERS[0].name[:2], "another_name", "_toc.yml already lists"),  # listed, though not copied here
    ],
)
def test_new_chapter_refuses_clearly_and_writes_nothing(repo, number, name, says):
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    run = _new_chapter(repo, number, name)
    assert run.returncode != 0
    assert says in run.stderr and "Nothing was written" in run.stderr, run.stderr
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before


@pytest.fixture
def run_chapter_copy(tmp_path):
    """tools/run-chapter in a copy with one chapter and a fake .venv/bin/python that records any call."""
    (tmp_path / "tools").mkdir()
    (tmp_path / "book").mkdir()
    for name in ("run-chapter", "steps.sh"):
        shutil.copy(ROOT / "tools" / name, tmp_path / "tools" / name)
    shutil.copy(COPIED, tmp_path / "book" / COPIED.name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\ntouch {tmp_path / 'python-was-called'}\nexit 3\n")
    python.chmod(0o755)
    return tmp_path


def _run_chapter(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(root / "tools" / "run-chapter"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("number", ["99", "7", "ab"])
def test_run_chapter_names_a_wrong_chapter_before_touching_the_environment(run_chapter_copy, number):
    run = _run_chapter(run_chapter_copy, number)
    assert run.returncode == 1
    if number == "99":
        assert "no chapter 99" in run.stderr and COPIED.stem in run.stderr, run.stderr  # and the chapters there are
    else:
        assert "two digits" in run.stderr, run.stderr
    assert not (run_chapter_copy / "python-was-called").exists()


def test_run_chapter_without_the_environment_says_how_to_make_it(run_chapter_copy):
    shutil.rmtree(run_chapter_copy / ".venv")
    run = _run_chapter(run_chapter_copy, COPIED.name[:2])
    assert run.returncode == 1
    assert "bash tools/setup-env" in run.stderr, run.stderr


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_no_chapter_keeps_a_new_chapter_placeholder(md):
    lines = [i + 1 for i, line in enumerate(md.read_text().splitlines()) if PLACEHOLDER in line]
    assert not lines, f"{md.name}: lines {lines} still hold the skeleton's {PLACEHOLDER}: write them"


@pytest.mark.parametrize(
    "args, says",
    [
        ([], "give a share and a command"),
        (["0.6"], "give a share and a command"),
        (["fast", "true"], "must be a number such as 0.6, got 'fast'"),
        (["60", "true"], "between 0.05 and 1; got 60.0"),
    ],
)
def test_the_slow_cpu_emulation_refuses_bad_arguments_clearly(args, says):
    """tools/emulate_slow_cpu.py checks its arguments before it touches a cgroup or runs anything."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "emulate_slow_cpu.py"), *args], capture_output=True, text=True
    )
    assert run.returncode == 1 and says in run.stderr and "usage:" in run.stderr, run.stderr


class _FakeCores:
    """Two emulated cores as folders with a ``tasks`` file, and threads whose CPU time the test sets."""

    def __init__(self, tmp_path, placement: dict[int, str], share: float = 0.6):
        from emulate_slow_cpu import CORES, Balancer

        self.cores = {name: tmp_path / name for name in CORES}
        for path in self.cores.values():
            path.mkdir()
        self.where = dict(placement)
        self.ran = {tid: 0 for tid in placement}
        self.moves = []
        self._write()
        fake = self

        class Watched(Balancer):
            def _cpu_ns(self, tid):
                return fake.ran.get(tid)

            def _move(self, tid, core):
                fake.moves.append((tid, core))
                fake.where[tid] = core
                fake._write()

        self.share = share
        self.balancer = Watched(self.cores, share=share)

    def _write(self):
        for name, path in self.cores.items():
            (path / "tasks").write_text("\n".join(str(t) for t, c in self.where.items() if c == name))

    def tick(self, busy: set[int]):
        """50 ms in which each thread of ``busy`` runs all the time its emulated core allows."""
        for tid in busy:
            self.ran[tid] += int(0.05 * self.share * 1e9)
        self.balancer.last -= 0.05  # as if 50 ms had passed since the last look
        self.balancer.step()

    def busy_per_core(self, busy: set[int]) -> list[int]:
        return sorted(sum(self.where[t] == name for t in busy) for name in self.cores)


@pytest.mark.parametrize("share", [0.6, 0.05])  # busy is measured in emulated cores, so small shares balance too
def test_the_slow_cpu_emulation_spreads_busy_threads_over_its_cores_and_then_leaves_them(tmp_path, share):
    from emulate_slow_cpu import CORES

    a, b = CORES
    cores = _FakeCores(tmp_path, {1: a, 2: a, 3: a, 4: a, 5: b}, share)  # 5 stays idle
    cores.balancer.ran = dict(cores.ran)  # known threads, all on core A: only the load can move them
    for busy in ({1, 2}, {1, 2, 3}, {1, 2, 3, 4}):
        for _ in range(6):
            cores.tick(busy)
        assert cores.busy_per_core(busy) == [len(busy) // 2, len(busy) - len(busy) // 2], (busy, cores.where)
        settled = len(cores.moves)
        for _ in range(10):
            cores.tick(busy)
        assert len(cores.moves) == settled, f"balanced threads kept moving: {cores.moves[settled:]}"
    del cores.ran[4], cores.where[4]  # a thread that ends is forgotten, not an error
    cores.ran.update({6: 0, 7: 0})  # two new threads, started on core A by their creator
    cores.where.update({6: a, 7: a})
    cores._write()
    cores.tick({1, 2, 3})
    assert 4 not in cores.balancer.ran
    assert {cores.where[6], cores.where[7]} == {a, b}, "new threads all went to one core"
