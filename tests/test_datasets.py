"""lesson5.datasets against the real files, fetched from the offline mirror into a fresh cache.

The mirror is the one LESSON5_DATA_MIRROR names (CI: ../shared/data beside the repository);
these tests are skipped, saying so, when it is not set or not there.
"""

import gzip
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import warnings
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pandas as pd
import pytest
import torch

from lesson5 import datasets, splits
from lesson5.datasets import (
    FASHION_CLASSES,
    MNIST_CLASSES,
    ImageSplit,
    load_fashion_mnist,
    load_mnist_10k,
    load_movielens,
    load_movielens_split,
)
from lesson5.splits import SplitWarning, digest

REPO = Path(__file__).resolve().parents[1]
SETTING = os.environ.get("LESSON5_DATA_MIRROR", "")
MIRROR = Path(url2pathname(urlparse(SETTING).path) if SETTING.startswith("file:") else SETTING)

pytestmark = pytest.mark.skipif(not SETTING or not MIRROR.is_dir(),
                                reason=f"no offline data mirror: LESSON5_DATA_MIRROR={SETTING!r} is not a folder")


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("lesson5-data")


@pytest.fixture(autouse=True)
def from_mirror(monkeypatch, session_cache):
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(MIRROR.resolve()))
    monkeypatch.setenv("LESSON5_DATA_DIR", str(session_cache))


def check_images(split: ImageSplit, n_train: int, n_valid: int, classes: list[str]):
    assert split.x_train.shape == (n_train, 28, 28) and split.x_valid.shape == (n_valid, 28, 28)
    assert split.y_train.shape == (n_train,) and split.y_valid.shape == (n_valid,)
    assert split.x_train.dtype == split.x_valid.dtype == torch.float32
    assert split.y_train.dtype == split.y_valid.dtype == torch.int64
    for x in (split.x_train, split.x_valid):
        assert x.min() == 0 and x.max() == 1
    for y in (split.y_train, split.y_valid):
        assert set(y.tolist()) == set(range(10))
    assert split.classes == classes


def examples(x: torch.Tensor, y: torch.Tensor) -> Counter:
    """The (image bytes, label) pairs, counted: equal Counters mean the same examples, in any order."""
    pixels = (x * 255).round().to(torch.uint8).flatten(1).numpy()
    return Counter(zip(map(bytes, pixels), y.tolist()))


def mirror_examples(images: str, labels: str) -> Counter:
    """The same pairs read straight from the mirror's .gz files, without the package."""
    pixels = gzip.decompress((MIRROR / images).read_bytes())[16:]
    return Counter(zip((pixels[i:i + 784] for i in range(0, len(pixels), 784)),
                       gzip.decompress((MIRROR / labels).read_bytes())[8:]))


def test_mnist_10k_is_the_test_release_split_8000_2000(session_cache):
    split = load_mnist_10k()
    check_images(split, 8000, 2000, MNIST_CLASSES)
    train, valid = examples(split.x_train, split.y_train), examples(split.x_valid, split.y_valid)
    everything = mirror_examples("mnist/t10k-images-idx3-ubyte.gz", "mnist/t10k-labels-idx1-ubyte.gz")
    assert train + valid == everything
    assert not train.keys() & valid.keys()
    assert sorted(p.name for p in (session_cache / "mnist").iterdir()) == ["t10k-images-idx3-ubyte",
                                                                           "t10k-labels-idx1-ubyte"]


def test_mnist_10k_draws_the_books_split_here(session_cache, monkeypatch):
    # With the pinned PyTorch the default split is the one the book's figures come from.
    with warnings.catch_warnings():
        warnings.simplefilter("error", SplitWarning)
        load_mnist_10k()
    # ... and that is checked: another recorded digest would be a warning.
    monkeypatch.setitem(splits.BOOK_SPLITS, ("MNIST", 10_000, 2_000, 42), digest([0, 1]))
    with pytest.warns(SplitWarning, match="different MNIST split from seed 42"):
        load_mnist_10k()


def test_mnist_10k_split_depends_only_on_seed():
    torch.manual_seed(0)
    first = load_mnist_10k()
    torch.manual_seed(1)
    torch.rand(1000)
    again = load_mnist_10k()
    assert torch.equal(first.x_valid, again.x_valid) and torch.equal(first.y_train, again.y_train)
    other = load_mnist_10k(seed=7)
    assert not torch.equal(first.y_valid, other.y_valid)
    smaller = load_mnist_10k(n_valid=500)
    assert len(smaller.x_train) == 9500 and len(smaller.x_valid) == 500
    with pytest.raises(ValueError, match="n_valid"):
        load_mnist_10k(n_valid=10000)


def test_fashion_mnist_is_the_official_60000_10000_split():
    split = load_fashion_mnist()
    check_images(split, 60000, 10000, FASHION_CLASSES)
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
    assert torch.bincount(split.y_train).tolist() == [6000] * 10
    assert torch.bincount(split.y_valid).tolist() == [1000] * 10
    assert examples(split.x_valid, split.y_valid) == mirror_examples(
        "fashion-mnist/t10k-images-idx3-ubyte.gz", "fashion-mnist/t10k-labels-idx1-ubyte.gz")
    assert repr(split).startswith("ImageSplit(train=60000, valid=10000, image_shape=(28, 28)")


