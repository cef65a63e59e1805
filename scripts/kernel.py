"""The project's Jupyter kernel, "Python 3 (lesson5)": named "python3" as the chapters ask,
inside this Python's environment (.venv), and started with the CPU code paths that this machine
pins (reference_machine.pins(): ATen's AVX2 pin only on an x86-64 CPU that runs AVX2); and the
environment's Jupyter server settings, so that JupyterLab encrypts its kernels' messages where
this pyzmq can (scripts/encryption.py says why).

    python scripts/kernel.py    # install both, or rewrite what differs from this machine's

scripts/setup.sh runs it on every run; the README's by-hand route (Windows, or no bash) runs it
after installing the requirements. Rewritten whenever its pins differ, since which apply can
change with the rule or the machine.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

from encryption import transport_encryption
from ipykernel.kernelspec import get_kernel_dict
from reference_machine import pins

from lesson5.atomic import write_atomically

NAME, DISPLAY_NAME = "python3", "Python 3 (lesson5)"


def server_settings_file(prefix=None):
    """The Jupyter server's settings file of this Python's environment, one of those JupyterLab
    started from it reads (`jupyter --paths` lists their folders)."""
    return Path(prefix or sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.json"


def install_server_settings(prefix=None):
    """Sets the server's `transport_encryption` there to `encryption.transport_encryption()`,
    keeping every other setting, and "required" where someone chose it; returns the value set,
    or None when nothing changed."""
    path, wanted = server_settings_file(prefix), transport_encryption()
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        settings = {}
    except ValueError:
        settings = None
    except OSError as error:
        # Unreadable here (its permissions, a folder by that name): JupyterLab's business, not a
        # traceback in every script that runs setup.sh.
        print(f"kernel: could not read {path} ({error}), so JupyterLab may start its kernels "
              "unencrypted", file=sys.stderr)
        return None
    section = settings.get("MappingKernelManager", {}) if isinstance(settings, dict) else None
    if not isinstance(section, dict):
        raise SystemExit(f"kernel: {path} is not the JSON of Jupyter server settings (an object, whose "
                         "MappingKernelManager is one too): mend it, or delete it to have it written afresh")
    kept = section.get("transport_encryption")
    # "required" encrypts as "auto" does, and refuses a kernel it cannot encrypt: someone chose it.
    if kept == wanted or (kept == "required" and wanted == "auto"):
        return None
    settings["MappingKernelManager"] = {**section, "transport_encryption": wanted}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Whole or not at all: cut short, the file would stop every later run (it is not JSON),
        # and lose the settings it kept.
        write_atomically(path, (json.dumps(settings, indent=1) + "\n").encode("utf-8"))
    except OSError as error:
        print(f"kernel: could not write {path} ({error}), so JupyterLab will start its kernels "
              "unencrypted", file=sys.stderr)
        return None
    return wanted


def spec_file(prefix=None):
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / NAME / "kernel.json"


def _launcher(argv):
    """What a spec's command runs, from "-m" on: the module and its arguments."""
    return argv[argv.index("-m"):] if "-m" in argv else argv


def current(wanted, prefix=None):
    """Whether the installed spec is this project's, starts this Python (a .venv moved with its
    clone keeps a spec that names the old path), gives it `wanted`, this machine's pins, and
    says what the installed ipykernel would write now: its launcher, its protocol's version and
    its metadata (whether the kernel can encrypt its messages, for one). An ipykernel upgraded
    with the requirements left the spec an older one wrote."""
    try:
        spec = json.loads(spec_file(prefix).read_text())
    except (OSError, ValueError):
        return False
    # A spec of another shape (no object, an empty argv) is not current either: rewritten, not
    # a traceback in every script that runs setup.sh.
    if not isinstance(spec, dict) or not isinstance(spec.get("argv"), list):
        return False
    now = get_kernel_dict()
    return (spec.get("display_name") == DISPLAY_NAME and spec["argv"][:1] == [sys.executable]
            and spec.get("env") == wanted and _launcher(spec["argv"]) == _launcher(now["argv"])
            and spec.get("kernel_protocol_version") == now.get("kernel_protocol_version")
            and spec.get("metadata") == now.get("metadata"))


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
    if (policy := install_server_settings(prefix)) is not None:
        print(f"kernel: JupyterLab starts kernels with transport_encryption={policy!r} "
              f"({server_settings_file(prefix)})")
