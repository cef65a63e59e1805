"""A small convolutional body and the fastai-style head put on top of a pretrained body.

Introduced in book/07_transfer.ipynb (Transfer learning). The lesson repurposes an ImageNet
ResNet-34; a laptop CPU cannot train or download one at build time, so the chapter pretrains
this small body on the digits 0–4 of MNIST instead, and another on five Fashion-MNIST
classes (`lesson5.pretrain`). The head mirrors the one fastai v1 put on every pretrained
body: concat pooling, flatten, then (batch norm, dropout, linear) blocks.
"""

import torch
from torch import nn


def conv_block(ni, nf, stride=2):
    """3×3 convolution, batch norm, ReLU; stride 2 halves the image (28 → 14 → 7 → 4).

    No bias in the convolution: the batch norm that follows subtracts any constant anyway.
    """
    return nn.Sequential(
        nn.Conv2d(ni, nf, kernel_size=3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(nf),
        nn.ReLU(inplace=True),
    )


def simple_body(channels=(16, 32, 64)):
    """One `conv_block` per entry of `channels`, on one-channel (grey) images such as MNIST's
    and Fashion-MNIST's: the body's output has `channels[-1]` maps."""
    if not channels:
        raise ValueError("channels must list at least one width, e.g. (16, 32, 64)")
    widths = [1, *channels]
    return nn.Sequential(*[conv_block(ni, nf) for ni, nf in zip(widths[:-1], widths[1:])])


def body_features(body):
    """Number of channels the body outputs: what a head must accept."""
    convs = [m for m in body.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ValueError("body has no Conv2d layer; pass the number of features to create_head yourself")
    return convs[-1].out_channels


class AdaptiveConcatPool2d(nn.Module):
    """Max pool and average pool over the whole map, side by side: 2·C features per image.

    The maximum says whether a feature appeared anywhere; the average how much of it there is.
    fastai v1 puts the max first, so the order here is the same.
    """

    def __init__(self, size=1):
        super().__init__()
        self.max_pool, self.avg_pool = nn.AdaptiveMaxPool2d(size), nn.AdaptiveAvgPool2d(size)

    def forward(self, x):
        return torch.cat([self.max_pool(x), self.avg_pool(x)], dim=1)


def create_head(n_features, n_out, hidden=(64,), p=0.5, pool="concat"):
    """Pooling, flatten, then batch norm → dropout → linear (→ ReLU) for each hidden width.

    As in fastai v1, the last block drops with `p` and the earlier ones with `p/2`, and the
    final linear layer has one row of weights per output (`n_out` classes, or 2 coordinates).
    `pool` is "concat" (max and mean: 2·n_features inputs), "avg", or None: no pooling, the
    whole map is flattened, and `n_features` must be channels × height × width.
    """
    pools = {"concat": (AdaptiveConcatPool2d, 2), "avg": (lambda: nn.AdaptiveAvgPool2d(1), 1)}
    if pool is not None and pool not in pools:
        raise ValueError(f'pool must be "concat", "avg" or None, not {pool!r}')
    layers = [nn.Flatten()]
    widths = [n_features, *hidden, n_out]
    if pool is not None:
        make_pool, mult = pools[pool]
        layers.insert(0, make_pool())
        widths[0] *= mult
    n_blocks = len(widths) - 1
    for i, (ni, no) in enumerate(zip(widths[:-1], widths[1:])):
        last = i == n_blocks - 1
        layers += [nn.BatchNorm1d(ni), nn.Dropout(p if last else p / 2), nn.Linear(ni, no)]
        if not last:
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def create_model(body, n_out, **head_kwargs):
    """`nn.Sequential(body, head)`: index 0 is the body, index 1 the head, as in fastai v1.

    The head pools the body's channels (`pool` "concat" or "avg"); a head that flattens the
    whole map needs the map's size, which the body alone does not give, so `pool=None` is
    refused here and built with `create_head` itself.
    """
    if "pool" in head_kwargs and head_kwargs["pool"] is None:
        raise ValueError("create_model's head pools the body's channels; for a head that flattens the whole "
                         "map, build nn.Sequential(body, create_head(channels * height * width, n_out, "
                         "pool=None))")
    return nn.Sequential(body, create_head(body_features(body), n_out, **head_kwargs))
