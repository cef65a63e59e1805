"""Every kernel the project starts encrypts its messages where pyzmq can (scripts/encryption.py):
the policy, and nbval's kernels (conftest.py) here; the build's executor's in test_execute.py,
JupyterLab's in test_running_yourself.py and browser/test_lab.py."""

import os

import pytest
import zmq
from nbval_run import run_nbval, write_notebook

from scripts import encryption

# What a kernel knows of its own encryption: the key from its connection file.
ENCRYPTED = "from ipykernel.kernelapp import IPKernelApp\nprint(IPKernelApp.instance().curve_secretkey is not None)"


def test_the_policy_encrypts_where_pyzmq_can_and_asks_nothing_it_would_refuse(monkeypatch):
    monkeypatch.setattr(zmq, "has", lambda capability: capability == "curve")
    assert encryption.transport_encryption() == "auto"
    # jupyter_client refuses "auto" where pyzmq lacks CurveZMQ.
    monkeypatch.setattr(zmq, "has", lambda capability: False)
    assert encryption.transport_encryption() == "disabled"


@pytest.mark.skipif(not zmq.has("curve"), reason="this pyzmq cannot encrypt (no CurveZMQ)")
def test_nbvals_kernels_run_encrypted(tmp_path):
    notebook = write_notebook(tmp_path / "kernel.ipynb", [(ENCRYPTED, "True\n")])
    out = run_nbval(notebook, dict(os.environ), "-p", "no:xdist")
    assert "1 passed" in out, out[-3000:]
