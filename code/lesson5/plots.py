"""Small plotting helpers for looking at data.

`show_images` is introduced in book/01_data.ipynb (The data); `label_points` in
book/06_collab.ipynb (Collaborative filtering and embeddings), for maps of embeddings.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.text import Text


def show_images(images, titles=None, ncols=8, size=1.2, cmap="gray_r"):
    """Shows images (a tensor or array of shape (N, H, W)) in a grid, with optional titles.

    Returns the figure, so a chapter can save or adjust it.
    """
    if hasattr(images, "detach"):
        # matplotlib converts tensors through a NumPy path that warns under NumPy 2.
        images = images.detach().cpu().numpy()
    n = len(images)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.15), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            ax.imshow(images[i], cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize="medium")
    fig.tight_layout()
    return fig


# Where a label may go: rings around its point (in points), tried nearest first, each in
# sixteen directions, beside the point first, then above and below it, then the diagonals
# (a label beside its point reads as its own). A label beyond the first ring gets a leader line.
_RINGS = (4, 12, 22, 34, 48, 64)
_DIRECTIONS = [
    (math.cos(math.radians(a)), math.sin(math.radians(a)))
    for a in (0, 180, 90, 270, 45, 135, 315, 225, 22.5, 157.5, 337.5, 202.5, 67.5, 112.5, 292.5, 247.5)
]
# The points' marker area (points squared, as scatter takes it), and the room kept around a
# marker beyond its radius (points).
_MARKER_SIZE = 12
_ROOM = 2
# Leader lines drawn thick and dark enough to survive a figure shrunk to a phone's column.
_LEADER = {"arrowstyle": "-", "lw": 1.0, "color": "0.35"}


def label_points(ax, xy, names, which=None):
    """Scatters the points `xy` (n, 2) on `ax` and writes the names of those in `which` (every
    point by default) beside them, at the figure's font size, where no label covers another
    label (already on the axes or placed here), none comes near another point or nearer to
    it than to its own, and none leaves the axes.

    Labels are placed one at a time, each in the first free spot of a few rings around its
    point (a leader line joins a label set further out). Call it once the figure's size, the
    axes' labels and the layout are final: placement is measured on the figure as it is, and
    the axes' limits are fixed here so that nothing added later moves the points. A label
    that fits nowhere raises ValueError naming it, since a map with a label silently missing
    would mislead; label fewer points or give the figure more room. Returns the labels.
    """
    xy = np.asarray(xy, dtype=float)
    names = [str(name) for name in names]
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) != len(names):
        raise ValueError(
            f"label_points needs one (x, y) row per name, got points of shape {xy.shape} "
            f"and {len(names)} names"
        )
    if not np.isfinite(xy).all():
        bad = np.flatnonzero(~np.isfinite(xy).all(axis=1)).tolist()
        raise ValueError(f"label_points needs finite coordinates; rows {bad} are not")
    which = list(range(len(xy))) if which is None else [int(i) for i in which]
    if len(set(which)) != len(which) or not all(0 <= i < len(xy) for i in which):
        raise ValueError(f"which must list distinct row numbers between 0 and {len(xy) - 1}, got {which}")
    ax.scatter(xy[:, 0], xy[:, 1], s=_MARKER_SIZE, zorder=2)
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    renderer = ax.figure.canvas.get_renderer()
    points = ax.transData.transform(xy)
    room = (math.sqrt(_MARKER_SIZE) / 2 + _ROOM) * ax.figure.dpi / 72
    taken = [_text_box(text, renderer) for text in ax.texts]
    labels = []
    for i in which:
        label = _place(ax, xy[i], i, names[i], renderer, points, room, taken)
        if label is None:
            raise ValueError(
                f"no room to label {names[i]!r} without covering another label or point: "
                "label fewer points or make the figure larger"
            )
        taken.append(_text_box(label, renderer))
        labels.append(label)
    return labels


def _place(ax, anchor, i, name, renderer, points, room, taken):
    """The first free spot for the label of point `i` (at `anchor` in data coordinates,
    `points[i]` on the display), as an annotation on `ax`, or None."""
    inside = ax.get_window_extent(renderer)
    others = np.delete(points, i, axis=0)
    for ring in _RINGS:
        for dx, dy in _DIRECTIONS:
            label = ax.annotate(
                name,
                anchor,
                xytext=(dx * ring, dy * ring),
                textcoords="offset points",
                ha=_align(dx, "left", "center", "right"),
                va=_align(dy, "bottom", "center", "top"),
                arrowprops=None if ring == _RINGS[0] else _LEADER,
            )
            box = _text_box(label, renderer)
            fits = inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
            # So that no label is read as another point's: beside its point, a label keeps other
            # points twice as far as its own (a name centred over a row of points would fit
            # them all); further out, where a leader line says whose it is, twice the room.
            own = _distances(box, points[i : i + 1])[0]
            clear = max(room, 2 * own) if ring == _RINGS[0] else 2 * room
            if (
                fits
                and _distances(box, others).min(initial=np.inf) > clear
                and not any(box.overlaps(other) for other in taken)
            ):
                return label
            label.remove()
    return None


def _distances(box, points):
    """Each point's distance (display pixels) to the nearest edge of `box`, 0 inside it."""
    dx = np.maximum(np.maximum(box.x0 - points[:, 0], points[:, 0] - box.x1), 0)
    dy = np.maximum(np.maximum(box.y0 - points[:, 1], points[:, 1] - box.y1), 0)
    return np.hypot(dx, dy)


def _align(component, positive, middle, negative):
    """The alignment that puts a label on the side of its offset away from its point."""
    return positive if component > 0.3 else negative if component < -0.3 else middle


def _text_box(label, renderer):
    """The box of a label's text alone: an annotation's own box takes in its leader line."""
    if hasattr(label, "update_positions"):
        label.update_positions(renderer)
    return Text.get_window_extent(label, renderer)
