"""Getting verified data files: from the cache, a local mirror, or the network.

Introduced in book/01_data.ipynb — The data.

The manifest, lesson5/datasets.toml (package data, so it is installed with the package), lists
each dataset's source files (a .gz or a .zip, the URLs it can be downloaded from, its path inside
a mirror) and the content files inside them (a .gz's decompressed bytes, or chosen members of a
.zip), each with its SHA-256 and size. `fetch` makes sure every content file of a dataset is in
the cache and returns the bytes it verified, so what is parsed is exactly what was checked.

Environment variables, read on every call:

    LESSON5_DATA_DIR     the cache folder, an absolute path. Default: data/cache in the
                         checkout when the package is installed from one in editable mode
                         (`pip install -e ./code`), else the user's cache folder
                         (platformdirs: ~/.cache/lesson5 on Linux)
    LESSON5_DATA_MIRROR  an absolute folder path, or a file:/// URL, laid out like the
                         manifest's mirror paths; when set, files come from there and the
                         network is never used. A relative path is refused: a notebook's
                         kernel runs in book/, so it would not mean what it meant where it was set
    LESSON5_PROGRESS     0 turns the download progress bar off (lesson5.progress: training
                         bars and glue's echo too)

What a bad source can cost is bounded: a download stops after DEADLINE_S seconds (or, for a
file whose content takes longer at MIN_RATE, that long), and after twice its content's size
plus 1 MiB; decompression stops one byte past the size the manifest
gives, so a file that expands without end is rejected after that byte.

`python -m lesson5.download --check` fetches every dataset (`--check NAME ...`: those named)
and, for each file that cannot be had, prints why, then exits with status 1: a test run can check
its data before anything else.
`python -m lesson5.download --list` prints the files a mirror must hold, with their URLs.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import lzma
import os
import re
import socket
import stat
import sys
import threading
import time
import tomllib
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlparse
from urllib.request import HTTPHandler, HTTPRedirectHandler, HTTPSHandler, Request, build_opener, url2pathname

import platformdirs
from tqdm import tqdm

from .atomic import SUFFIX, temp_beside, temp_name
from .checksum import read_hashed, sha256_hex
from .errors import CacheError, DataError
from .progress import progress_enabled

CHECKOUT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60  # seconds without a byte from the server before a URL counts as failed
DEADLINE_S = 300  # seconds a whole download may take before the next URL is tried
# Bytes a second of content below which a large file's download is given up: Fashion-MNIST's
# training images (47 MB, a 26 MB .gz) get 24 minutes, enough on about 200 kbit/s.
MIN_RATE = 32 << 10
STALE_S = 2 * TIMEOUT_S  # a download writes at least every TIMEOUT_S; an older .part file is dead
CHUNK = 1 << 16
CACHE_HINT = ("The cache must be a folder you can write to, on a disk with free space, with no "
              "folder where a file should be: fix that, or set LESSON5_DATA_DIR to another folder "
              "(an absolute path).")

__all__ = ["CacheError", "DataError", "default_cache_dir", "fetch", "load_manifest"]

# What a URL that cannot be had raises: urllib's URLError and HTTPError, and socket and SSL
# errors, are OSErrors; http.client raises HTTPException for a broken response or an invalid
# URL, and UnicodeError for one it cannot encode; this module raises DataError for a body that is
# cut short, too large or does not verify. Anything else (a ValueError too: "I/O operation on
# closed file" is one) is a bug, to be seen as one.
_SOURCE_FAILURES = (DataError, OSError, UnicodeError, http.client.HTTPException)


def load_manifest(path: Path | None = None) -> dict:
    """The dataset manifest, lesson5/datasets.toml unless `path` is given, as a dict keyed by dataset name.

    Introduced in book/01_data.ipynb — The data.
    """
    manifest = resources.files(__package__) / "datasets.toml" if path is None else Path(path)
    return tomllib.loads(manifest.read_text(encoding="utf-8"))


_SHA256 = re.compile(r"[0-9a-f]{64}")
_FORMATS = ("gzip", "zip")


def _check_entry(name: str, entry: dict) -> None:
    """Refuses a manifest entry whose fields are not what fetching relies on, naming the field.

    A mistake there would otherwise be reported as a damaged file, and could delete a good
    cached copy (an uppercase SHA-256 never matches) or write outside the cache (a file name
    with a folder in it).
    """
    def refuse(what):
        raise DataError(f"The manifest's entry for {name!r} is not valid: {what}. Fix the entry "
                        "(data/README.md describes its fields).")

    sources = entry.get("sources")
    if not isinstance(sources, list) or not sources:
        refuse("it needs at least one [[sources]] table")
    names = set()
    for source in sources:
        if source.get("format") not in _FORMATS:
            refuse(f"format must be one of {', '.join(_FORMATS)}, got {source.get('format')!r}")
        if not isinstance(source.get("mirror"), str) or not source["mirror"]:
            refuse("each source needs its path in a mirror (mirror)")
        parts = source["mirror"].split("/")
        if any(c in source["mirror"] for c in "\\:") or any(part in ("", ".", "..") for part in parts):
            # The path is joined to the mirror folder: an absolute one, a '..' or a Windows
            # drive ('C:') would leave it.
            refuse(f"mirror {source['mirror']!r} must be a path inside the mirror folder, like "
                   "mnist/file.gz: relative, with '/' between its parts, no '..' and no drive")
        urls = source.get("urls")
        if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
            refuse("each source's urls must be a list of addresses")
        files = source.get("files")
        if not isinstance(files, list) or not files:
            refuse("each source needs at least one file")
        if source["format"] == "gzip" and len(files) != 1:
            refuse(f"a gzip source holds one file, {source['mirror']} lists {len(files)}")
        for spec in files:
            file = spec.get("name")
            if not isinstance(file, str) or not file or file.startswith(".") or "/" in file or "\\" in file:
                refuse(f"file name {file!r} must be a plain name, no folder, not hidden")
            if file in names:
                refuse(f"two files are named {file!r}")
            names.add(file)
            if not isinstance(spec.get("sha256"), str) or not _SHA256.fullmatch(spec["sha256"]):
                refuse(f"{file}: sha256 must be 64 lowercase hexadecimal digits, got {spec.get('sha256')!r}")
            size = spec.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or size < 1:
                refuse(f"{file}: size must be a whole number of bytes, got {size!r}")
            if ("member" in spec) != (source["format"] == "zip"):
                refuse(f"{file}: member (its path inside the zip) belongs to each file of a zip "
                       "source, and only there")


def default_cache_dir() -> Path:
    """Where verified content files are kept: $LESSON5_DATA_DIR, else data/cache in a checkout, else the user's cache.

    Introduced in book/01_data.ipynb — The data. data/cache is used when this package is
    the checkout's code/lesson5 (an editable install); an installed copy has no checkout, and
    uses the user's cache folder.
    """
    if value := os.environ.get("LESSON5_DATA_DIR"):
        _refuse_white_space("LESSON5_DATA_DIR", value)
        return _absolute("LESSON5_DATA_DIR", value, Path(value).expanduser())
    if (CHECKOUT / "code" / "pyproject.toml").is_file() and (CHECKOUT / "data").is_dir():
        return CHECKOUT / "data" / "cache"
    # No author: Windows would otherwise nest the folder in one named after it, lesson5\lesson5.
    return Path(platformdirs.user_cache_dir("lesson5", appauthor=False))


def fetch(dataset: str, *, manifest: dict | None = None, cache_dir: Path | None = None) -> dict[str, bytes]:
    """Makes sure every content file of `dataset` is in the cache and verified; returns name -> its bytes.

    Introduced in book/01_data.ipynb — The data. Files already in the cache are checked
    (size and SHA-256) every time; a damaged one is deleted, with a warning, and fetched again.
    The bytes returned are the ones that were checked: parse them, not the file, which
    another process could change in the meantime. `manifest` and `cache_dir` default to
    `load_manifest()` and `default_cache_dir()`.
    """
    folder, sources = _prepare(dataset, manifest, cache_dir)
    content = {}
    for source in sources:
        content.update(_fetch_source(dataset, source, folder))
    return content


def _prepare(dataset: str, manifest: dict | None, cache_dir: Path | None) -> tuple[Path, list[dict]]:
    """`dataset`'s cache folder, made, and its sources, once its entry and the settings are known to be good.

    The mirror setting is checked even when the cache holds every file, so that a mistake in it
    shows at once, not on the first file the cache lacks (on another machine, perhaps); and
    before the cache folder is made, so that a refused setting leaves nothing behind.
    """
    manifest = load_manifest() if manifest is None else manifest
    if dataset not in manifest:
        raise ValueError(f"unknown dataset {dataset!r}; the manifest lists {sorted(manifest)}")
    _check_entry(dataset, manifest[dataset])
    sources = manifest[dataset]["sources"]
    if mirror := os.environ.get("LESSON5_DATA_MIRROR"):
        _mirror_folder(mirror, sources[0])
    folder = Path(cache_dir or default_cache_dir()) / dataset
    _make_cache_folder(folder)
    _remove_stale_parts(folder)
    return folder, sources


def _fetch_source(dataset: str, source: dict, folder: Path) -> dict[str, bytes]:
    """The verified content files of one source: from the cache, else from the mirror or its URLs."""
    cached = {spec["name"]: _read_cached(folder / spec["name"], spec) for spec in source["files"]}
    if any(data is None for data in cached.values()):
        cached = _get_source(dataset, source, folder)
    return cached


def _make_cache_folder(folder: Path) -> None:
    with _cache_errors(folder, "create the cache folder"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as error:
            # Named apart: CACHE_HINT warns of the opposite, a folder where a file should be.
            if (blocker := _file_in_the_way(folder)) is None:
                raise
            raise CacheError(f"Could not create the cache folder {folder}: {blocker} is a file, where the cache "
                             "needs a folder: move that file elsewhere, or set LESSON5_DATA_DIR to another "
                             "folder (an absolute path).") from error


def _file_in_the_way(folder: Path) -> Path | None:
    """The file where `folder` or a folder above it should be, if there is one."""
    for path in (folder, *folder.parents):
        mode = _mode(path)
        if mode is not None:
            return None if stat.S_ISDIR(mode) else path
    return None


def _read_cached(path: Path, spec: dict) -> bytes | None:
    """The cached file's bytes if they match `spec`; else None, with the damaged file removed."""
    for _ in range(2):  # a second look only when another process replaced the file meanwhile
        try:
            mode = os.stat(path).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                # Looked at before opening: a named pipe would block the read for ever.
                raise CacheError(f"{path} is not a regular file, but the cache keeps the file {spec['name']} "
                                 f"there: remove it. {CACHE_HINT}")
            with open(path, "rb") as f:
                seen = os.fstat(f.fileno())
                data, sha256 = read_hashed(f, spec["size"] + 1)
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise CacheError(f"{path} is a folder, but the cache keeps the file {spec['name']} there: "
                             f"remove that folder. {CACHE_HINT}") from None
        except OSError as error:
            raise CacheError(f"Could not read {path}: {error.strerror or error}. {CACHE_HINT}") from error
        if (sha256, len(data)) == (spec["sha256"], spec["size"]):
            return data
        if not _discard(path, seen):
            # Warned once the file is gone: where warnings are errors, warning first kept it.
            warnings.warn(f"{path} does not match its size and SHA-256 in the manifest "
                          "(damaged or truncated); deleting it and fetching it again",
                          stacklevel=_first_level_outside_package())
            return None
    return None


