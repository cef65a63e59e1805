"""lesson5: the shared package behind the executable Lesson 5 chapters.

Each module teaches one idea and names, in its docstring, the chapter that introduces it.
"""

from .glue import glue
from .learner import (
    Callback,
    CancelBatch,
    CancelEpoch,
    CancelFit,
    Learner,
    Recorder,
    accuracy,
    default_device,
)
from .loaders import DataLoader, DataLoaders
from .seed import seed_everything

__all__ = [
    "Callback",
    "CancelBatch",
    "CancelEpoch",
    "CancelFit",
    "DataLoader",
    "DataLoaders",
    "Learner",
    "Recorder",
    "accuracy",
    "default_device",
    "glue",
    "seed_everything",
]
