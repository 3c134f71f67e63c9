"""Run a command as if on an older 2-core CPU with AVX2 only: each core slower, both cores usable.

    sudo python tools/emulate_slow_cpu.py 0.6 env CI=true bash .ci/run

The first argument is each emulated core's share of one of this machine's cores (with 0.6, a
2-core AMD EPYC of family 25 was slower than the older AMD EPYC of "CI lands on every CPU" on every
workload checked; README, "Chapter times on two kinds of CPU"). Two things make the emulation:

- PyTorch's, oneDNN's and MKL's kernels are restricted to AVX2 (``ATEN_CPU_CAPABILITY=avx2`` and
  friends), so the command runs the older machine's code paths, in float32 where it has no bfloat16;
- two cgroups stand for the two cores, each with a CPU quota of SHARE of one CPU (period 2 ms, longer
  for shares under 0.5: the kernel's smallest quota is 1 ms). A watcher plays the scheduler every
  50 ms: it measures how busy each thread of the command has been (``/proc/TID/schedstat``) and keeps
  the busy threads spread over the two cores, moving one only when a core has two more busy threads
  than the other; a new thread starts on its creator's core and is moved, within 50 ms, to the core
  with fewer busy (and newly placed) threads. One thread then runs at one slow core's
  speed, and two busy threads, of one process (PyTorch's two workers) or of two (two chapters at a
  time), at two cores', as on the real machine. (A single quota for the whole command would give one
  thread the speed of both cores and overstate what one thread gains.)

``OMP_WAIT_POLICY=PASSIVE`` stops a waiting thread from spinning away its core's quota, time a real
core would not lose. Needs root and cgroup v1's cpu controller at /sys/fs/cgroup/cpu (as on the
machines this course is developed on), and the command runs as root. The cgroups are left in place
and shared: run one emulation at a time. Ctrl-C reaches the command as usual; if this script itself
is killed with SIGKILL, the command runs on without the watcher: its threads stay where they are
and new ones start on their creator's core.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

CGROUP_ROOT = Path("/sys/fs/cgroup/cpu")
PERIOD_US = 2000  # the quota period; longer where SHARE of it would be under the kernel's 1 ms minimum
CORES = ("gan_slow_core_a", "gan_slow_core_b")
AVX2_ONLY = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "OMP_WAIT_POLICY": "PASSIVE",
}


def usage(message: str) -> NoReturn:
    sys.exit(f"{message}\nusage: python tools/emulate_slow_cpu.py SHARE COMMAND... (e.g. 0.6 bash tools/test)")


def make_cores(share: float) -> dict[str, Path]:
    if not (CGROUP_ROOT / "cpu.cfs_quota_us").exists():
        sys.exit(f"{CGROUP_ROOT} is not cgroup v1's cpu controller: this emulation needs it (and root).")
    period = max(PERIOD_US, math.ceil(1000 / share))
    cores = {}
    for name in CORES:
        path = CGROUP_ROOT / name
        try:
            path.mkdir(exist_ok=True)
            (path / "cpu.cfs_period_us").write_text(str(period))
            (path / "cpu.cfs_quota_us").write_text(str(round(share * period)))
        except PermissionError:
            sys.exit(f"cannot write {path}: run as root.")
        except OSError as error:
            sys.exit(f"cannot set the CPU quota in {path}: {error}")
        cores[name] = path
    return cores


BUSY = 0.1  # a thread that used over a tenth of an emulated core (SHARE of a real one) lately is busy
MEMORY = 0.75  # how much of a thread's past load carries into the next 50 ms (about 0.2 s in all)


class Balancer:
    """Keeps the command's busy threads spread over the two emulated cores, as a scheduler would."""

    def __init__(self, cores: dict[str, Path], share: float):
        self.cores = cores
        self.share = share
        self.ran: dict[int, int] = {}  # thread -> nanoseconds on a CPU at the last look
        self.load: dict[int, float] = {}  # thread -> recent use, in emulated cores, decaying
        self.last = time.monotonic()
        self.warned = False  # about a move the kernel refused

    @staticmethod
    def _cpu_ns(tid: int) -> int | None:
        try:
            return int(Path(f"/proc/{tid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None  # the thread ended

    def _move(self, tid: int, core: str) -> None:
        try:
            (self.cores[core] / "tasks").write_text(str(tid))
        except ProcessLookupError:  # the thread ended meanwhile
            pass
        except OSError as error:  # said once, not every 50 ms
            if not self.warned:
                print(f"emulate_slow_cpu: cannot move thread {tid} to {core}: {error} (said once)", file=sys.stderr)
                self.warned = True

    def step(self) -> None:
        now = time.monotonic()
        elapsed, self.last = max(now - self.last, 1e-3), now
        where: dict[int, str] = {}
        for name, path in self.cores.items():
            try:
                where.update((int(t), name) for t in (path / "tasks").read_text().split())
            except OSError:
                continue
        busy = {name: [] for name in self.cores}
        new = []
        for tid, core in where.items():
            ran = self._cpu_ns(tid)
            if ran is None:
                continue
            if tid not in self.ran:
                new.append(tid)
            used = max(0, ran - self.ran.get(tid, ran)) / 1e9 / elapsed / self.share  # a reused id: not < 0
            self.ran[tid] = ran
            self.load[tid] = MEMORY * self.load.get(tid, 0.0) + (1 - MEMORY) * used
            if self.load[tid] > BUSY:
                busy[core].append(tid)
        for tid in list(self.ran):
            if tid not in where:
                del self.ran[tid], self.load[tid]
        a, b = self.cores
        placed = {a: 0, b: 0}
        for tid in new:  # a new thread goes to the core with fewer busy threads and fewer placed now
            target = a if len(busy[a]) + placed[a] <= len(busy[b]) + placed[b] else b
            placed[target] += 1
            if where[tid] != target:
                self._move(tid, target)
        while abs(len(busy[a]) - len(busy[b])) >= 2:  # as a scheduler evens out its run queues
            heavy, light = (a, b) if len(busy[a]) > len(busy[b]) else (b, a)
            tid = min(busy[heavy], key=self.load.__getitem__)  # the least busy of them moves
            busy[heavy].remove(tid)
            busy[light].append(tid)
            self._move(tid, light)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        usage("give a share and a command.")
    try:
        share = float(argv[0])
    except ValueError:
        usage(f"the share must be a number such as 0.6, got {argv[0]!r}.")
    if not 0.05 <= share <= 1:
        usage(f"the share is a fraction of one core, between 0.05 and 1; got {share}.")
    try:  # this process has run, so its time on a CPU is above 0 where the kernel counts it
        counted = int(Path("/proc/self/schedstat").read_text().split()[0]) > 0
    except (OSError, ValueError, IndexError):
        counted = False
    if not counted:
        sys.exit(
            "this kernel has no /proc/TID/schedstat (CONFIG_SCHED_INFO): the watcher needs it to see busy threads."
        )
    cores = make_cores(share)
    core_a = cores[CORES[0]] / "cgroup.procs"
    command = subprocess.Popen(
        argv[1:], env={**os.environ, **AVX2_ONLY}, preexec_fn=lambda: core_a.write_text(str(os.getpid()))
    )
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the command from the terminal already
    signal.signal(signal.SIGTERM, lambda number, frame: command.send_signal(number))
    balancer = Balancer(cores, share)
    while command.poll() is None:
        balancer.step()
        time.sleep(0.05)
    return command.returncode if command.returncode >= 0 else 128 - command.returncode  # killed by a signal


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
