"""Input normalisation: every input shifted and scaled by the training set's statistics.

Introduced in book/02_from_scratch.ipynb, which measures that normalised inputs train better;
used in book/03_cross_entropy.ipynb and book/04_optimizers.ipynb.
"""

import torch


def normalise(train: torch.Tensor, *others: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """`train` and each of `others` shifted and scaled by `train`'s mean and standard deviation.

    The statistics come from the training set alone: a validation set must not shape its own
    inputs. Returns the tensors in the order given, shapes unchanged.
    """
    for x in (train, *others):
        if not x.is_floating_point():
            raise ValueError(f"normalise needs floating-point tensors, got {x.dtype}: convert with .float() "
                             "first (pixels as 0-255 integers become 0.0-255.0)")
    mean, std = train.mean(), train.std()
    if not std > 0:
        raise ValueError(f"the training tensor has standard deviation {float(std)}: every value is "
                         "the same (or it has fewer than two), so there is nothing to scale by")
    return tuple((x - mean) / std for x in (train, *others))