def test_movielens():
    data = load_movielens()
    ratings, movies, users = data.ratings, data.movies, data.users
    assert list(ratings.columns) == ["user", "movie", "rating", "timestamp", "title"]
    assert len(ratings) == 100_000 and ratings.user.nunique() == 943 and ratings.movie.nunique() == 1682
    assert set(ratings.rating) == {1, 2, 3, 4, 5}
    assert ratings.title.notna().all()
    assert ratings.iloc[0].tolist() == [196, 242, 3, 881250949, "Kolya (1996)"]  # u.data's first line

    assert len(movies) == 1682 and movies.movie.is_unique
    assert list(movies.columns[:3]) == ["movie", "title", "release_date"]
    genres = list(movies.columns[3:])
    assert len(genres) == 19 and genres[:2] == ["unknown", "Action"] and genres[-1] == "Western"
    toy_story = movies.iloc[0]
    assert toy_story.title == "Toy Story (1995)" and str(toy_story.release_date.date()) == "1995-01-01"
    assert [g for g in genres if toy_story[g]] == ["Animation", "Children's", "Comedy"]
    assert set(movies[genres].dtypes.astype(str)) == {"bool"}  # flags, not 0/1 counts to add up
    # Latin-1 decoded as Latin-1: "é" is one character, not mojibake such as "Ã©".
    accented = movies.title[movies.title.str.contains("é")].tolist()
    assert "Misérables, Les (1995)" in accented and len(accented) == 8
    assert not movies.title.str.contains("Ã").any()

    assert list(users.columns) == ["user", "age", "gender", "occupation", "zip"]
    assert len(users) == 943 and users.user.is_unique
    assert set(users.gender) == {"M", "F"}
    assert users.occupation.notna().all() and len(users.occupation.cat.categories) == 21
    assert users.set_index("user").zip[8] == "05201"  # leading zero kept
    assert repr(data) == "MovieLens(ratings=100000, movies=1682, users=943)"


def test_movielens_u1_split():
    train, test = load_movielens_split()
    assert len(train) == 80_000 and len(test) == 20_000
    assert list(train.columns) == list(test.columns) == ["user", "movie", "rating", "timestamp", "title"]
    assert train.title.notna().all() and test.title.notna().all()
    everything = load_movielens().ratings
    key = ["user", "movie", "rating", "timestamp"]
    together = pd.concat([train, test])[key].sort_values(key).reset_index(drop=True)
    assert together.equals(everything[key].sort_values(key).reset_index(drop=True))
    with pytest.raises(ValueError, match=r"\['u1'\]\. To use another, add its u2\.base and u2\.test"):
        load_movielens_split("u2")


def test_loaders_parse_the_bytes_that_were_verified(session_cache, monkeypatch):
    # A file swapped after fetch checked it (here: every label turned to 0) must not be parsed.
    verified = datasets.fetch

    def fetch_then_swap(name):
        content = verified(name)
        labels = session_cache / "mnist" / "t10k-labels-idx1-ubyte"
        swapped = labels.read_bytes()[:8] + bytes(10000)
        labels.unlink()
        labels.write_bytes(swapped)
        return content

    monkeypatch.setattr(datasets, "fetch", fetch_then_swap)
    try:
        split = load_mnist_10k()
    finally:
        (session_cache / "mnist" / "t10k-labels-idx1-ubyte").unlink()  # the next fetch restores it
    assert set(split.y_train.tolist()) == set(range(10))


def test_check_command_fetches_every_dataset(session_cache):
    env = {**os.environ, "LESSON5_DATA_MIRROR": str(MIRROR.resolve()), "LESSON5_DATA_DIR": str(session_cache)}
    result = subprocess.run([sys.executable, "-m", "lesson5.download", "--check"], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"lesson5.download: {name}: ok"
                                          for name in ("mnist", "fashion-mnist", "ml-100k")]


def test_installed_package_finds_its_manifest_outside_the_checkout(tmp_path):
    """`pip install ./code` (not editable) into a fresh venv, used from a folder outside the checkout."""
    venv = tmp_path / "venv"
    # Without pip of its own (installing one costs seconds): this environment's pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    python = venv / "bin" / "python"
    # The test environment's packages (torch, setuptools...) without its editable lesson5: a plain
    # path line, so that the .pth file installing the editable finder there is not run.
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "test-environment.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # A copy, as pip from git would see it: building in place would leave code/build behind.
    source = shutil.copytree(REPO / "code", tmp_path / "code", ignore=shutil.ignore_patterns("*.egg-info", "build"))
    # --no-build-isolation and --no-index: setuptools comes from the environment, no network needed.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-build-isolation", "--no-index", "--no-cache-dir", str(source)],
                   check=True, timeout=300, cwd=tmp_path, capture_output=True)
    script = textwrap.dedent("""
        import lesson5.download as download
        assert "site-packages" in download.__file__, download.__file__
        assert "mnist" in download.load_manifest()
        print(sorted(download.fetch("mnist")))
        print(download.default_cache_dir())
    """)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "LESSON5_DATA_MIRROR": str(MIRROR.resolve()), "LESSON5_DATA_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": "", "PYTHONNOUSERSITE": "1"}
    result = subprocess.run([python, "-c", script], cwd=outside, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']",
                                          str(tmp_path / "cache")]
    assert sorted(p.name for p in (tmp_path / "cache" / "mnist").iterdir()) == [
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    # Without LESSON5_DATA_DIR, an installed copy uses the user's cache folder, not a checkout's data/cache.
    del env["LESSON5_DATA_DIR"]
    env["XDG_CACHE_HOME"] = str(tmp_path / "user-cache")
    result = subprocess.run([python, "-c", "import lesson5.download as d; print(d.default_cache_dir())"],
                            cwd=outside, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.stdout.strip() == str(tmp_path / "user-cache" / "lesson5"), result.stderr