def _first_level_outside_package() -> int:
    """The `stacklevel` that points a warning, raised by the function calling this one, at the
    first caller outside this package: the code that asked for the data, whether it called
    `fetch` itself or through a loader of `lesson5.datasets`."""
    package = os.path.dirname(__file__) + os.sep
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _discard(path: Path, seen: os.stat_result) -> bool:
    """Removes `path` if it is still the file `seen`; True if another process had replaced it (kept).

    Deleting by name could delete a good file that another process installed after this one
    read the damaged one. So the file is first moved aside (atomic), and only deleted if it
    is the one that was read; otherwise it goes back, and True tells the caller to look again.
    """
    aside = temp_name(path)
    with _cache_errors(path, "remove the damaged file"):
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return False
        try:
            moved = os.stat(aside)
        except FileNotFoundError:
            # Another process cleared it as a dead download's temporary file: removed all the same.
            return False
        if (moved.st_dev, moved.st_ino) == (seen.st_dev, seen.st_ino):
            os.unlink(aside)
            return False
        os.replace(aside, path)
        return True


def _remove_stale_parts(folder: Path) -> None:
    # Left by a process killed mid-download. A live download writes at least every TIMEOUT_S,
    # so a temporary file untouched for longer belongs to no one.
    now = time.time()
    for part in folder.glob(f".*{SUFFIX}"):
        with contextlib.suppress(OSError):  # gone already, or a read-only cache: not worth failing for
            if now - part.stat().st_mtime > STALE_S:
                part.unlink()


