"""Small plotting helpers for looking at data.

Introduced in book/01_data.ipynb (The data).
"""

import math

import matplotlib.pyplot as plt


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
                ax.set_title(str(titles[i]), fontsize=8)
    fig.tight_layout()
    return fig
