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
    if hasattr(titles, "tolist"):
        # A tensor's items would print as "tensor(3)".
        titles = titles.tolist()
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

    Labels are placed one at a time, the most crowded points first, each in the first free
    spot of a few rings around its point. A label set further out gets a leader line, which
    crosses no label and no other leader line drawn by this call, and passes no other point
    but its own point's near neighbours. Where a point is boxed in by its neighbours' labels,
    its label is placed without regard to leader lines (its own line may then cross labels,
    lines and points) rather than be lost. Call it once the figure's size, the
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
    leaders = []
    labels = {}
    # The most crowded points first: placed after their neighbours' labels, they would find
    # every way out blocked.
    gaps = np.hypot(*(points[:, None] - points[None]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    nearest = gaps.min(axis=1, initial=np.inf)
    for i in sorted(which, key=lambda i: nearest[i]):
        # Where every spot's leader line would cross a label or another line (a point boxed in
        # by its neighbours' labels), a crossing line is better than no label.
        label = _place(ax, xy[i], i, names[i], renderer, points, room, taken, leaders)
        if label is None:
            label = _place(ax, xy[i], i, names[i], renderer, points, room, taken, leaders=None)
        if label is None:
            raise ValueError(
                f"no room to label {names[i]!r} without covering another label or point: "
                "label fewer points or make the figure larger"
            )
        box = _text_box(label, renderer)
        taken.append(box)
        if label.arrow_patch is not None:
            leaders.append(_leader(box, points[i]))
        labels[i] = label
    return [labels[i] for i in which]


def _place(ax, anchor, i, name, renderer, points, room, taken, leaders):
    """The first free spot for the label of point `i` (at `anchor` in data coordinates,
    `points[i]` on the display), as an annotation on `ax`, or None. `taken` holds the boxes
    of the text already on the axes, `leaders` the leader lines drawn so far, which the label
    and its own leader line keep off (None: leader lines may cross)."""
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
                and (leaders is None or _clear_of_leaders(box, ring, points[i], others, room, taken, leaders))
            ):
                return label
            label.remove()
    return None


def _leader(box, point):
    """A leader line as drawn: from the middle of its label's box to its point (display)."""
    return np.array([[(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2], point])


def _clear_of_leaders(box, ring, point, others, room, taken, leaders):
    """Whether a label's `box` keeps off the leader lines drawn so far and, if it sits beyond
    the first ring, its own leader line to `point` keeps off every label and every line and
    passes the `others` points no nearer than `room` (it would seem to point there), but for
    its last stretch, which must leave its own point's crowd."""
    if any(_crosses(line, box) for line in leaders):
        return False
    if ring == _RINGS[0]:
        return True
    line = _leader(box, point)
    return (
        not any(_crosses(line, other) for other in taken)
        and not any(_segments_cross(line, other) for other in leaders)
        and _segment_distances(_shortened(line, 2 * room), others).min(initial=np.inf) > room
    )


def _crosses(line, box):
    """Whether the segment `line` ((2, 2), display) passes through `box` (Liang-Barsky)."""
    (x0, y0), (x1, y1) = line
    low, high = 0.0, 1.0
    for step, start, lo, hi in ((x1 - x0, x0, box.x0, box.x1), (y1 - y0, y0, box.y0, box.y1)):
        if step == 0:
            if not lo <= start <= hi:
                return False
            continue
        enter, leave = sorted(((lo - start) / step, (hi - start) / step))
        low, high = max(low, enter), min(high, leave)
        if low > high:
            return False
    return True


def _segments_cross(a, b):
    """Whether two segments ((2, 2) each) meet."""

    def side(p, q, r):
        return np.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))

    return side(a[0], a[1], b[0]) != side(a[0], a[1], b[1]) and side(b[0], b[1], a[0]) != side(b[0], b[1], a[1])


def _shortened(line, length):
    """The segment `line` with `length` taken off its end (at least a point of it left)."""
    start, end = line
    span = np.hypot(*(end - start))
    return np.array([start, start + (end - start) * max(0.0, 1 - length / span)]) if span else line


def _segment_distances(line, points):
    """Each point's distance (display pixels) to the segment `line`."""
    start, end = line
    step = end - start
    t = np.clip((points - start) @ step / max(step @ step, 1e-12), 0, 1)
    return np.hypot(*(points - start - t[:, None] * step).T)


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