def _get_source(dataset: str, source: dict, folder: Path) -> dict[str, bytes]:
    mirror = os.environ.get("LESSON5_DATA_MIRROR")
    if mirror:
        path = _mirror_file(mirror, source)
        try:
            return _install(path, str(path), source, folder)
        except CacheError:
            raise
        except DataError as error:
            raise DataError(f"{error} {_mirror_fix(path, source)}") from error

    failures, last_error = [], None
    for url in source["urls"]:
        try:
            with temp_beside(folder / Path(source["mirror"]).name) as download:
                _download(url, download, _download_limit(source), _deadline(source))
                return _install(download, url, source, folder)
        except CacheError:
            raise
        except _SOURCE_FAILURES as error:  # this URL failed; the next may work
            failures.append(f"  {url}\n    {type(error).__name__}: {error}")
            last_error = error
    names = ", ".join(spec["name"] for spec in source["files"])
    certificates = ""
    if any("CERTIFICATE_VERIFY_FAILED" in failure for failure in failures):
        certificates = (
            "\nPython could not verify a server's certificate. With Python from python.org on macOS, "
            "run 'Install Certificates.command' in its folder under Applications; behind a network "
            "that inspects encrypted traffic, set SSL_CERT_FILE to its certificate file.")
    raise DataError(
        f"Could not get {source['mirror']} of dataset {dataset!r} from any of its URLs:\n"
        + "\n".join(failures)
        + certificates
        + "\nTo provide it without the network, either set LESSON5_DATA_MIRROR to a folder "
        f"holding {source['mirror']}, or put its content ({names}, unpacked, matching "
        f"the manifest) in {folder}.") from last_error


