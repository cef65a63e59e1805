import matplotlib

matplotlib.use("Agg")

import torch

from lesson5.plots import show_images


def test_show_images_lays_out_a_grid_with_titles():
    images = torch.rand(10, 28, 28)
    fig = show_images(images, titles=[f"n{i}" for i in range(10)], ncols=4)
    axes = fig.axes
    assert len(axes) == 12  # 3 rows of 4
    shown = [ax for ax in axes if ax.images]
    assert len(shown) == 10
    assert [ax.get_title() for ax in shown] == [f"n{i}" for i in range(10)]
    assert not axes[-1].images


def test_show_images_without_titles():
    fig = show_images(torch.rand(3, 5, 5), ncols=3)
    assert all(ax.get_title() == "" for ax in fig.axes)
