"""Tests of lesson5.receptive_field: the patches a unit sees (book/07_transfer.ipynb)."""

import pytest
import torch

from lesson5.cnn import simple_body
from lesson5.receptive_field import top_patches


def _copying_body():
    """A one-block body whose only unit copies the pixel at its centre, scored with running
    statistics of mean 0 and variance 1, so an activation is that pixel's value."""
    body = simple_body((1,))
    conv, bn = body[0][0], body[0][1]
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[0, 0, 1, 1] = 1.0
        bn.running_mean.zero_(), bn.running_var.fill_(1.0)
    return body


def test_top_patches_cut_the_receptive_field_around_the_unit():
    x = torch.zeros(2, 1, 8, 8)
    x[1, 0, 4, 6] = 5.0  # centre of unit (2, 3) of block 1
    patches, values = top_patches(_copying_body(), x, n_blocks=1, channel=0, k=1)
    assert patches.shape == (1, 3, 3) and patches[0, 1, 1] == 5.0
    assert values[0] == pytest.approx(5.0, rel=1e-3)


def test_top_patches_find_the_unit_on_a_map_wider_than_it_is_tall():
    x = torch.zeros(3, 1, 6, 12)  # block 1's map is 3 × 6
    x[2, 0, 2, 10] = 7.0  # centre of unit (1, 5)
    x[0, 0, 4, 2] = 3.0  # centre of unit (2, 1), the runner-up
    patches, values = top_patches(_copying_body(), x, n_blocks=1, channel=0, k=2)
    assert patches[0, 1, 1] == 7.0 and patches[1, 1, 1] == 3.0
    assert values.tolist() == pytest.approx([7.0, 3.0], rel=1e-3)


def test_top_patches_score_in_eval_mode_and_leave_the_body_as_it_was():
    body = _copying_body()
    x = torch.zeros(2, 1, 8, 8)
    x[1, 0, 4, 6] = 5.0
    for training in (True, False):
        body.train(training)
        _, values = top_patches(body, x, n_blocks=1, channel=0, k=1)
        # With the batch's statistics instead of the running ones, 5 would not come back.
        assert values[0] == pytest.approx(5.0, rel=1e-3)
        assert all(m.training == training for m in body.modules())