def _mirror_file(mirror: str, source: dict) -> Path:
    """The path of `source`'s archive in the mirror, once it is known to be a file this process can read."""
    path = _mirror_folder(mirror, source) / source["mirror"]
    setting = _mirror_setting(mirror)
    try:
        mode = _mode(path)
        if mode is None:
            raise DataError(f"{setting}, but {path} does not exist. {_mirror_fix(path, source)}")
        if stat.S_ISDIR(mode):
            raise DataError(f"{setting}, but {path} is a folder, where the mirror keeps a file: "
                            f"remove that folder. {_mirror_fix(path, source)}")
        if not stat.S_ISREG(mode):
            raise DataError(f"{setting}, but {path} is not a regular file. {_mirror_fix(path, source)}")
        with open(path, "rb"):
            pass
    except OSError as error:
        raise _unreadable_mirror(setting, error, path) from error
    return path


def _mirror_folder(mirror: str, source: dict) -> Path:
    """The folder LESSON5_DATA_MIRROR names, once it is known to be one; `source` is an example of what it holds."""
    root = _mirror_root(mirror)
    setting = _mirror_setting(mirror)
    # os.stat, not Path.exists or is_dir: those answer False for a folder that cannot be
    # entered on some Python versions, which would call it missing.
    try:
        mode = _mode(root)
    except OSError as error:
        raise _unreadable_mirror(setting, error, root) from error
    if mode is None:
        raise DataError(f"{setting}, but that folder does not exist: check the path (it should "
                        f"hold {source['mirror']}), or unset LESSON5_DATA_MIRROR: the cache then serves what it "
                        "holds, and what it lacks is downloaded.")
    if not stat.S_ISDIR(mode):
        raise DataError(f"{setting}, a file, but it must name the folder that holds "
                        f"{source['mirror']} (or be a file:// URL of that folder).")
    return root


def _mirror_setting(mirror: str) -> str:
    """How every message about the mirror begins: what the reader set."""
    return f"LESSON5_DATA_MIRROR is set to {mirror!r}"


def _unreadable_mirror(setting: str, error: OSError, path: Path) -> DataError:
    return DataError(f"{setting}, but {error.filename or path} cannot be read ({error.strerror or error}): "
                     "give yourself read access to the file and search (x) access to each folder "
                     "above it, or point LESSON5_DATA_MIRROR at another copy.")


