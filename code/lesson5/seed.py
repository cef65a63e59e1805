"""One call that makes a chapter repeatable.

Every chapter calls `seed_everything()` first (book/01_data.ipynb explains why).
"""

import random

import numpy as np
import torch


def seed_everything(seed=42):
    """Seeds Python's, NumPy's and PyTorch's generators so a re-run prints the same numbers."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return seed
