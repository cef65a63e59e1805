import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.text import Text

from lesson5.plots import label_points, show_images


def test_show_images_lays_out_a_grid_with_titles():
    images = torch.rand(10, 28, 28)
    fig = show_images(images, titles=[f"n{i}" for i in range(10)], ncols=4)
    axes = fig.axes
    assert len(axes) == 12  # 3 rows of 4
    shown = [ax for ax in axes if ax.images]
    assert len(shown) == 10
    assert [ax.get_title() for ax in shown] == [f"n{i}" for i in range(10)]
    assert not axes[-1].images


def test_show_images_titles_from_a_tensor_read_as_its_numbers():
    fig = show_images(torch.rand(2, 4, 4), titles=torch.tensor([3, 5]), ncols=2)
    assert [ax.get_title() for ax in fig.axes] == ["3", "5"]


def test_show_images_without_titles():
    fig = show_images(torch.rand(3, 5, 5), ncols=3)
    assert all(ax.get_title() == "" for ax in fig.axes)


def _text_boxes(labels):
    renderer = labels[0].figure.canvas.get_renderer()
    return [Text.get_window_extent(label, renderer) for label in labels]


def test_label_points_names_every_point_without_overlaps_inside_the_axes():
    rng = np.random.default_rng(0)
    xy = np.concatenate([rng.normal(0, 1, (12, 2)), rng.normal(0, 0.05, (6, 2))])
    names = [f"point {i}" for i in range(len(xy))]
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.margins(0.12)
    labels = label_points(ax, xy, names)
    assert [label.get_text() for label in labels] == names
    boxes = _text_boxes(labels)
    inside = ax.get_window_extent()
    for i, box in enumerate(boxes):
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1
        assert not any(box.overlaps(other) for other in boxes[i + 1 :])
    points = ax.transData.transform(xy)
    for i, box in enumerate(boxes):
        others = np.delete(points, i, axis=0)
        assert not any(box.contains(x, y) for x, y in others)
    # The labels are drawn at the figure's font size.
    assert {label.get_fontsize() for label in labels} == {plt.rcParams["font.size"]}
    plt.close(fig)


def test_a_label_of_a_point_on_the_axes_top_edge_stays_inside():
    # The first spot tried lies above its point, which here would be outside the axes.
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.margins(0)
    xy = np.array([[0.0, 0.0], [0.5, 1.0], [1.0, 0.2]])
    (label,) = label_points(ax, xy, ["low", "top", "right"], which=[1])
    box, inside = _text_boxes([label])[0], ax.get_window_extent()
    assert inside.y0 <= box.y0 and box.y1 <= inside.y1 and inside.x0 <= box.x0 and box.x1 <= inside.x1
    plt.close(fig)


def _gaps(box, points):
    """Each point's distance (pixels) to the nearest edge of `box`."""
    dx = np.maximum(np.maximum(box.x0 - points[:, 0], points[:, 0] - box.x1), 0)
    dy = np.maximum(np.maximum(box.y0 - points[:, 1], points[:, 1] - box.y1), 0)
    return np.hypot(dx, dy)


def test_label_points_keeps_labels_clear_of_the_other_points():
    # A crowd of points: beside many of them, the first spot tried would touch another point
    # or sit as near to it as to its own.
    xy = np.random.default_rng(1).uniform(0, 1, (40, 2))
    fig, ax = plt.subplots(figsize=(4, 3))
    labels = label_points(ax, xy, [f"p{i}" for i in range(len(xy))])
    points = ax.transData.transform(xy)
    marker_radius = 3 * fig.dpi / 72
    for i, (label, box) in enumerate(zip(labels, _text_boxes(labels))):
        # So as not to be read as another's, a label beside its point keeps other points twice
        # as far as its own; one with a leader line keeps twice the room.
        gap = _gaps(box, np.delete(points, i, axis=0)).min()
        if label.arrow_patch is None:
            own = _gaps(box, points[i : i + 1])[0]
            assert gap > max(marker_radius, 2 * own), f"label {i}: {gap:.1f} px from another, {own:.1f} from its own"
        else:
            assert gap > 2 * marker_radius, f"label {i} is {gap:.1f} px from another point"
    plt.close(fig)


def _segments_meet(a, b):
    def turn(p, q, r):
        return np.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))

    return turn(*a, b[0]) != turn(*a, b[1]) and turn(*b, a[0]) != turn(*b, a[1])