def _mode(path: Path) -> int | None:
    """`path`'s st_mode, or None where nothing is there."""
    try:
        return os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None


def _mirror_fix(path: Path, source: dict) -> str:
    origin = f" (from {' or '.join(source['urls'])})" if source["urls"] else ""
    return f"Put a good copy at {path}{origin}, or unset LESSON5_DATA_MIRROR to download it."


def _mirror_root(mirror: str) -> Path:
    _refuse_white_space("LESSON5_DATA_MIRROR", mirror)
    url = urlparse(mirror)
    if url.scheme == "file":
        if url.netloc not in ("", "localhost"):
            raise DataError(f"LESSON5_DATA_MIRROR is {mirror}, a file URL on the host {url.netloc!r}; only "
                            "this machine's files can be read: use file:///absolute/path or a folder path")
        path = Path(url2pathname(url.path))
        if not path.is_absolute():
            # _absolute's "$PWD/..." would paste the scheme into the path.
            raise DataError(f"LESSON5_DATA_MIRROR is {mirror!r}, a file URL with a relative path: write it "
                            "as file:///absolute/path/to/the/mirror, or give the folder's absolute path")
    elif "://" in mirror:
        raise DataError(f"LESSON5_DATA_MIRROR must be a folder or a file:// URL, not {mirror}")
    else:
        path = Path(mirror).expanduser()
    return _absolute("LESSON5_DATA_MIRROR", mirror, path)


def _refuse_white_space(variable: str, value: str) -> None:
    # Named, not stripped: a pasted value often carries a space or a newline, and would
    # otherwise be called a relative path or a missing folder.
    if value != value.strip():
        raise DataError(f"{variable} is {value!r}, with white space around it: remove it, e.g. "
                        f"export {variable}=\"{value.strip()}\"")


def _absolute(variable: str, value: str, path: Path) -> Path:
    if not path.is_absolute():
        raise DataError(f"{variable} is {value!r}, a relative path. It would be resolved from "
                        "wherever Python runs (a notebook's kernel runs in book/), not from where "
                        f"you set it: give an absolute path, e.g. export {variable}=\"$PWD/{value}\"")
    return path


def _content_bytes(source: dict) -> int:
    """The size of `source`'s content, unpacked, as the manifest gives it."""
    return sum(spec["size"] for spec in source["files"])


def _download_limit(source: dict) -> int:
    # A .gz is barely larger than its content even when nothing compresses; a .zip may hold
    # members the course does not read. Twice the content plus 1 MiB allows both.
    return 2 * _content_bytes(source) + (1 << 20)


def _deadline(source: dict) -> int:
    """Seconds a download of `source` may take: DEADLINE_S, or as long as its content takes at
    MIN_RATE if that is longer, so that a slow connection still gets a large file."""
    return max(DEADLINE_S, round(_content_bytes(source) / MIN_RATE))


def _download(url: str, path: Path, limit: int, seconds: float) -> None:
    """Saves the body of `url` in `path`, as sent; at most `limit` bytes and `seconds` seconds."""
    if urlparse(url).scheme not in ("http", "https"):
        raise DataError(f"{url}: only http:// and https:// URLs are downloaded")
    # identity: the body must be the .gz or .zip itself. Servers that label a .gz file
    # "Content-Encoding: gzip" send it unchanged; decoding that layer would unpack it.
    request = Request(url, headers={"Accept-Encoding": "identity", "User-Agent": "lesson5"})
    watch = _Deadline(seconds)
    too_slow = f"{url} took more than {seconds:g} s, the time allowed for this file"
    if seconds > DEADLINE_S:
        too_slow += f" (its content's size at {MIN_RATE >> 10} KiB/s)"
    try:
        opener = build_opener(_WatchedHTTP(watch), _WatchedHTTPS(watch), _WebRedirects())
        with watch, opener.open(request, timeout=TIMEOUT_S) as response:
            _save_body(url, response, path, limit)
    except CacheError:
        raise
    except _SOURCE_FAILURES as error:
        if watch.expired:
            raise DataError(too_slow) from error
        raise
    if watch.expired:  # the connection was cut where a body without a length may end
        raise DataError(too_slow)


