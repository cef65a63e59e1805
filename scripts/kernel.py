"""The project's Jupyter kernel, "Python 3 (lesson5)": named "python3" as the chapters ask,
inside this Python's environment (.venv), and started with the CPU code paths that this machine
pins (reference_machine.pins(): ATen's AVX2 pin only on an x86-64 CPU that runs AVX2).

    python scripts/kernel.py    # install it, or rewrite it if its pins are not this machine's

scripts/setup.sh runs it on every run; the README's by-hand route (Windows, or no bash) runs it
after installing the requirements. Rewritten whenever its pins differ, since which apply can
change with the rule or the machine.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

from reference_machine import pins

NAME, DISPLAY_NAME = "python3", "Python 3 (lesson5)"


def spec_file(prefix=None):
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / NAME / "kernel.json"


def current(wanted, prefix=None):
    """Whether the installed spec is this project's, starts this Python (a .venv moved with its
    clone keeps a spec that names the old path) and gives it `wanted`, this machine's pins."""
    try:
        spec = json.loads(spec_file(prefix).read_text())
    except (OSError, ValueError):
        return False
    return (spec.get("display_name") == DISPLAY_NAME and spec.get("argv", [None])[0] == sys.executable
            and spec.get("env") == wanted)


def install(prefix=None):
    """Installs the spec under `prefix` (this Python's environment by default); the pins it
    was given, or None when the installed one was current."""
    wanted = pins()
    if current(wanted, prefix):
        return None
    command = [sys.executable, "-m", "ipykernel", "install", "--name", NAME, "--display-name", DISPLAY_NAME]
    command += ["--prefix", str(prefix)] if prefix else ["--sys-prefix"]
    for name, value in wanted.items():
        command += ["--env", name, value]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return wanted


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", help="install under this folder rather than this Python's environment "
                        "(the tests install under a temporary one)")
    prefix = parser.parse_args().prefix
    if (given := install(prefix)) is not None:
        print(f"kernel: installed {DISPLAY_NAME!r} at {spec_file(prefix)} with {given}")
