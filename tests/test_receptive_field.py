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


def test_a_patch_at_the_border_shows_the_padding_as_zeros():
    # The convolution pads the image with zeros, so that is what the corner unit sees outside it.
    x = torch.ones(1, 1, 8, 8)
    x[0, 0, 0, 0] = 5.0  # centre of unit (0, 0)
    patches, _ = top_patches(_copying_body(), x, n_blocks=1, channel=0, k=1)
    assert patches[0].tolist() == [[0.0, 0.0, 0.0], [0.0, 5.0, 1.0], [0.0, 1.0, 1.0]]


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


@pytest.mark.parametrize("n_blocks", [2, 3])
def test_top_patches_cut_exactly_the_pixels_the_unit_depends_on(n_blocks):
    """Deeper blocks' geometry, checked against autograd: with positive weights and inputs no
    ReLU is ever off, so the input pixels with a gradient are the unit's whole receptive field."""
    torch.manual_seed(0)
    body = simple_body((2, 2, 2)).eval()
    with torch.no_grad():
        for block in body:
            block[0].weight.uniform_(0.5, 1.0)
    x = torch.rand(2, 1, 40, 40) * 0.1
    x[1, 0, 16, 16] = 5.0  # the winning unit lies well inside the image
    patches, _ = top_patches(body, x, n_blocks=n_blocks, channel=1, k=1)
    x_grad = x.clone().requires_grad_()
    acts = body[:n_blocks](x_grad)[:, 1]
    flat = int(acts.argmax())
    n, r, c = flat // acts[0].numel(), flat % acts[0].numel() // acts.shape[2], flat % acts.shape[2]
    acts[n, r, c].backward()
    seen = x_grad.grad[n, 0] != 0
    rows, cols = seen.any(1).nonzero().squeeze(1), seen.any(0).nonzero().squeeze(1)
    assert 0 < rows[0] and rows[-1] < 39 and 0 < cols[0] and cols[-1] < 39
    expected = x[n, 0, rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    assert patches.shape[1:] == expected.shape == (2 ** (n_blocks + 1) - 1,) * 2
    assert torch.equal(patches[0], expected)


@pytest.mark.parametrize("n_blocks", [0, 4])
def test_top_patches_refuse_more_blocks_than_the_body_has(n_blocks):
    with pytest.raises(ValueError, match="n_blocks must be from 1 to the body's 3 blocks"):
        top_patches(simple_body((2, 2, 2)), torch.rand(1, 1, 16, 16), n_blocks=n_blocks, channel=0)
