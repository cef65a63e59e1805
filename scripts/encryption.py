"""How this project's Jupyter programs start kernels: with their messages encrypted (CurveZMQ)
wherever this pyzmq can encrypt them. The build's executor (scripts/execute.py), nbval's
kernels (conftest.py), JupyterLab (the server settings scripts/kernel.py writes) and the
benchmark's chapter runs all ask here.

Unencrypted, ipykernel warns at every kernel's start ("Kernel is running over TCP without
encryption"), and any process on the machine, another user's too, could subscribe to the port on
127.0.0.1 where the kernel publishes what its cells print and show."""

import zmq
from traitlets.config import Config


def transport_encryption():
    """jupyter_client's `transport_encryption` policy: "auto", which encrypts every kernel whose
    spec allows it (ipykernel's spec, so this project's, does), where pyzmq has CurveZMQ; else
    "disabled", since jupyter_client refuses "auto" without it."""
    return "auto" if zmq.has("curve") else "disabled"


def kernel_config():
    """The policy as settings for a kernel manager that a program creates itself (nbclient's,
    given as its `config`)."""
    return Config({"KernelManager": {"transport_encryption": transport_encryption()}})
