"""Getting verified data files: from the cache, a local mirror, or the network.

Introduced in book/01_data.ipynb — The data.

data/datasets.toml lists each dataset's source files (a .gz or a .zip, the URLs it can be
downloaded from, its path inside a mirror) and the content files inside them (a .gz's
decompressed bytes, or chosen members of a .zip), each with its SHA-256 and size. `fetch`
makes sure every content file of a dataset is in the cache and matches the manifest.

Environment variables, read on every call:

    LESSON5_DATA_DIR     the cache folder (default: data/cache in the repository)
    LESSON5_DATA_MIRROR  a folder, or a file:// URL, laid out like the manifest's mirror
                         paths; when set, files come from there and the network is never used
    LESSON5_PROGRESS     0 turns the download progress bar off
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import tomllib
import uuid
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from tqdm import TqdmWarning

with warnings.catch_warnings():
    # pooch imports tqdm.auto, which warns in a notebook without ipywidgets; its text
    # progress bar works there all the same, and the warning would land in every chapter.
    warnings.simplefilter("ignore", TqdmWarning)
    import pooch

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
MANIFEST = DATA_DIR / "datasets.toml"
TIMEOUT_S = 60  # seconds without a byte from the server before a URL counts as failed


class DataError(RuntimeError):
    """A data file could not be obtained, or is not what the manifest says it is.

    Introduced in book/01_data.ipynb — The data. The message says which file and what to do.
    """


def load_manifest(path: Path = MANIFEST) -> dict:
    """The dataset manifest, data/datasets.toml, as a dict keyed by dataset name.

    Introduced in book/01_data.ipynb — The data.
    """
    with open(path, "rb") as f:
        return tomllib.load(f)


def default_cache_dir() -> Path:
    """Where verified content files are kept: $LESSON5_DATA_DIR, else data/cache.

    Introduced in book/01_data.ipynb — The data.
    """
    return Path(os.environ.get("LESSON5_DATA_DIR") or DATA_DIR / "cache")


def fetch(dataset: str, *, manifest: dict | None = None, cache_dir: Path | None = None) -> dict[str, Path]:
    """Makes sure every content file of `dataset` is in the cache and verified; returns name -> path.

    Introduced in book/01_data.ipynb — The data. Files already in the cache are checked
    (size and SHA-256) every time; a damaged one is deleted, with a warning, and fetched again.
    `manifest` and `cache_dir` default to data/datasets.toml and `default_cache_dir()`.
    """
    manifest = load_manifest() if manifest is None else manifest
    if dataset not in manifest:
        raise ValueError(f"unknown dataset {dataset!r}; the manifest lists {sorted(manifest)}")
    folder = Path(cache_dir or default_cache_dir()) / dataset
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for source in manifest[dataset]["sources"]:
        # A list, not a generator: every damaged file gets its warning and is deleted.
        if not all([_cached_file_ok(folder / spec["name"], spec) for spec in source["files"]]):
            _get_source(dataset, source, folder)
        paths.update((spec["name"], folder / spec["name"]) for spec in source["files"])
    return paths


def _cached_file_ok(path: Path, spec: dict) -> bool:
    if not path.exists():
        return False
    if path.stat().st_size == spec["size"]:
        with open(path, "rb") as f:
            if hashlib.file_digest(f, "sha256").hexdigest() == spec["sha256"]:
                return True
    warnings.warn(f"{path} does not match its size and SHA-256 in data/datasets.toml "
                  "(damaged or truncated); deleting it and fetching it again", stacklevel=3)
    path.unlink(missing_ok=True)  # another process may have got there first
    return False


def _get_source(dataset: str, source: dict, folder: Path) -> None:
    mirror = os.environ.get("LESSON5_DATA_MIRROR")
    if mirror:
        root = _mirror_root(mirror)
        path = root / source["mirror"]
        if not path.is_file():
            raise DataError(f"LESSON5_DATA_MIRROR is set to {mirror}, but {path} does not exist. "
                            f"Put a copy of {source['mirror']} there (from {' or '.join(source['urls'])}), "
                            "or unset LESSON5_DATA_MIRROR to download it.")
        _install(path, str(path), source, folder)
        return

    failures = []
    for url in source["urls"]:
        try:
            with _temp_path(folder, Path(source["mirror"]).name) as download:
                _download(url, download)
                _install(download, url, source, folder)
            return
        except Exception as error:  # whatever went wrong with this URL, the next may work
            failures.append(f"  {url}\n    {type(error).__name__}: {error}")
    names = ", ".join(spec["name"] for spec in source["files"])
    raise DataError(
        f"Could not get {source['mirror']} of dataset {dataset!r} from any of its URLs:\n"
        + "\n".join(failures)
        + "\nTo provide it without the network, either set LESSON5_DATA_MIRROR to a folder "
        f"holding {source['mirror']}, or put its content ({names}, unpacked, matching "
        f"data/datasets.toml) in {folder}.")


def _mirror_root(mirror: str) -> Path:
    url = urlparse(mirror)
    if url.scheme == "file":
        return Path(url2pathname(url.path))
    if "://" in mirror:
        raise DataError(f"LESSON5_DATA_MIRROR must be a folder or a file:// URL, not {mirror}")
    return Path(mirror).expanduser()


def _download(url: str, path: Path) -> None:
    # pooch does the HTTP transfer only. Its known_hash would check the compressed bytes,
    # which differ between faithful mirrors (Debian recompressed Fashion-MNIST), so the
    # content checks are done by _install instead.
    downloader = pooch.HTTPDownloader(progressbar=os.environ.get("LESSON5_PROGRESS") != "0",
                                      timeout=TIMEOUT_S, chunk_size=1 << 16)
    downloader(url, str(path), None)


def _install(archive: Path, origin: str, source: dict, folder: Path) -> None:
    """Extracts every content file of `archive` into the cache, all or nothing.

    Each file is first written to a temporary name in the cache folder and verified; only
    when all of them pass are they renamed into place (atomic on one filesystem), so a
    failure part-way leaves the cache as it was. `origin` names the archive in messages.
    """
    with contextlib.ExitStack() as temporaries:
        ready = []
        for spec in source["files"]:
            temp = temporaries.enter_context(_temp_path(folder, spec["name"]))
            with open(temp, "xb") as out:
                sha256, size = _extract(archive, origin, source["format"], spec, out)
            if (sha256, size) != (spec["sha256"], spec["size"]):
                raise DataError(
                    f"{spec['name']} from {origin} does not match data/datasets.toml: expected "
                    f"SHA-256 {spec['sha256']} and {spec['size']} bytes, got SHA-256 {sha256} "
                    f"and {size} bytes. The file is damaged, or is not the one the course uses.")
            ready.append((temp, folder / spec["name"]))
        for temp, final in ready:
            os.replace(temp, final)


def _extract(archive: Path, origin: str, fmt: str, spec: dict, out) -> tuple[str, int]:
    """Copies one content file out of `archive` into `out`; returns its SHA-256 and size."""
    member = spec.get("member")  # zip only
    try:
        if fmt == "gzip":
            with gzip.open(archive) as content:
                return _copy_hashing(content, out)
        with zipfile.ZipFile(archive) as zf, zf.open(member) as content:
            return _copy_hashing(content, out)
    except KeyError:
        raise DataError(f"{origin} has no member {member}; it is not the expected zip file") from None
    except (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile) as error:
        raise DataError(f"{origin} is truncated or corrupt, not a valid {fmt} file ({error})") from error


def _copy_hashing(src, dst) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := src.read(1 << 20):
        digest.update(chunk)
        dst.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


@contextlib.contextmanager
def _temp_path(folder: Path, name: str) -> Iterator[Path]:
    # Beside the final file, so os.replace is an atomic rename; a hidden unique name, so
    # nothing ever mistakes it for a cached file; removed unless it was renamed into place.
    path = folder / f".{name}.{uuid.uuid4().hex}.part"
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