# Crowds in which a placement that let them would draw a line across another line (seed 0),
# across a label or a label across a line (11), a line past another point (17), or, taking the
# points in the order given, box a point in so that its line must cross (14).
@pytest.mark.parametrize("seed, n", [(0, 25), (11, 25), (17, 25), (14, 30)])
def test_label_points_leader_lines_cross_no_label_no_line_and_no_other_point(seed, n):
    xy = np.random.default_rng(seed).uniform(0, 1, (n, 2))
    fig, ax = plt.subplots(figsize=(4, 3))
    labels = label_points(ax, xy, [f"p{i}" for i in range(len(xy))])
    points = ax.transData.transform(xy)
    boxes = _text_boxes(labels)
    # The annotation draws its leader from the middle of its text to its point.
    lines = {
        i: np.array([[(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2], points[i]])
        for i, (label, box) in enumerate(zip(labels, boxes))
        if label.arrow_patch
    }
    assert lines, "the crowd should need leader lines"
    marker_radius = 3 * fig.dpi / 72
    for i, line in lines.items():
        samples = line[0] + np.linspace(0, 1, 200)[:, None] * (line[1] - line[0])
        for j, box in enumerate(boxes):
            if j != i:
                assert not any(box.contains(x, y) for x, y in samples), f"p{i}'s line crosses p{j}'s label"
        for j, other in lines.items():
            assert j <= i or not _segments_meet(line, other), f"the lines of p{i} and p{j} cross"
        # Away from its own point's neighbours, a line keeps off the other points.
        for j, point in enumerate(points):
            if j != i and np.hypot(*(point - points[i])) > 4 * marker_radius:
                gap = np.hypot(*(samples - point).T).min()
                assert gap > marker_radius, f"p{i}'s line passes {gap:.1f} px from p{j}"
    plt.close(fig)


def test_label_points_leaves_room_for_text_already_on_the_axes():
    fig, ax = plt.subplots(figsize=(4, 3))
    first = label_points(ax, [[0.0, 0.0], [1.0, 1.0]], ["first a", "first b"])
    second = label_points(ax, [[0.05, 0.0], [1.0, 0.95]], ["second a", "second b"])
    boxes = _text_boxes(first + second)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    plt.close(fig)


def test_label_points_takes_names_in_order_from_a_series():
    fig, ax = plt.subplots()
    labels = label_points(ax, [[0.0, 0.0], [1.0, 1.0]], pd.Series(["a", "b"], index=[10, 20]))
    assert [label.get_text() for label in labels] == ["a", "b"]
    plt.close(fig)


@pytest.mark.parametrize(
    "xy, which, message",
    [
        ([[0.0, 0.0], [1.0, 1.0]], [1, 1], r"distinct row numbers between 0 and 1, got \[1, 1\]"),
        ([[0.0, 0.0], [1.0, 1.0]], [2], r"distinct row numbers between 0 and 1, got \[2\]"),
        ([[0.0, np.nan], [1.0, 1.0]], None, r"finite coordinates; rows \[0\] are not"),
    ],
)
def test_label_points_says_what_is_wrong_with_its_input(xy, which, message):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        label_points(ax, xy, ["a", "b"], which=which)
    plt.close(fig)


def test_label_points_labels_only_the_chosen_points_and_keeps_the_limits():
    xy = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
    fig, ax = plt.subplots()
    labels = label_points(ax, xy, ["a", "b", "c"], which=[2, 0])
    assert [label.get_text() for label in labels] == ["c", "a"]
    limits = ax.get_xlim(), ax.get_ylim()
    ax.plot([50], [50])
    assert (ax.get_xlim(), ax.get_ylim()) == limits
    plt.close(fig)


def test_label_points_says_which_label_found_no_room():
    xy = np.zeros((40, 2)) + np.linspace(0, 1e-3, 40)[:, None]
    fig, ax = plt.subplots(figsize=(2, 2))
    with pytest.raises(ValueError, match=r"no room to label 'a long movie title \d+'.*fewer points"):
        label_points(ax, xy, [f"a long movie title {i}" for i in range(40)])
    plt.close(fig)


def test_label_points_needs_one_point_per_name():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"one \(x, y\) row per name.*\(3, 2\).*2 names"):
        label_points(ax, np.zeros((3, 2)), ["a", "b"])
    plt.close(fig)
