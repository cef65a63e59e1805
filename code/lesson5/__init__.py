"""lesson5: the shared package behind the executable Lesson 5 chapters.

Each module teaches one idea and names, in its docstring, the chapter that introduces it.
Every name is imported from its module (`from lesson5.learner import Learner`), but for the
two that every chapter imports first, `glue` and `seed_everything`.

`seed_everything` needs PyTorch, so it is imported on first use: a script needing one small
module (scripts/kernel.py's lesson5.atomic, `python -m lesson5.download --check`) does not
import PyTorch too, a second of a core each time.
"""

import importlib

# Imported now: the function shares its module's name, and bound later it would lose to the
# module wherever `from lesson5.glue import ...` had run first.
from .glue import glue

# Each name imported on first use, and the module that defines it.
_LAZY = {"seed_everything": "seed"}

__all__ = ["glue", *_LAZY]

# Names this package re-exported before 0.1.0's release, and the module each is imported from
# now, so that a notebook written against the old names is told where each went.
_MOVED = {
    **dict.fromkeys(["Callback", "CancelBatch", "CancelEpoch", "CancelFit", "Learner", "Recorder",
                     "accuracy", "default_device"], "learner"),
    **dict.fromkeys(["DataLoader", "DataLoaders"], "loaders"),
}


def __getattr__(name):
    if name in _MOVED:
        # An ImportError, not an AttributeError: `from lesson5 import Learner` turns the latter
        # into its own "cannot import name" and drops this message.
        raise ImportError(f"lesson5 no longer re-exports {name}: from lesson5.{_MOVED[name]} import {name}",
                          name=__name__)
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_LAZY})
