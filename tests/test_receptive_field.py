"""Tests of lesson5.receptive_field: the patches a unit sees (book/07_transfer.ipynb)."""

import pytest
import torch

from lesson5.cnn import simple_body
from lesson5.receptive_field import top_patches


def test_top_patches_cut_the_receptive_field_around_the_unit():
    body = simple_body((1,))
    conv, bn = body[0][0], body[0][1]
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[0, 0, 1, 1] = 1.0  # the unit copies the pixel at its centre
        bn.running_mean.zero_(), bn.running_var.fill_(1.0)
    x = torch.zeros(2, 1, 8, 8)
    x[1, 0, 4, 6] = 5.0  # centre of unit (2, 3) of block 1
    patches, values = top_patches(body, x, n_blocks=1, channel=0, k=1)
    assert patches.shape == (1, 3, 3) and patches[0, 1, 1] == 5.0
    assert values[0] == pytest.approx(5.0, rel=1e-3)
