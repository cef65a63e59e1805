"""How this project's Jupyter programs start kernels: with their messages encrypted (CurveZMQ)
wherever this pyzmq can encrypt them, and (would_not_start, below) once more where a kernel
would not start. The build's executor (scripts/execute.py), nbval's
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


# What nbclient and nbval say when a kernel they started ends before answering its first request.
_WOULD_NOT_START = "Kernel died before replying to kernel_info"


def would_not_start(error):
    """Whether `error` says that a kernel ended before answering its first request, before any
    cell ran. Seen in a build: a port jupyter_client had found free was taken, before the kernel
    could bind it, most likely by the kernel of the chapter starting beside it ("Address
    already in use"). The build's executor (scripts/execute.py) and nbval's kernels
    (conftest.py) start such a kernel once more, which takes other ports."""
    return isinstance(error, RuntimeError) and _WOULD_NOT_START in str(error)
