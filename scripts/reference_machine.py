"""The machine whose arithmetic stored the chapters' outputs, and whether this one matches.

The pinned code paths (scripts/env.sh) make most stored outputs reproduce on another CPU, but
not all: some cells print the results of long training runs, whose last digits differed
between the two CPU models measured (an AMD EPYC and an Intel Xeon; book/execution.md counts
the cells).
Those cells are tagged `machine-dependent`. book/reference_machine.json records the
fingerprint (`fingerprint()` below) and CPU of the machine that executed the chapters and
wrote the explorer's paths (`python -m lesson5.explorer`, chaotic too). nbval compares every
cell where this machine's fingerprint is the recorded one; elsewhere it still runs every cell
but leaves the tagged cells' outputs uncompared, and says so (conftest.py).

    python scripts/reference_machine.py           # exit 0: it matches, 1: it does not, 2: no record
    python scripts/reference_machine.py --write   # after executing the chapters here
    python scripts/reference_machine.py --pins    # the code paths pinned on this machine
                                                  # (--machine: another `uname -m`, env.sh's)
"""

import argparse
import hashlib
import json
import os
import platform
import random
import re
import subprocess
import sys
from datetime import date
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "book" / "reference_machine.json"
TAG = "machine-dependent"
PINNED = ("ATEN_CPU_CAPABILITY", "MKL_CBWR")
# The stored outputs were computed on the CPU. Runs that store or compare them (the site build's
# executor, nbval) hide any GPU from the chapters, whose Learner would otherwise train there
# (lesson5.learner.default_device) with other kernels and other last digits. A learner's own
# run in JupyterLab or Colab keeps the GPU.
ON_THE_CPU = {"CUDA_VISIBLE_DEVICES": ""}


def pins(machine=None, avx2=None):
    """The code-path variables scripts/env.sh sets (the kernel spec too), read from env.sh: on
    a `machine` (platform.machine(), this one's by default) other than x86-64, all but ATen's,
    which names an x86-64 instruction set (env.sh says why), and the same on an x86-64 CPU
    that cannot run ATen's AVX2 kernels (`avx2`: this CPU's `runs_avx2()` by default)."""
    text = (ROOT / "scripts" / "env.sh").read_text()
    found = dict(re.findall(rf"^({'|'.join(PINNED)})=(\S+?)\r?$", text, flags=re.M))
    if set(found) != set(PINNED):
        raise RuntimeError(f"scripts/env.sh should set {' and '.join(PINNED)}; found {found}")
    if not _x86(machine) or not (runs_avx2() if avx2 is None else avx2):
        del found["ATEN_CPU_CAPABILITY"]
    return found


def pinned_environ(base):
    """`base` (a mapping of environment variables) with this machine's pins set and the ones it
    leaves off removed: ATen's, left from a shell set up elsewhere, would stop a CPU without
    AVX2 at an illegal instruction."""
    wanted = pins()
    return {**{name: value for name, value in base.items() if name not in PINNED}, **wanted}


def _x86(machine=None):
    return (machine or platform.machine()).lower() in ("x86_64", "amd64")


def _cpuinfo():
    return Path(os.environ.get("LESSON5_CPUINFO") or "/proc/cpuinfo")


def cpu_flags():
    """The instruction sets this CPU reports, in lower case: the flags of Linux's /proc/cpuinfo
    (or of the file LESSON5_CPUINFO names, as the tests do); None where there is none (Windows.
    PyTorch 2.13 has no build for an Intel Mac, the other x86-64 system without one)."""
    try:
        for line in _cpuinfo().read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].lower().split())
    except OSError:
        pass
    return None


def runs_avx2():
    """Whether ATen's AVX2 kernels can run here, which takes AVX2 and FMA. PyTorch obeys
    ATEN_CPU_CAPABILITY=avx2 without asking the CPU, so pinned on one without them (some Celeron,
    Pentium and Atom chips) every chapter would stop at an illegal instruction."""
    flags = cpu_flags()
    if flags is None:
        import torch

        found = torch.cpu.get_capabilities()
        return bool(found.get("avx2") and found.get("fma3"))
    return {"avx2", "fma"} <= flags


def _digest():
    """The fingerprint, computed in this process: a digest of computations whose last bits
    differed between the two CPUs measured, as they were measured (02's 1-D fit with Adam,
    04's valley path with RMSProp in float64, a few Adam steps of a small 07 body at batches
    of 32 and 10). Copied rather than imported from the chapters: the digest should cover the
    same arithmetic whatever the chapters become."""
    import numpy as np
    import torch
    from torch import nn

    from lesson5 import seed_everything
    from lesson5.cnn import create_model, simple_body
    from lesson5.explorer import BETAS, LR_FACTORS, SURFACES, descend
    from lesson5.optim import Adam

    digest = hashlib.sha256()

    def add(t):
        digest.update(t.detach().contiguous().numpy().tobytes())

    threads, onednn = torch.get_num_threads(), torch.backends.mkldnn.enabled
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    try:
        seed_everything(0)
        x = torch.linspace(-2, 2, 200)[:, None]
        y = torch.sin(3 * x) + 0.3 * x**2
        net = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))
        opt = torch.optim.Adam(net.parameters(), lr=0.03)
        for _ in range(300):
            loss = nn.functional.mse_loss(net(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad()
        add(loss)

        valley = SURFACES[1]
        add(descend(valley.f, list(valley.start), "RMSProp", [(valley.lrs["RMSProp"] * LR_FACTORS[4], BETAS[4])],
                    valley.steps))

        seed_everything(0)
        cnn = create_model(simple_body((8, 16)), 5)
        opt = Adam(cnn.parameters(), lr=1e-2)
        for bs in (32, 10, 32, 10):
            images, labels = torch.randn(bs, 1, 28, 28), torch.randint(0, 5, (bs,))
            nn.functional.cross_entropy(cnn(images), labels).backward()
            opt.step()
            opt.zero_grad()
        for p in cnn.parameters():
            add(p)
    finally:
        torch.set_num_threads(threads)
        torch.backends.mkldnn.enabled = onednn
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])
    return digest.hexdigest()[:16]