def _save_body(url: str, response, path: Path, limit: int) -> None:
    length = response.headers.get("Content-Length")
    # isascii: "²" (a Latin-1 header byte) is a digit to isdigit, not to int.
    length = int(length) if length and length.isascii() and length.isdigit() else None
    if length is not None and length > limit:
        raise DataError(f"{url} announces {length} bytes; this file is at most {limit}")
    # Opened apart from the loop: only errors of this file are the cache's, not the socket's.
    with _cache_errors(path, "write"):
        out = open(path, "xb")  # noqa: SIM115 -- closed below
    try:
        with tqdm(total=length, unit="B", unit_scale=True, desc=urlparse(url).path.rsplit("/", 1)[-1],
                  disable=not progress_enabled()) as progress:
            size = 0
            while chunk := response.read1(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise DataError(f"{url} sent more than {limit} bytes; this file is smaller")
                # Flushed: each chunk then moves the file's mtime, which tells other processes
                # that this download is alive (_remove_stale_parts); buffered, a slow one could look dead.
                with _cache_errors(path, "write"):
                    out.write(chunk)
                    out.flush()
                progress.update(len(chunk))
        # A disk that fails as the file is closed is the cache's failure too, not this URL's,
        # and the next URL would meet it again.
        with _cache_errors(path, "write"):
            out.close()
    finally:
        # After a failed write, closing tries those bytes again: its error would hide the one raised.
        with contextlib.suppress(OSError):
            out.close()
    if length is not None and size != length:
        raise DataError(f"{url}: the connection closed after {size} of {length} bytes")


class _Deadline:
    """Shuts every socket it watches once `seconds` have passed.

    A socket timeout bounds each read, not their sum: a server that sends a byte just before
    each timeout, in its headers or its body, would hold a download for days. Shutting the
    socket down from a timer ends any read in progress, wherever it is.
    """

    def __init__(self, seconds: float):
        self.expired, self._sockets, self._lock = False, [], threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed already
        sock.shutdown(socket.SHUT_RDWR)


class _Watched:
    """A urllib handler whose connections (redirects included) are watched by a `_Deadline`."""

    def __init__(self, deadline: _Deadline):
        super().__init__()
        self._deadline = deadline

    def do_open(self, http_class, req, **kwargs):
        deadline = self._deadline

        class Connection(http_class):
            def connect(self):
                super().connect()
                deadline.watch(self.sock)

        return super().do_open(Connection, req, **kwargs)


class _WatchedHTTP(_Watched, HTTPHandler):
    pass


class _WatchedHTTPS(_Watched, HTTPSHandler):
    pass


class _WebRedirects(HTTPRedirectHandler):
    """Follows a redirect to http or https only: urllib's own would follow one to ftp://, whose
    connection no `_Deadline` watches, so a slow server there could hold a download for ever."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlparse(newurl).scheme not in ("http", "https"):
            raise HTTPError(req.full_url, code, f"redirected to {newurl}, which is not http or https",
                            headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _install(archive: Path, origin: str, source: dict, folder: Path) -> dict[str, bytes]:
    """Extracts every content file of `archive` into the cache; returns name -> bytes.

    Each file is checked in memory and written to a temporary name in the cache folder; only
    when all of them pass and are written are they renamed into place, one by one (each rename
    atomic on one filesystem). So the cache never holds a partial or unverified file, and a
    damaged archive or a failed write leaves it as it was; but a rename that fails part-way
    leaves the files renamed before it installed, each verified, and a rerun completes the set.
    `origin` names the archive in messages.
    """
    content = {}
    with contextlib.ExitStack() as temporaries:
        ready = []
        for spec in source["files"]:
            data = _extract(archive, origin, source["format"], spec)
            sha256 = sha256_hex(data)
            if (sha256, len(data)) != (spec["sha256"], spec["size"]):
                # Read one byte past the expected size, no further: a longer file's hash would
                # be of a prefix, which no checksum tool would show, so it is left out.
                got = (f"more than {spec['size']} bytes" if len(data) > spec["size"]
                       else f"SHA-256 {sha256} and {len(data)} bytes")
                raise DataError(
                    f"{spec['name']} from {origin} does not match the manifest: expected "
                    f"SHA-256 {spec['sha256']} and {spec['size']} bytes, got {got}. "
                    "The file is damaged, or is not the one the course uses.")
            temp = temporaries.enter_context(temp_beside(folder / spec["name"]))
            with _cache_errors(temp, "write"), open(temp, "xb") as out:
                out.write(data)
            ready.append((temp, folder / spec["name"]))
            content[spec["name"]] = data
        for temp, final in ready:
            with _cache_errors(final, "put in place"):
                os.replace(temp, final)
    return content


def _extract(archive: Path, origin: str, fmt: str, spec: dict) -> bytes:
    """One content file of `archive`, read one byte past its expected size at most."""
    member, limit = spec.get("member"), spec["size"] + 1
    try:
        if fmt == "gzip":
            with gzip.open(archive) as content:
                return content.read(limit)
        with zipfile.ZipFile(archive) as zf, zf.open(member) as content:
            return content.read(limit)
    except KeyError:
        raise DataError(f"{origin} has no member {member}; it is not the expected zip file.") from None
    # zipfile raises NotImplementedError (compression method, version), RuntimeError
    # (encryption) and OSError or LZMAError (damaged streams), besides its own BadZipFile.
    except (EOFError, OSError, RuntimeError, ValueError, zlib.error, lzma.LZMAError, zipfile.BadZipFile) as error:
        # A format error carries no errno; an OSError with one is the disk's or the system's.
        # A downloaded archive sits in the cache, so failing to read it is the cache's failure.
        if isinstance(error, OSError) and error.errno is not None:
            if origin != str(archive):
                raise CacheError(f"Could not read {archive}: {error.strerror or error}. {CACHE_HINT}") from error
            raise DataError(f"Could not read {origin}: {error.strerror or error}.") from error
        raise DataError(f"{origin} is truncated or corrupt, not a valid {fmt} file that this package "
                        f"can read ({type(error).__name__}: {error}).") from error


@contextlib.contextmanager
def _cache_errors(path: Path, doing: str) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise CacheError(f"Could not {doing} {path}: {error.strerror or error}. {CACHE_HINT}") from error


def main(argv: list[str] | None = None) -> int:
    """`python -m lesson5.download --check [NAME ...]`: fetches every dataset (or those named); 1,
    with the reason for each file that cannot be had, if any fails.
    `--list`: prints each source file's path in a mirror, a tab, and its URLs (in the order tried)."""
    manifest = load_manifest()
    parser = argparse.ArgumentParser(prog="python -m lesson5.download",
                                     description="Fetch and verify every dataset in the manifest, or list "
                                                 "the files a mirror must hold.")
    # Not required=True: argparse checks that before unknown options, and would answer
    # --bogus with "one of the arguments is required".
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", nargs="*", choices=list(manifest), metavar="NAME",
                        help="fetch every dataset, or those named; print why and exit 1 if a file cannot be had")
    action.add_argument("--list", action="store_true",
                        help="print each source file's path in a mirror (LESSON5_DATA_MIRROR) and its URLs")
    args = parser.parse_args(argv)
    if args.list:
        for entry in manifest.values():
            for source in entry["sources"]:
                print(source["mirror"], " ".join(source["urls"]), sep="\t")
        return 0
    if args.check is None:
        parser.error("one of the arguments --check --list is required")
    status = 0
    for dataset in args.check or manifest:
        with warnings.catch_warnings():
            # Python's own form names a source line, which for this command is runpy's.
            warnings.showwarning = _warning_printer(dataset)
            failures = _check(dataset, manifest)
        for failure in failures:
            print(f"lesson5.download: {dataset}: {failure}", file=sys.stderr)
        if failures:
            status = 1
        else:
            print(f"lesson5.download: {dataset}: ok")
    return status


def _warning_printer(dataset: str) -> Callable[..., None]:
    """A `warnings.showwarning` that prints the warning as the command's other lines are."""
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"lesson5.download: {dataset}: warning: {message}", file=sys.stderr)
    return show


def _check(dataset: str, manifest: dict) -> list[DataError]:
    """Why each of `dataset`'s source files cannot be had (none when all can), each source tried
    in turn: one run then names all that a mirror or the network lacks, not only the first."""
    try:
        folder, sources = _prepare(dataset, manifest, None)
    except DataError as error:
        return [error]
    failures = []
    for source in sources:
        try:
            _fetch_source(dataset, source, folder)
        except DataError as error:
            failures.append(error)
    return failures


if __name__ == "__main__":
    sys.exit(main())
