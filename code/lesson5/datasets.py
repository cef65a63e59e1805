"""The course's datasets, as tensors (MNIST, Fashion-MNIST) and DataFrames (MovieLens 100K).

Introduced in book/01_data.ipynb — The data. The files' bytes come verified from
`lesson5.download.fetch`; this module only parses those bytes (never the files again, which
could have changed since). data/README.md gives each dataset's licence and how to cite it.
"""

from __future__ import annotations

import contextlib
import io
import operator
from dataclasses import dataclass

import pandas as pd
import torch

from .download import fetch, load_manifest
from .idx import read_idx
from .splits import check_book_split

MNIST_CLASSES = [str(digit) for digit in range(10)]
"""MNIST's class names, '0' to '9'. Introduced in book/01_data.ipynb — The data."""

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
"""Fashion-MNIST's class names, in label order. Introduced in book/01_data.ipynb — The data."""


# eq=False: == on tensors and DataFrames gives element-wise results, not one bool.
@dataclass(frozen=True, eq=False)
class ImageSplit:
    """Labelled images split into a training and a validation set.

    Introduced in book/01_data.ipynb — The data. x_train and x_valid are float32 tensors of
    shape (N, 28, 28) scaled to [0, 1]; y_train and y_valid are int64 tensors of shape (N,)
    holding indices into `classes`.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_valid: torch.Tensor
    y_valid: torch.Tensor
    classes: list[str]

    def __repr__(self) -> str:
        return (f"ImageSplit(train={len(self.x_train)}, valid={len(self.x_valid)}, "
                f"image_shape={tuple(self.x_train.shape[1:])}, classes={self.classes})")


@dataclass(frozen=True, eq=False)
class MovieLens:
    """MovieLens 100K as three DataFrames.

    Introduced in book/01_data.ipynb — The data.
    ratings: user, movie, rating (1-5), timestamp (Unix seconds), title.
    movies: movie, title, release_date, then one bool column per genre.
    users: user, age, gender, occupation, zip.
    """

    ratings: pd.DataFrame
    movies: pd.DataFrame
    users: pd.DataFrame

    def __repr__(self) -> str:
        return (f"MovieLens(ratings={len(self.ratings)}, movies={len(self.movies)}, "
                f"users={len(self.users)})")


def load_mnist_10k(n_valid: int = 2000, seed: int = 42) -> ImageSplit:
    """MNIST's 10,000-image test release, split at random into training and validation sets.

    Introduced in book/01_data.ipynb — The data. Small enough to train on in seconds on a
    CPU. The split comes from a permutation drawn with its own generator seeded with
    `seed`, so it is the same on every run, whatever else has used the global RNG; a PyTorch
    that draws the book's split otherwise gets a warning (`lesson5.splits`).
    """
    # Checked before the fetch, so that a bad call downloads nothing.
    n_valid, seed = _whole("n_valid", n_valid), _whole("seed", seed)
    if n_valid < 1:
        raise ValueError(f"n_valid must be at least 1, not {n_valid}")
    if not -2**63 <= seed < 2**64:
        raise ValueError(f"seed must be from -2**63 to 2**64 - 1 (what torch.Generator.manual_seed takes), "
                         f"not {seed}")
    files = fetch("mnist")
    x = _images(files, "t10k-images-idx3-ubyte")
    y = _labels(files, "t10k-labels-idx1-ubyte")
    if n_valid >= len(x):
        raise ValueError(f"n_valid must be between 1 and {len(x) - 1}, not {n_valid}")
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    valid, train = order[:n_valid], order[n_valid:]
    check_book_split("MNIST", len(x), valid, seed)
    return ImageSplit(x[train], y[train], x[valid], y[valid], list(MNIST_CLASSES))


def _whole(name: str, value) -> int:
    """`value` as an int, if it is one (a NumPy integer too); bool is refused, though Python counts it as one."""
    if not isinstance(value, bool):
        with contextlib.suppress(TypeError):
            return operator.index(value)
    raise TypeError(f"{name} must be a whole number, not {value!r}")


def load_fashion_mnist() -> ImageSplit:
    """Fashion-MNIST's official split: 60,000 training images, and the 10,000 test images as validation.

    Introduced in book/01_data.ipynb — The data.
    """
    files = fetch("fashion-mnist")
    return ImageSplit(_images(files, "train-images-idx3-ubyte"), _labels(files, "train-labels-idx1-ubyte"),
                      _images(files, "t10k-images-idx3-ubyte"), _labels(files, "t10k-labels-idx1-ubyte"),
                      list(FASHION_CLASSES))


def load_movielens() -> MovieLens:
    """MovieLens 100K: 100,000 ratings of 1,682 movies by 943 users.

    Introduced in book/01_data.ipynb — The data.
    """
    files = fetch("ml-100k")
    movies = _movies(files)
    return MovieLens(_ratings(files["u.data"], movies), movies, _users(files))


def credit_line(name: str) -> str:
    """One line crediting dataset `name`, from its manifest entry: what it is, who made it, its
    licence and the paper to cite, for a file that carries an excerpt of it away from the pages
    that credit it.

    Introduced in book/06_collab.ipynb — The spreadsheet as a workbook.
    """
    manifest = load_manifest()
    if name not in manifest:
        raise ValueError(f"unknown dataset {name!r}; the manifest lists {sorted(manifest)}")
    entry = manifest[name]
    return (f"From {entry['title']} ({entry['credit']}, {entry['homepage']}). "
            f"Licence: {entry['licence']}. Cite: {entry['citation']}")


def load_movielens_split(name: str = "u1") -> tuple[pd.DataFrame, pd.DataFrame]:
    """One of MovieLens 100K's ready-made 80%/20% splits, as (train, test) ratings with titles.

    Introduced in book/01_data.ipynb — The data. Only the splits whose files are listed in
    the manifest, lesson5/datasets.toml, are available (u1).
    """
    files = fetch("ml-100k")
    available = sorted(file[:-len(".base")] for file in files if file.endswith(".base"))
    if name not in available:
        raise ValueError(f"unknown MovieLens split {name!r}; the manifest lists {available}. To use "
                         f"another, add its {name}.base and {name}.test members, with their SHA-256, "
                         "to lesson5/datasets.toml (data/README.md, 'Adding a dataset')")
    movies = _movies(files)
    return _ratings(files[f"{name}.base"], movies), _ratings(files[f"{name}.test"], movies)


def _images(files: dict[str, bytes], name: str) -> torch.Tensor:
    return read_idx(files[name], name).float() / 255


def _labels(files: dict[str, bytes], name: str) -> torch.Tensor:
    return read_idx(files[name], name).long()


def _ratings(data: bytes, movies: pd.DataFrame) -> pd.DataFrame:
    ratings = pd.read_csv(io.BytesIO(data), sep="\t", names=["user", "movie", "rating", "timestamp"])
    return ratings.merge(movies[["movie", "title"]], on="movie", how="left", validate="many_to_one")


def _movies(files: dict[str, bytes]) -> pd.DataFrame:
    genres = pd.read_csv(io.BytesIO(files["u.genre"]), sep="|", names=["genre", "column"])
    genres = genres.sort_values("column")["genre"].tolist()
    # u.item predates Unicode: its titles are Latin-1 ("Misérables, Les (1995)"), not UTF-8.
    movies = pd.read_csv(io.BytesIO(files["u.item"]), sep="|", encoding="latin-1",
                         names=["movie", "title", "release_date", "video_release_date", "imdb_url", *genres])
    movies["release_date"] = pd.to_datetime(movies["release_date"], format="%d-%b-%Y")
    movies[genres] = movies[genres].astype(bool)
    return movies[["movie", "title", "release_date", *genres]]


def _users(files: dict[str, bytes]) -> pd.DataFrame:
    # zip as text: some are not numbers (Canadian postcodes) and others start with 0.
    users = pd.read_csv(io.BytesIO(files["u.user"]), sep="|", names=["user", "age", "gender", "occupation", "zip"],
                        dtype={"zip": str})
    occupations = files["u.occupation"].decode("ascii").split()
    users["occupation"] = pd.Categorical(users["occupation"], categories=occupations)
    return users
