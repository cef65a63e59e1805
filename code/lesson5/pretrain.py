"""Pretraining a body on another task, so that transfer learning has something to transfer.

Introduced in book/07_transfer.ipynb (Transfer learning): the chapter pretrains the small CNN
body of `lesson5.cnn` on the digits 0–4 of MNIST (and a second one on five Fashion-MNIST
classes), standing in for the ImageNet training of the lesson's ResNet-34.
"""

import torch
from torch import nn

from .cnn import create_model
from .learner import Learner, accuracy
from .loaders import DataLoader, DataLoaders
from .optim import Adam
from .schedule import OneCycle


def select_classes(x, y, classes):
    """The images of `classes` only, as (N, 1, H, W), with labels renumbered 0, 1, … in that order.

    `x` holds grey images as (N, H, W), as `lesson5.datasets` loads them."""
    if x.dim() != 3:
        raise ValueError(f"x must be grey images as (N, H, W), as lesson5.datasets loads them; got shape "
                         f"{tuple(x.shape)} (for (N, 1, H, W), pass x[:, 0])")
    # On the labels' device, so that labels on a GPU are selected there.
    classes = torch.as_tensor(classes, dtype=torch.long, device=y.device)
    if classes.ndim != 1 or not len(classes):
        raise ValueError(f"classes must be a non-empty list of labels, got {classes.tolist()}")
    missing = [c for c in classes.tolist() if not (y == c).any()]
    if missing:
        raise ValueError(f"no image has label {missing[0]}; the labels present are "
                         f"{torch.unique(y).tolist()}")
    if len(set(classes.tolist())) != len(classes):
        raise ValueError(f"each class once: got {classes.tolist()}")
    keep = torch.isin(y, classes)
    renumber = torch.full((int(y.max()) + 1,), -1, dtype=torch.long, device=y.device)
    renumber[classes] = torch.arange(len(classes), device=y.device)
    return x[keep].unsqueeze(1), renumber[y[keep]]


def pretrain(body, x, y, n_out, valid=None, epochs=2, lr=3e-3, bs=128, seed=0, progress=True, **head_kwargs):
    """Trains `body` under a throwaway head to classify `x` into `n_out` classes; returns the learner.

    Adam with a 1cycle schedule from the package (book/04_optimizers.ipynb). The head's
    initialisation and the batch order come from `seed`, so a rerun on the same machine gives
    the same weights. `x` is (N, 1, H, W), `y` holds class indices below `n_out`; `valid` is
    an optional (x, y) pair scored after each epoch. `progress=False` shows no epoch table,
    for a pretraining that is not the one a chapter reports.
    """
    if int(y.max()) >= n_out or int(y.min()) < 0:
        raise ValueError(f"labels must lie in [0, {n_out}); remap the source classes first")
    torch.manual_seed(seed)
    model = create_model(body, n_out, **head_kwargs)
    train = DataLoader(x, y, bs=bs, shuffle=True, generator=torch.Generator().manual_seed(seed))
    dls = DataLoaders(train, None if valid is None else DataLoader(*valid, bs=2 * bs))
    learn = Learner(model, dls, nn.functional.cross_entropy, lr=lr, opt_func=Adam, metrics=[accuracy],
                    progress=progress)
    learn.fit(epochs, cbs=[OneCycle(lr)])
    return learn
