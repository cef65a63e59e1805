"""What a unit of a convolutional body sees: the input patches that excite it most.

Introduced in book/07_transfer.ipynb (Transfer learning), which shows what the pretrained
body's channels respond to, block by block.
"""

import torch
from torch import nn

from .seed import scoring


def top_patches(body, x, n_blocks, channel, k=9):
    """The `k` input patches that excite `channel` of the output of `body[:n_blocks]` most.

    Each `conv_block` has a 3×3 kernel, stride 2 and padding 1, so a unit of block L sees a
    square of 2^(L+1) − 1 input pixels centred on pixel 2^L·(row, column). Returns
    (patches (k, size, size), activations (k,)). The body is scored as `lesson5.seed.scoring`
    says (in eval mode: its batch norms' running averages) and left in the mode it was in.
    """
    if not 1 <= n_blocks <= len(body):
        raise ValueError(f"n_blocks must be from 1 to the body's {len(body)} blocks, got {n_blocks}")
    with scoring(body) as device:
        acts = body[:n_blocks](x.to(device))[:, channel].cpu()
    size, stride = 2 ** (n_blocks + 1) - 1, 2**n_blocks
    values, flat = acts.flatten().topk(k)
    # Plain arithmetic rather than torch.unravel_index, whose input check imports sympy
    # (half a second, the first time in a Python process).
    height, width = acts.shape[1:]
    n, within = flat // (height * width), flat % (height * width)
    rows, cols = within // width, within % width
    half = size // 2
    # Cut from `x` on its own device, so the patches come back beside the images the caller
    # passed, not on the model's.
    padded = nn.functional.pad(x[:, 0], (half, half, half, half))
    patches = torch.stack([padded[i, r * stride : r * stride + size, c * stride : c * stride + size]
                           for i, r, c in zip(n.tolist(), rows.tolist(), cols.tolist())])
    return patches, values