def fingerprint():
    """This machine's fingerprint with the pinned code paths, which the chapters' kernel runs
    with (conftest.py sets them for nbval's kernel): in this process if its environment has
    them, else in a child that does, so that a shell without scripts/env.sh measures the same."""
    env = pinned_environ(os.environ)
    if all(os.environ.get(name) == env.get(name) for name in PINNED):
        return _digest()
    child = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import reference_machine as r; "
         "print(r._digest())", str(ROOT / "scripts")],
        env=env, capture_output=True, text=True,
    )
    lines = child.stdout.split()
    if child.returncode != 0 or not lines or not re.fullmatch(r"[0-9a-f]{16}", lines[-1]):
        raise RuntimeError(f"reference_machine: measuring the fingerprint failed:\n{child.stderr[-2000:]}")
    return lines[-1]


def cpu_model():
    """The CPU's model name: Linux's /proc/cpuinfo (or LESSON5_CPUINFO's file), macOS's sysctl
    (where platform says only "arm" for an Apple M-series chip), platform's guess elsewhere."""
    try:
        for line in _cpuinfo().read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if platform.system() == "Darwin":
        try:
            sysctl = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"],
                                    capture_output=True, text=True, timeout=10)
            if sysctl.returncode == 0 and sysctl.stdout.strip():
                return sysctl.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine()


@cache
def this_machine():
    return {"fingerprint": fingerprint(), "cpu": cpu_model()}


def record():
    """book/reference_machine.json, or the file LESSON5_REFERENCE_MACHINE names
    (tests/test_reference_machine.py)."""
    return Path(os.environ.get("LESSON5_REFERENCE_MACHINE") or RECORD)


def stored():
    """The record, or None if it is missing or unreadable."""
    try:
        data = json.loads(record().read_text())
        return data if re.fullmatch(r"[0-9a-f]{16}", data["fingerprint"]) and data["cpu"] else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def compare_tagged_cells():
    """Whether nbval compares the tagged cells too: on the reference machine, and wherever
    there is no readable record (then nothing is left uncompared)."""
    ref = stored()
    return ref is None or ref["fingerprint"] == this_machine()["fingerprint"]


def describe():
    """One line for the end of a test run."""
    ref = stored()
    if ref is None:
        return (f"arithmetic: no readable record at {record()}, so every cell is compared; run "
                "`python scripts/reference_machine.py --write` on the machine that stored the outputs")
    here = this_machine()
    if ref["fingerprint"] == here["fingerprint"]:
        return (f"arithmetic: this machine's matches the one that stored the outputs ({ref['cpu']}): "
                "every cell is compared")
    same_name = " (the same name, another arithmetic)" if ref["cpu"] == here["cpu"] else ""
    return (f"arithmetic: this machine ({here['cpu']}, fingerprint {here['fingerprint']}) differs from the one that "
            f"stored the outputs ({ref['cpu']}, {ref['fingerprint']}){same_name}: cells tagged {TAG!r} run but their "
            "outputs are not compared, since their training follows the CPU's arithmetic. If an untagged cell "
            "differs only in its last digits, tag it (CONTRIBUTING.md) or report it with both fingerprints")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"record this machine in {RECORD.relative_to(ROOT)}")
    parser.add_argument("--pins", action="store_true",
                        help="print this machine's pinned code paths, NAME=value a line (scripts/env.sh reads them)")
    parser.add_argument("--machine", help="with --pins: the machine's kind as `uname -m` gives it "
                        "(platform.machine() by default)")
    args = parser.parse_args(argv)
    if args.pins:
        found = pins(args.machine)
        for name, value in found.items():
            print(f"{name}={value}")
        if "ATEN_CPU_CAPABILITY" not in found and _x86(args.machine):
            print("reference_machine: this CPU lacks AVX2 or FMA, so PyTorch picks its own code paths here and "
                  "some last digits will differ from the site's", file=sys.stderr)
        return 0
    if args.write:
        # Imported here: env.sh runs --pins on every source, and needs no more than the above.
        from lesson5.atomic import write_atomically

        # Where every reader looks (record()); a run cut off leaves the old record whole.
        text = json.dumps({**this_machine(), "written": date.today().isoformat()}, indent=2) + "\n"
        write_atomically(record(), text.encode("utf-8"))
        print(f"reference_machine: wrote {record()}: {this_machine()}")
        return 0
    print(describe())
    if stored() is None:
        return 2
    return 0 if compare_tagged_cells() else 1


if __name__ == "__main__":
    sys.exit(main())
