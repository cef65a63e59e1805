"""lesson5.download against a real HTTP server on 127.0.0.1 and local mirror folders.

Every test uses its own manifest and cache folder, never the real ones. Servers that misbehave
(endless, trickling) stop by themselves after a few seconds, so no test can hang.
"""

import gzip
import hashlib
import http.server
import inspect
import io
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from pathlib import Path
from urllib.error import URLError

import platformdirs
import platformdirs.windows
import pytest

from lesson5 import download
from lesson5.datasets import credit_line
from lesson5.download import DataError, default_cache_dir, fetch, load_manifest

REPO = Path(__file__).resolve().parents[1]

LABELS = struct.pack(">I", 0x00000801) + struct.pack(">I", 5) + bytes([3, 1, 4, 1, 5])
MEMBERS = {"tiny/a.txt": b"alpha\n", "tiny/b.txt": b"beta\n" * 100}


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _spec(name, content, **extra):
    return {"name": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content), **extra}


GZ = gzip.compress(LABELS)
ZIP = _zip(MEMBERS)


def make_manifest(digit_urls=(), letter_urls=()):
    return {
        "digits": {"title": "Tiny digits", "licence": "CC0", "citation": "-", "homepage": "-",
                   "sources": [{"urls": list(digit_urls), "mirror": "digits/labels-idx1-ubyte.gz",
                                "format": "gzip", "files": [_spec("labels-idx1-ubyte", LABELS)]}]},
        "letters": {"title": "Tiny letters", "licence": "CC0", "citation": "-", "homepage": "-",
                    "sources": [{"urls": list(letter_urls), "mirror": "letters.zip", "format": "zip",
                                 "files": [_spec(Path(m).name, c, member=m) for m, c in MEMBERS.items()]}]},
    }


class Server(http.server.ThreadingHTTPServer):
    """Serves `files` (path -> bytes) and records `hits`.

    A path in `cut` is answered with a Content-Length twice its size, then a closed connection.
    `headers` (path -> dict) adds response headers; `moved` (path -> URL) answers with a
    redirect there. A path in `endless` gets bytes without end
    (64 MiB at most) and one in `trickle` one byte every 50 ms (5 s at most), of its body or,
    for a path also in `slow_headers`, of its headers; `sent` counts the bytes of their bodies
    that reached the socket.
    """

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.files, self.cut, self.hits, self.headers, self.moved = {}, set(), [], {}, {}
        self.endless, self.trickle, self.slow_headers, self.sent = set(), set(), set(), 0

    def url(self, path):
        return f"http://127.0.0.1:{self.server_port}{path}"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path in self.server.moved:
            self.send_response(302)
            self.send_header("Location", self.server.moved[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.close_connection = True
            return
        if self.path in self.server.endless | self.server.trickle:
            self._misbehave()
            return
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        cut = self.path in self.server.cut
        self.send_response(200)
        headers = {"Content-Length": str(2 * len(body) if cut else len(body)), **self.server.headers.get(self.path, {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _misbehave(self):
        self.close_connection = True
        if self.path in self.server.slow_headers:
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(100):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
            return
        self.send_response(200)
        endless = self.path in self.server.endless
        if not endless:
            self.send_header("Content-Length", "1000")
        self.end_headers()
        chunk, stop = (b"\x00" * (1 << 16), 1 << 26) if endless else (b"\x00", 100)
        try:
            for _ in range(stop // len(chunk)):
                self.wfile.write(chunk)
                self.wfile.flush()
                self.server.sent += len(chunk)
                if not endless:
                    time.sleep(0.05)
        except OSError:  # the client hung up, as it should
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    server = Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_mirror(monkeypatch):
    # CI sets a mirror for the whole run; these tests decide for themselves.
    monkeypatch.delenv("LESSON5_DATA_MIRROR", raising=False)
    monkeypatch.setenv("LESSON5_PROGRESS", "0")


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def files_in(folder):
    """Every file under folder, hidden temporary ones included."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def closed_port_url(path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def make_mirror(folder, gz=GZ, zip_bytes=ZIP):
    (folder / "digits").mkdir(parents=True)
    (folder / "digits" / "labels-idx1-ubyte.gz").write_bytes(gz)
    (folder / "letters.zip").write_bytes(zip_bytes)
    return folder


def test_download_decompresses_and_caches_verified_content(server, cache):
    server.files["/labels.gz"] = GZ
    assert fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache) == {
        "labels-idx1-ubyte": LABELS}
    assert (cache / "digits" / "labels-idx1-ubyte").read_bytes() == LABELS
    assert files_in(cache) == ["digits/labels-idx1-ubyte"]


def test_zip_members_are_extracted_by_name(server, cache):
    server.files["/letters.zip"] = ZIP
    manifest = make_manifest(letter_urls=[server.url("/letters.zip")])
    assert fetch("letters", manifest=manifest, cache_dir=cache) == {"a.txt": MEMBERS["tiny/a.txt"],
                                                                    "b.txt": MEMBERS["tiny/b.txt"]}
    assert files_in(cache) == ["letters/a.txt", "letters/b.txt"]


def test_verified_cache_is_used_without_network(server, cache):
    server.files["/labels.gz"] = GZ
    manifest = make_manifest([server.url("/labels.gz")])
    fetch("digits", manifest=manifest, cache_dir=cache)
    fetch("digits", manifest=manifest, cache_dir=cache)
    assert server.hits == ["/labels.gz"]


def test_first_url_404_falls_back_to_second(server, cache):
    server.files["/second/labels.gz"] = GZ
    manifest = make_manifest([server.url("/first/labels.gz"), server.url("/second/labels.gz")])
    assert fetch("digits", manifest=manifest, cache_dir=cache)["labels-idx1-ubyte"] == LABELS
    assert server.hits == ["/first/labels.gz", "/second/labels.gz"]
    assert files_in(cache) == ["digits/labels-idx1-ubyte"]


def test_connection_cut_mid_file_leaves_nothing_behind(server, cache):
    server.files["/labels.gz"] = GZ
    server.cut.add("/labels.gz")
    with pytest.raises(DataError, match="/labels.gz") as error:
        fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache)
    assert f"closed after {len(GZ)} of {2 * len(GZ)} bytes" in str(error.value)
    assert files_in(cache) == []


def test_connection_cut_falls_back_to_next_url(server, cache):
    server.files["/a/labels.gz"] = server.files["/b/labels.gz"] = GZ
    server.cut.add("/a/labels.gz")
    manifest = make_manifest([server.url("/a/labels.gz"), server.url("/b/labels.gz")])
    assert fetch("digits", manifest=manifest, cache_dir=cache)["labels-idx1-ubyte"] == LABELS
    assert files_in(cache) == ["digits/labels-idx1-ubyte"]


@pytest.mark.parametrize("field, wrong", [("sha256", "0" * 64), ("size", len(LABELS) + 1)])
def test_content_not_matching_manifest_is_rejected(server, cache, field, wrong):
    server.files["/labels.gz"] = GZ
    manifest = make_manifest([server.url("/labels.gz")])
    manifest["digits"]["sources"][0]["files"][0][field] = wrong
    with pytest.raises(DataError) as error:
        fetch("digits", manifest=manifest, cache_dir=cache)
    message = str(error.value)
    assert "labels-idx1-ubyte from " + server.url("/labels.gz") in message
    assert f"expected SHA-256 {manifest['digits']['sources'][0]['files'][0]['sha256']}" in message
    assert f"got SHA-256 {hashlib.sha256(LABELS).hexdigest()} and {len(LABELS)} bytes" in message
    assert files_in(cache) == []


def test_truncated_gzip_download_names_the_url(server, cache):
    server.files["/labels.gz"] = GZ[:-12]  # served whole, but the file itself is cut short
    with pytest.raises(DataError, match="truncated or corrupt, not a valid gzip") as error:
        fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache)
    assert server.url("/labels.gz") in str(error.value)
    assert files_in(cache) == []


def test_a_certificate_python_cannot_verify_is_named_with_its_usual_fixes(cache, monkeypatch):
    # Python from python.org on macOS has no certificates until its installer's script is run.
    def unverified(url, path, limit, seconds):
        raise URLError(ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"))

    monkeypatch.setattr(download, "_download", unverified)
    with pytest.raises(DataError, match="(?s)CERTIFICATE_VERIFY_FAILED.*Install Certificates.command.*SSL_CERT_FILE"):
        fetch("digits", manifest=make_manifest(["https://example.org/labels.gz"]), cache_dir=cache)

    # One address failing so is enough for the advice, whatever the others did.
    def unverified_then_missing(url, path, limit, seconds):
        if "first" in url:
            unverified(url, path, limit, seconds)
        raise OSError("HTTP Error 404: Not Found")

    monkeypatch.setattr(download, "_download", unverified_then_missing)
    urls = ["https://first.example.org/labels.gz", "https://second.example.org/labels.gz"]
    with pytest.raises(DataError, match="(?s)404.*Install Certificates.command"):
        fetch("digits", manifest=make_manifest(urls), cache_dir=cache)


def test_other_download_failures_get_no_certificate_advice(cache, monkeypatch):
    def refused(url, path, limit, seconds):
        raise OSError("refused")

    monkeypatch.setattr(download, "_download", refused)
    with pytest.raises(DataError) as error:
        fetch("digits", manifest=make_manifest(["https://example.org/labels.gz"]), cache_dir=cache)
    assert "refused" in str(error.value) and "Install Certificates" not in str(error.value)


def test_the_error_after_every_url_failed_carries_the_last_failure_as_its_cause(cache, monkeypatch):
    def refused(url, path, limit, seconds):
        raise OSError(f"refused: {url}")

    monkeypatch.setattr(download, "_download", refused)
    urls = ["https://example.org/one/labels.gz", "https://example.org/two/labels.gz"]
    with pytest.raises(DataError) as error:
        fetch("digits", manifest=make_manifest(urls), cache_dir=cache)
    assert isinstance(error.value.__cause__, OSError)
    assert str(error.value.__cause__) == f"refused: {urls[1]}"


@pytest.mark.parametrize("kind", [TypeError, ValueError])
@pytest.mark.parametrize("broken", ["_download", "_install"])
def test_a_programming_error_while_getting_a_source_is_not_taken_for_a_bad_url(server, cache, monkeypatch, broken,
                                                                               kind):
    # A bug must surface as itself, not as advice to set LESSON5_DATA_MIRROR; ValueError too
    # ("I/O operation on closed file"), though urllib raises it for a URL it cannot parse.
    def bug(*args):
        raise kind("a bug in the package")

    server.files["/labels.gz"] = GZ
    monkeypatch.setattr(download, broken, bug)
    with pytest.raises(kind, match="a bug in the package"):
        fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache)


def test_offline_error_lists_every_url_and_how_to_provide_the_file(cache):
    urls = [closed_port_url("/one/labels.gz"), closed_port_url("/two/labels.gz")]
    with pytest.raises(DataError) as error:
        fetch("digits", manifest=make_manifest(urls), cache_dir=cache)
    message = str(error.value)
    assert "'digits'" in message
    assert all(url in message for url in urls)
    assert "Connection refused" in message
    assert "LESSON5_DATA_MIRROR" in message and "digits/labels-idx1-ubyte.gz" in message
    assert str(cache / "digits") in message
    assert files_in(cache) == []


@pytest.mark.parametrize("as_url", [False, True], ids=["folder", "file-url"])
def test_mirror_is_used_instead_of_the_network(server, cache, tmp_path, monkeypatch, as_url):
    mirror = make_mirror(tmp_path / "mirror")
    monkeypatch.setenv("LESSON5_DATA_MIRROR", mirror.as_uri() if as_url else str(mirror))
    manifest = make_manifest([server.url("/labels.gz")], [server.url("/letters.zip")])
    assert fetch("digits", manifest=manifest, cache_dir=cache)["labels-idx1-ubyte"] == LABELS
    assert fetch("letters", manifest=manifest, cache_dir=cache)["b.txt"] == MEMBERS["tiny/b.txt"]
    assert server.hits == []
    assert files_in(cache) == ["digits/labels-idx1-ubyte", "letters/a.txt", "letters/b.txt"]


def test_mirror_without_the_file_names_the_expected_path(server, cache, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(tmp_path / "empty"))
    server.files["/labels.gz"] = GZ
    with pytest.raises(DataError, match="LESSON5_DATA_MIRROR") as error:
        fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache)
    assert str(tmp_path / "empty" / "digits" / "labels-idx1-ubyte.gz") in str(error.value)
    assert server.hits == []


def test_mirror_folder_that_does_not_exist_is_named_as_the_setting(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(tmp_path / "typo"))
    with pytest.raises(DataError, match="that folder does not exist: check the path") as error:
        fetch("digits", manifest=make_manifest(), cache_dir=cache)
    assert repr(str(tmp_path / "typo")) in str(error.value)
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("setting, problem", [
    ("{tmp}/typo", "that folder does not exist: check the path"),
    ("mirror", "a relative path"),
    ("http://example.org/data", "must be a folder or a file:// URL"),
    ("{tmp}/a-file", "a file, but it must name the folder"),
], ids=["missing", "relative", "http", "a-file"])
def test_a_wrong_mirror_setting_is_refused_even_when_the_cache_holds_the_files(cache, tmp_path, monkeypatch,
                                                                               setting, problem):
    # Else the mistake shows only on the first file the cache lacks, maybe on another machine.
    (tmp_path / "a-file").write_text("not a mirror")
    verified = cache / "digits" / "labels-idx1-ubyte"
    verified.parent.mkdir(parents=True)
    verified.write_bytes(LABELS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LESSON5_DATA_MIRROR", setting.format(tmp=tmp_path))
    with pytest.raises(DataError, match=problem):
        fetch("digits", manifest=make_manifest(), cache_dir=cache)
    # Refused before the cache is touched: no empty folder left for a dataset not yet fetched.
    with pytest.raises(DataError, match=problem):
        fetch("letters", manifest=make_manifest(), cache_dir=cache)
    assert sorted(p.name for p in cache.iterdir()) == ["digits"]
    assert verified.read_bytes() == LABELS


def test_mirror_set_to_a_file_asks_for_its_folder(cache, tmp_path, monkeypatch):
    mirror = make_mirror(tmp_path / "mirror")
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(mirror / "letters.zip"))
    with pytest.raises(DataError, match="a file, but it must name the folder that holds letters.zip"):
        fetch("letters", manifest=make_manifest(), cache_dir=cache)


def test_folder_where_the_mirror_keeps_a_file_is_named(cache, tmp_path, monkeypatch):
    (tmp_path / "mirror" / "letters.zip").mkdir(parents=True)
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(DataError, match="is a folder, where the mirror keeps a file: remove that folder"):
        fetch("letters", manifest=make_manifest(["https://example.org/letters.zip"]), cache_dir=cache)


def test_mirror_entry_that_is_not_a_regular_file_is_named(cache, tmp_path, monkeypatch):
    (tmp_path / "mirror").mkdir()
    os.mkfifo(tmp_path / "mirror" / "letters.zip")  # opening it to read would wait for a writer
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(DataError, match="letters.zip is not a regular file. Put a good copy at"):
        fetch("letters", manifest=make_manifest(), cache_dir=cache)


def test_mirror_must_be_a_folder_or_file_url(cache, monkeypatch):
    monkeypatch.setenv("LESSON5_DATA_MIRROR", "https://example.org/data")
    with pytest.raises(DataError, match="file:// URL"):
        fetch("digits", manifest=make_manifest(), cache_dir=cache)


@pytest.mark.parametrize("dataset, gz, zip_bytes, problem", [
    ("digits", GZ[:-12], ZIP, "truncated or corrupt, not a valid gzip"),
    ("digits", b"not gzip at all", ZIP, "truncated or corrupt, not a valid gzip"),
    ("letters", GZ, ZIP[:len(ZIP) // 2], "truncated or corrupt, not a valid zip"),
    ("letters", GZ, _zip({"tiny/a.txt": MEMBERS["tiny/a.txt"]}), "has no member tiny/b.txt"),
], ids=["truncated-gzip", "not-gzip", "truncated-zip", "zip-missing-member"])
def test_damaged_mirror_file_is_named(cache, tmp_path, monkeypatch, dataset, gz, zip_bytes, problem):
    mirror = make_mirror(tmp_path / "mirror", gz, zip_bytes)
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(mirror))
    manifest = make_manifest(["https://example.org/labels-idx1-ubyte.gz"], ["https://example.org/letters.zip"])
    with pytest.raises(DataError, match=problem) as error:
        fetch(dataset, manifest=manifest, cache_dir=cache)
    archive = "digits/labels-idx1-ubyte.gz" if dataset == "digits" else "letters.zip"
    assert str(mirror / archive) in str(error.value)
    assert str(error.value).endswith(f"Put a good copy at {mirror / archive} (from https://example.org/"
                                     f"{Path(archive).name}), or unset LESSON5_DATA_MIRROR to download it.")
    assert files_in(cache) == []  # not even the zip's good member a.txt


def test_wrong_file_in_the_mirror_says_how_to_replace_it(cache, tmp_path, monkeypatch):
    mirror = make_mirror(tmp_path / "mirror", gz=gzip.compress(LABELS[:-1] + b"\x09"))
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(mirror))
    with pytest.raises(DataError, match="does not match the manifest") as error:
        fetch("digits", manifest=make_manifest(["https://example.org/labels.gz"]), cache_dir=cache)
    assert "Put a good copy at " + str(mirror / "digits" / "labels-idx1-ubyte.gz") in str(error.value)
    assert files_in(cache) == []


def _bound_by_file_permissions(script, env):
    """Runs `script` in a child Python that file permissions bind, as they bind a learner: when
    the tests run as root, without the capabilities that let root read and write anything."""
    command = [sys.executable, "-c", script]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root ignores file permissions here, and setpriv (util-linux), which drops that, is missing")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    return subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
                          check=False)


@pytest.mark.parametrize("locked", ["digits/labels-idx1-ubyte.gz", "digits"], ids=["file", "folder"])
def test_unreadable_mirror_is_named_as_unreadable_not_corrupt(cache, tmp_path, locked):
    mirror = make_mirror(tmp_path / "mirror")
    (mirror / locked).chmod(0o600 if locked == "digits" else 0o200)
    script = ("from lesson5.download import fetch\n"
              f"fetch('digits', manifest={make_manifest()!r}, cache_dir={str(cache)!r})\n")
    try:
        result = _bound_by_file_permissions(script, {"LESSON5_DATA_MIRROR": str(mirror)})
    finally:
        (mirror / locked).chmod(0o755 if locked == "digits" else 0o644)
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("lesson5.errors.DataError: LESSON5_DATA_MIRROR is set to ")
    assert f"{mirror / 'digits' / 'labels-idx1-ubyte.gz'} cannot be read (Permission denied)" in last
    assert "give yourself read access to the file and search (x) access" in last and "corrupt" not in last
    assert files_in(cache) == []


def test_corrupted_cache_file_is_detected_and_fetched_again(server, cache):
    server.files["/labels.gz"] = GZ
    manifest = make_manifest([server.url("/labels.gz")])
    fetch("digits", manifest=manifest, cache_dir=cache)
    path = cache / "digits" / "labels-idx1-ubyte"
    path.write_bytes(LABELS[:-1])
    with pytest.warns(UserWarning, match="deleting it and fetching it again"):
        assert fetch("digits", manifest=manifest, cache_dir=cache)["labels-idx1-ubyte"] == LABELS
    # Same size, different bytes: caught by the SHA-256, not the size.
    path.write_bytes(LABELS[:-1] + b"\x09")
    with pytest.warns(UserWarning, match=str(path)):
        fetch("digits", manifest=manifest, cache_dir=cache)
    assert path.read_bytes() == LABELS
    # The right bytes with more after them: the whole file is read, not the manifest's size.
    path.write_bytes(LABELS + b"\x00")
    with pytest.warns(UserWarning, match=str(path)):
        fetch("digits", manifest=manifest, cache_dir=cache)
    assert path.read_bytes() == LABELS
    assert server.hits == ["/labels.gz"] * 4


def test_corrupted_cache_file_is_deleted_even_when_it_cannot_be_replaced(cache):
    manifest = make_manifest([closed_port_url("/labels.gz")])
    (cache / "digits").mkdir(parents=True)
    (cache / "digits" / "labels-idx1-ubyte").write_bytes(LABELS[:-1])
    with pytest.warns(UserWarning), pytest.raises(DataError):
        fetch("digits", manifest=manifest, cache_dir=cache)
    assert files_in(cache) == []


def test_unknown_dataset(cache):
    with pytest.raises(ValueError, match="'digits', 'letters'"):
        fetch("nope", manifest=make_manifest(), cache_dir=cache)


def test_cache_dir_defaults_to_data_cache_and_follows_env(monkeypatch, tmp_path):
    monkeypatch.delenv("LESSON5_DATA_DIR", raising=False)
    assert default_cache_dir() == REPO / "data" / "cache"
    monkeypatch.setenv("LESSON5_DATA_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path


def test_an_installed_copy_caches_where_data_readme_says_on_windows(monkeypatch, tmp_path):
    # data/README.md: %LOCALAPPDATA%\lesson5\Cache. Simulated: platformdirs picks its
    # Windows class at import, and asks Windows for the folder.
    monkeypatch.delenv("LESSON5_DATA_DIR", raising=False)
    monkeypatch.setattr(download, "CHECKOUT", tmp_path)  # no checkout: an installed copy
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", lambda name: "LOCALAPPDATA")
    assert default_cache_dir().parts == ("LOCALAPPDATA", "lesson5", "Cache")
    assert "%LOCALAPPDATA%\\lesson5\\Cache" in (REPO / "data" / "README.md").read_text()


def _upper(manifest):
    spec = manifest["digits"]["sources"][0]["files"][0]
    spec["sha256"] = spec["sha256"].upper()


def _files(dataset, key, value):
    def change(manifest):
        manifest[dataset]["sources"][0]["files"][0][key] = value
    return change


def _source(dataset, key, value):
    def change(manifest):
        manifest[dataset]["sources"][0][key] = value
    return change


def _same_names(manifest):
    files = manifest["letters"]["sources"][0]["files"]
    files[1]["name"] = files[0]["name"]


@pytest.mark.parametrize("change, dataset, message", [
    (_upper, "digits", "sha256 must be 64 lowercase hexadecimal digits"),
    (_source("digits", "format", "gz"), "digits", "format must be one of gzip, zip, got 'gz'"),
    (lambda m: m["letters"]["sources"][0]["files"][0].pop("member"), "letters",
     "member (its path inside the zip) belongs to each file of a zip source"),
    (_files("digits", "size", "10"), "digits", "size must be a whole number of bytes, got '10'"),
    (_files("digits", "name", "../escaped"), "digits", "file name '../escaped' must be a plain name"),
    (_files("digits", "name", "sub/escaped"), "digits", "file name 'sub/escaped' must be a plain name"),
    (_files("digits", "name", ".hidden"), "digits", "file name '.hidden' must be a plain name"),
    (lambda m: m["digits"]["sources"][0]["files"].append(dict(m["digits"]["sources"][0]["files"][0], name="b")),
     "digits", "a gzip source holds one file"),
    (_same_names, "letters", "two files are named 'a.txt'"),
    (_source("digits", "files", []), "digits", "each source needs at least one file"),
    (lambda m: m["digits"]["sources"][0].pop("mirror"), "digits", "needs its path in a mirror"),
    (_source("digits", "mirror", "/etc/labels.gz"), "digits", "mirror '/etc/labels.gz' must be a path inside"),
    (_source("digits", "mirror", "digits/../../labels.gz"), "digits", "must be a path inside the mirror folder"),
    (_source("letters", "mirror", "letters\\tiny.zip"), "letters", "relative, with '/' between its parts"),
    (_source("letters", "mirror", "C:letters.zip"), "letters", "no '..' and no drive"),
], ids=["uppercase-sha256", "format", "zip-without-member", "size-as-text", "name-with-folder", "name-in-a-folder",
        "hidden-name", "gzip-with-two-files", "same-name", "no-files", "no-mirror", "absolute-mirror",
        "mirror-outside", "mirror-backslash", "mirror-on-a-drive"])
def test_a_manifest_mistake_is_named_as_one_and_the_cache_is_left_alone(cache, change, dataset, message):
    manifest = make_manifest()
    good = cache / "digits" / "labels-idx1-ubyte"
    good.parent.mkdir(parents=True)
    good.write_bytes(LABELS)
    change(manifest)
    with pytest.raises(DataError, match=rf"entry for '{dataset}' is not valid: .*{re.escape(message)}"):
        fetch(dataset, manifest=manifest, cache_dir=cache)
    # Not taken for a damaged file: the good copy is still there, and nothing was written.
    assert good.read_bytes() == LABELS
    assert files_in(cache) == ["digits/labels-idx1-ubyte"]


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist", "ml-100k"])
def test_a_credit_line_names_the_dataset_its_makers_licence_and_paper(name):
    entry = load_manifest()[name]
    line = credit_line(name)
    for field in ("title", "credit", "homepage", "licence", "citation"):
        assert entry[field] in line
    assert "\n" not in line


def test_a_credit_line_for_an_unknown_dataset_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown dataset 'movielens'; the manifest lists .*'ml-100k'"):
        credit_line("movielens")


def test_real_manifest_is_complete():
    manifest = load_manifest()
    assert set(manifest) == {"mnist", "fashion-mnist", "ml-100k"}
    for dataset in manifest.values():
        assert all(dataset[key] for key in ("title", "licence", "credit", "citation", "homepage"))
        for source in dataset["sources"]:
            assert source["urls"] and all(url.startswith(("http://", "https://")) for url in source["urls"])
            assert source["format"] in {"gzip", "zip"}
            assert (source["format"] == "gzip") == (len(source["files"]) == 1)
            for spec in source["files"]:
                assert re.fullmatch(r"[0-9a-f]{64}", spec["sha256"])
                assert isinstance(spec["size"], int) and spec["size"] > 0
                assert ("member" in spec) == (source["format"] == "zip")
    # Package data, so that an installed copy of the package has it too.
    assert (Path(download.__file__).parent / "datasets.toml").is_file()
    assert not (REPO / "data" / "datasets.toml").exists()


# Faults: each is bounded in bytes and time, and named in a DataError that says what to do.


def test_endless_body_is_cut_at_the_download_limit(server, cache):
    server.endless.add("/labels.gz")
    start = time.monotonic()
    with pytest.raises(DataError, match="sent more than") as error:
        fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache)
    assert server.url("/labels.gz") in str(error.value)
    assert time.monotonic() - start < 10
    # The limit is twice the content's size plus 1 MiB, named in the error; what the socket
    # buffers add on top of it is small.
    assert f"sent more than {2 * len(LABELS) + (1 << 20)} bytes" in str(error.value)
    assert server.sent < 8 << 20
    assert files_in(cache) == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/labels.gz"])
def test_only_http_and_https_urls_are_downloaded(cache, url):
    with pytest.raises(DataError, match="only http:// and https:// URLs are downloaded"):
        fetch("digits", manifest=make_manifest([url]), cache_dir=cache)
    assert files_in(cache) == []


def test_announced_size_over_the_limit_is_refused_unread(server, cache):
    server.files["/labels.gz"] = GZ
    server.headers["/labels.gz"] = {"Content-Length": str(1 << 30)}
    with pytest.raises(DataError, match=f"announces {1 << 30} bytes"):
        fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache)


def test_gzip_bomb_is_decompressed_one_byte_past_the_expected_size(cache, tmp_path, monkeypatch):
    bomb = gzip.compress(bytes(64 << 20), compresslevel=9)  # 64 KiB that expand to 64 MiB
    assert len(bomb) < 128 << 10
    mirror = make_mirror(tmp_path / "mirror", gz=bomb)
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(mirror))
    with pytest.raises(DataError, match=f"bytes, got more than {len(LABELS)} bytes") as error:
        fetch("digits", manifest=make_manifest(), cache_dir=cache)
    assert str(mirror / "digits" / "labels-idx1-ubyte.gz") in str(error.value)
    # The hash of the bytes read, a prefix, would match no checksum tool's.
    assert str(error.value).count("SHA-256") == 1
    assert files_in(cache) == []


def test_zip_member_bomb_is_read_one_byte_past_the_expected_size(cache, tmp_path, monkeypatch):
    bomb = _zip({"tiny/a.txt": bytes(64 << 20), "tiny/b.txt": MEMBERS["tiny/b.txt"]})
    mirror = make_mirror(tmp_path / "mirror", zip_bytes=bomb)
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(mirror))
    with pytest.raises(DataError, match=f"got more than {len(MEMBERS['tiny/a.txt'])} bytes"):
        fetch("letters", manifest=make_manifest(), cache_dir=cache)


@pytest.fixture
def short_deadline(monkeypatch):
    monkeypatch.setattr(download, "DEADLINE_S", 0.5, raising=False)


def test_trickling_server_meets_the_deadline_then_the_next_url_is_tried(server, cache, short_deadline):
    server.trickle.add("/slow/labels.gz")
    server.files["/fast/labels.gz"] = GZ
    manifest = make_manifest([server.url("/slow/labels.gz"), server.url("/fast/labels.gz")])
    start = time.monotonic()
    content = fetch("digits", manifest=manifest, cache_dir=cache)
    # The trickle would last 5 s; the deadline gives up on it after 0.5 s.
    assert time.monotonic() - start < 3
    assert content["labels-idx1-ubyte"] == LABELS
    assert server.hits == ["/slow/labels.gz", "/fast/labels.gz"]


@pytest.mark.parametrize("slow_headers", [False, True], ids=["body", "headers"])
def test_deadline_is_named_in_the_error(server, cache, short_deadline, slow_headers):
    server.trickle.add("/slow/labels.gz")
    if slow_headers:
        server.slow_headers.add("/slow/labels.gz")
    start = time.monotonic()
    with pytest.raises(DataError, match=r"took more than 0.5 s, the time allowed for this file\n"):
        fetch("digits", manifest=make_manifest([server.url("/slow/labels.gz")]), cache_dir=cache)
    assert time.monotonic() - start < 3
    assert files_in(cache) == []


def test_a_large_file_gets_the_time_its_content_takes_at_the_slowest_rate_allowed():
    # A slow connection still gets Fashion-MNIST's training images; a bad source is bounded.
    assert download._deadline({"files": [{"size": 10}]}) == download.DEADLINE_S
    hour = 3600 * download.MIN_RATE
    assert download._deadline({"files": [{"size": hour // 2}, {"size": hour // 2}]}) == 3600


def test_a_download_is_given_the_time_its_size_allows(server, cache, short_deadline, monkeypatch):
    # A rate at which the test's file takes 1 s: longer than the (shortened) deadline.
    monkeypatch.setattr(download, "MIN_RATE", len(LABELS))
    server.trickle.add("/slow/labels.gz")
    start = time.monotonic()
    with pytest.raises(DataError, match=r"took more than 1 s, the time allowed for this file \(its content's size at"):
        fetch("digits", manifest=make_manifest([server.url("/slow/labels.gz")]), cache_dir=cache)
    assert 1 <= time.monotonic() - start < 4


def test_gz_served_with_content_encoding_gzip_is_kept_as_sent(server, cache):
    # A common server setting for .gz files: the file as it is, labelled as gzip-encoded.
    server.files["/labels.gz"] = GZ
    server.headers["/labels.gz"] = {"Content-Encoding": "gzip"}
    assert fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache) == {
        "labels-idx1-ubyte": LABELS}


def test_stale_part_files_are_removed_and_fresh_ones_kept(server, cache):
    folder = cache / "digits"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".labels-idx1-ubyte.gz.dead.part", folder / ".labels-idx1-ubyte.gz.live.part"
    stale.write_bytes(b"x" * 1000)
    fresh.write_bytes(b"y" * 1000)  # as if another process were downloading right now
    long_ago = time.time() - 3 * download.TIMEOUT_S
    os.utime(stale, (long_ago, long_ago))
    server.files["/labels.gz"] = GZ
    fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache)
    assert files_in(cache) == ["digits/.labels-idx1-ubyte.gz.live.part", "digits/labels-idx1-ubyte"]


def test_a_slow_download_keeps_its_temporary_file_fresh(tmp_path):
    # Other processes delete a .part file untouched for STALE_S: a live download must not look
    # dead because its bytes wait in a write buffer.
    path = tmp_path / ".labels.gz.live.part"
    seen = []

    class Trickle:
        headers = {}
        chunks = iter([b"x" * 100] * 5)

        def read1(self, size):
            seen.append(path.stat().st_mtime_ns)
            time.sleep(0.05)
            return next(self.chunks, b"")

    download._save_body("http://example.org/labels.gz", Trickle(), path, 1000)
    assert len(seen) == 6
    assert all(before < after for before, after in zip(seen, seen[1:])), seen


def test_a_rename_failing_part_way_leaves_verified_files_and_a_rerun_completes_the_set(cache, tmp_path, monkeypatch):
    # What _install promises: never a partial or unverified file, though maybe not every file.
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(make_mirror(tmp_path / "mirror")))
    replace, calls = os.replace, []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        replace(src, dst)

    monkeypatch.setattr(download.os, "replace", second_fails)
    with pytest.raises(DataError, match="Could not put in place .*b.txt: Input/output error"):
        fetch("letters", manifest=make_manifest(), cache_dir=cache)
    assert files_in(cache) == ["letters/a.txt"]
    assert (cache / "letters" / "a.txt").read_bytes() == MEMBERS["tiny/a.txt"]
    monkeypatch.setattr(download.os, "replace", replace)
    assert fetch("letters", manifest=make_manifest(), cache_dir=cache)["b.txt"] == MEMBERS["tiny/b.txt"]
    assert files_in(cache) == ["letters/a.txt", "letters/b.txt"]


def test_damaged_file_replaced_meanwhile_by_another_process_is_kept(cache, monkeypatch):
    # This process reads a damaged cache file; before it deletes it, another process installs
    # a good copy. Deleting by name would delete the good copy.
    path = cache / "digits" / "labels-idx1-ubyte"
    path.parent.mkdir(parents=True)
    path.write_bytes(LABELS[:-1])
    real_discard = download._discard

    def other_process_installs_a_good_copy(*args):
        good = path.parent / "good.tmp"
        good.write_bytes(LABELS)
        os.replace(good, path)
        return real_discard(*args)

    monkeypatch.setattr(download, "_discard", other_process_installs_a_good_copy)
    with warnings.catch_warnings():
        # Nothing damaged is left to warn about: the good copy is read on the second look.
        warnings.simplefilter("error")
        # No URL works: the good copy is all there is.
        content = fetch("digits", manifest=make_manifest([closed_port_url("/labels.gz")]), cache_dir=cache)
    assert content == {"labels-idx1-ubyte": LABELS}
    assert path.read_bytes() == LABELS


def test_a_damaged_cache_file_is_deleted_where_warnings_are_errors(cache):
    # Under -W error the warning is raised: the file must be gone by then, or every later run
    # fails on it the same way.
    path = cache / "digits" / "labels-idx1-ubyte"
    path.parent.mkdir(parents=True)
    path.write_bytes(LABELS[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="deleting it"):
            fetch("digits", manifest=make_manifest([closed_port_url("/labels.gz")]), cache_dir=cache)
    assert files_in(cache) == []


def _odd_zip(patch):
    """The tiny zip with a.txt's headers changed by `patch(local_header, central_header)`, both bytearrays."""
    data = bytearray(_zip({"tiny/a.txt": MEMBERS["tiny/a.txt"], "tiny/b.txt": MEMBERS["tiny/b.txt"]}))
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    header_l, header_c = data[local:local + 30], data[central:central + 46]
    patch(header_l, header_c)
    data[local:local + 30], data[central:central + 46] = header_l, header_c
    return bytes(data)


def _method(method):
    def patch(local, central):
        local[8:10] = central[10:12] = struct.pack("<H", method)
    return patch


def _encrypted(local, central):
    local[6:8] = central[8:10] = struct.pack("<H", 1)


def _version(local, central):
    local[4:6] = central[6:8] = struct.pack("<H", 99)


@pytest.mark.parametrize("patch, what", [
    (_method(99), "NotImplementedError"),
    (_method(12), "OSError"),  # claims bzip2, holds deflate
    (_encrypted, "RuntimeError"),
    (_version, "NotImplementedError"),
], ids=["unknown-method", "wrong-method", "encrypted", "future-version"])
def test_odd_zip_members_are_named_data_errors(cache, tmp_path, monkeypatch, patch, what):
    mirror = make_mirror(tmp_path / "mirror", zip_bytes=_odd_zip(patch))
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(mirror))
    with pytest.raises(DataError, match=f"not a valid zip file .*\\(({what}):") as error:
        fetch("letters", manifest=make_manifest(), cache_dir=cache)
    assert str(mirror / "letters.zip") in str(error.value)
    assert "Put a good copy at" in str(error.value)
    assert files_in(cache) == []


@pytest.mark.parametrize("variable", ["LESSON5_DATA_MIRROR", "LESSON5_DATA_DIR"])
def test_relative_paths_in_the_environment_are_refused(cache, tmp_path, monkeypatch, variable):
    monkeypatch.chdir(tmp_path)
    make_mirror(tmp_path / "mirror")
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv(variable, "mirror" if variable == "LESSON5_DATA_MIRROR" else "cache")
    with pytest.raises(DataError, match=f"{variable} is '.*', a relative path.*absolute path") as error:
        fetch("digits", manifest=make_manifest(), cache_dir=None if variable == "LESSON5_DATA_DIR" else cache)
    assert 'export ' + variable + '="$PWD/' in str(error.value)
    assert not (tmp_path / "cache" / "digits" / "labels-idx1-ubyte").exists()


@pytest.mark.parametrize("variable", ["LESSON5_DATA_MIRROR", "LESSON5_DATA_DIR"])
@pytest.mark.parametrize("padding", [" {}", "{}\n"], ids=["leading-space", "trailing-newline"])
def test_white_space_around_a_path_in_the_environment_is_named(cache, tmp_path, monkeypatch, variable, padding):
    # Not stripped silently: the setting is the user's to fix, and the message shows how.
    mirror = make_mirror(tmp_path / "mirror")
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(mirror))
    value = str(mirror if variable == "LESSON5_DATA_MIRROR" else tmp_path / "cache")
    monkeypatch.setenv(variable, padding.format(value))
    with pytest.raises(DataError) as error:
        fetch("digits", manifest=make_manifest(), cache_dir=None if variable == "LESSON5_DATA_DIR" else cache)
    message = str(error.value)
    assert f"{variable} is {padding.format(value)!r}, with white space around it: remove it" in message
    assert f'export {variable}="{value}"' in message and "$PWD" not in message


def test_file_url_with_a_relative_path_is_shown_its_absolute_form(cache, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_mirror(tmp_path / "mirror")
    monkeypatch.setenv("LESSON5_DATA_MIRROR", "file:mirror")
    with pytest.raises(DataError, match="'file:mirror', a file URL with a relative path.*file:///absolute/") as error:
        fetch("digits", manifest=make_manifest(), cache_dir=cache)
    assert "$PWD/file:" not in str(error.value)


def test_file_url_on_another_host_is_refused(cache, tmp_path, monkeypatch):
    make_mirror(tmp_path / "mirror")
    monkeypatch.setenv("LESSON5_DATA_MIRROR", f"file://otherhost{tmp_path / 'mirror'}")
    with pytest.raises(DataError, match="on the host 'otherhost'.*file:///"):
        fetch("digits", manifest=make_manifest(), cache_dir=cache)
    monkeypatch.setenv("LESSON5_DATA_MIRROR", f"file://localhost{tmp_path / 'mirror'}")
    assert fetch("digits", manifest=make_manifest(), cache_dir=cache) == {"labels-idx1-ubyte": LABELS}


def test_cache_under_a_file_is_named_with_the_hint(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("not a folder")
    make_mirror(tmp_path / "mirror")
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(DataError, match="Could not create the cache folder") as error:
        fetch("digits", manifest=make_manifest(), cache_dir=tmp_path / "a-file" / "cache")
    assert str(tmp_path / "a-file" / "cache" / "digits") in str(error.value)
    assert f"{tmp_path / 'a-file'} is a file, where the cache needs a folder" in str(error.value)
    assert "LESSON5_DATA_DIR" in str(error.value)


def test_a_file_where_the_datasets_cache_folder_should_be_is_named(cache, tmp_path, monkeypatch):
    cache.mkdir()
    (cache / "digits").write_text("in the way")
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(make_mirror(tmp_path / "mirror")))
    with pytest.raises(DataError) as error:
        fetch("digits", manifest=make_manifest(), cache_dir=cache)
    message = str(error.value)
    assert f"{cache / 'digits'} is a file, where the cache needs a folder: move that file" in message
    # Not the general hint, which warns of the opposite problem.
    assert "no folder where a file should be" not in message and "File exists" not in message
    assert (cache / "digits").read_text() == "in the way"


def test_folder_where_a_cached_file_should_be_is_named(cache, tmp_path, monkeypatch):
    (cache / "digits" / "labels-idx1-ubyte").mkdir(parents=True)
    make_mirror(tmp_path / "mirror")
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(DataError, match="is a folder, but the cache keeps the file labels-idx1-ubyte there: "
                                        "remove that folder") as error:
        fetch("digits", manifest=make_manifest(), cache_dir=cache)
    assert str(cache / "digits" / "labels-idx1-ubyte") in str(error.value)


def test_read_only_cache_is_named_with_the_hint(cache, tmp_path):
    (cache / "digits").mkdir(parents=True)
    (cache / "digits").chmod(0o555)
    mirror = make_mirror(tmp_path / "mirror")
    script = ("from lesson5.download import fetch\n"
              f"fetch('digits', manifest={make_manifest()!r}, cache_dir={str(cache)!r})\n")
    try:
        result = _bound_by_file_permissions(script, {"LESSON5_DATA_MIRROR": str(mirror)})
    finally:
        (cache / "digits").chmod(0o755)
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"lesson5.errors.CacheError: Could not write {cache / 'digits'}/.labels-idx1-ubyte.")
    assert "Permission denied" in last and "LESSON5_DATA_DIR" in last
    assert files_in(cache) == []


def test_full_disk_is_named_with_the_hint(cache, tmp_path):
    # A real write failure: the child may write files of at most 1 KiB (RLIMIT_FSIZE), and
    # the downloaded archive is larger, as a disk that fills up part-way would be.
    content = bytes(range(256)) * 64
    spec = {"name": "big", "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "big.gz").write_bytes(gzip.compress(content))
    script = (
        "import resource, signal\n"
        "from lesson5.download import fetch\n"
        "manifest = {'big': {'sources': [{'urls': [], 'mirror': 'big.gz', 'format': 'gzip', "
        f"'files': [{spec!r}]}}]}}}}\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
        f"fetch('big', manifest=manifest, cache_dir={str(cache)!r})\n")
    env = {**os.environ, "LESSON5_DATA_MIRROR": str(mirror)}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("lesson5.errors.CacheError: Could not write " + str(cache / "big" / ".big."))
    assert "File too large" in last and "free space" in last and "LESSON5_DATA_DIR" in last
    assert files_in(cache) == []


def test_disk_that_fills_on_the_last_buffered_bytes_of_a_download_is_the_caches_failure(server, cache):
    # Smaller than the write buffer, the whole download reaches the disk only when its file is
    # closed; the child may write at most 1 KiB. The second URL must not be tried: it would
    # fill the same disk.
    content = b"".join(hashlib.sha256(bytes([i])).digest() for i in range(100))
    server.files["/big.gz"] = gzip.compress(content)
    spec = {"name": "big", "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    manifest = {"big": {"sources": [{"urls": [server.url("/big.gz"), server.url("/again.gz")],
                                     "mirror": "big.gz", "format": "gzip", "files": [spec]}]}}
    script = (
        "import resource, signal\n"
        "from lesson5.download import fetch\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
        f"fetch('big', manifest={manifest!r}, cache_dir={str(cache)!r})\n")
    env = {key: value for key, value in os.environ.items() if key != "LESSON5_DATA_MIRROR"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                            check=False)
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("lesson5.errors.CacheError: Could not write " + str(cache / "big" / ".big.gz."))
    assert "File too large" in last and "LESSON5_DATA_DIR" in last
    assert server.hits == ["/big.gz"]
    assert files_in(cache) == []


def test_a_cache_failure_is_a_public_kind_of_data_error():
    # It shows in tracebacks, and a caller may catch it: a failure no other source would avoid.
    from lesson5 import errors

    assert download.CacheError is errors.CacheError and issubclass(errors.CacheError, DataError)
    assert "CacheError" in download.__all__


def test_list_command_prints_every_mirror_path_with_its_urls(capsys, monkeypatch):
    monkeypatch.setattr(download, "fetch", lambda *a, **k: pytest.fail("--list must not fetch"))
    assert download.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    sources = [source for entry in load_manifest().values() for source in entry["sources"]]
    assert [line.split("\t") for line in lines] == [[s["mirror"], " ".join(s["urls"])] for s in sources]
    assert "ml-100k.zip" in [line.split("\t")[0] for line in lines]


def test_a_downloaded_archive_that_cannot_be_read_back_is_the_caches_failure(server, cache, monkeypatch):
    server.files["/first/labels.gz"] = server.files["/second/labels.gz"] = GZ

    def failing_disk(path, *args, **kwargs):
        raise OSError(5, "Input/output error", str(path))

    monkeypatch.setattr(download.gzip, "open", failing_disk)
    manifest = make_manifest([server.url("/first/labels.gz"), server.url("/second/labels.gz")])
    with pytest.raises(DataError, match="Input/output error") as error:
        fetch("digits", manifest=manifest, cache_dir=cache)
    assert str(error.value).startswith(f"Could not read {cache / 'digits'}/.labels-idx1-ubyte.gz.")
    assert "LESSON5_DATA_DIR" in str(error.value) and "http" not in str(error.value)
    assert server.hits == ["/first/labels.gz"]
    assert files_in(cache) == []


def test_check_command_reports_every_file_that_cannot_be_had(tmp_path):
    (tmp_path / "empty").mkdir()
    env = {**os.environ, "LESSON5_DATA_MIRROR": str(tmp_path / "empty"), "LESSON5_DATA_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "lesson5.download", "--check"], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    # One line per source file, not only each dataset's first: one run shows all a mirror lacks.
    sources = [(name, source["mirror"]) for name, entry in load_manifest().items() for source in entry["sources"]]
    assert [line.split(":")[1].strip() for line in lines] == [name for name, _ in sources]
    assert all("LESSON5_DATA_MIRROR is set to" in line and "does not exist" in line for line in lines)
    assert all(str(tmp_path / "empty" / path) in line for line, (_, path) in zip(lines, sources))


def test_check_command_checks_the_datasets_named(tmp_path, monkeypatch, capsys):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(tmp_path / "empty"))
    monkeypatch.setenv("LESSON5_DATA_DIR", str(tmp_path / "cache"))
    assert download.main(["--check", "ml-100k"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lesson5.download: ml-100k: LESSON5_DATA_MIRROR is set to")
    with pytest.raises(SystemExit) as exit_:
        download.main(["--check", "mnist", "nope"])
    assert exit_.value.code == 2
    # Python 3.12.8 and 3.13.1 stopped quoting the choices; the names are there either way.
    err = capsys.readouterr().err
    assert "invalid choice: 'nope'" in err
    assert all(name in err.split("choose from", 1)[1] for name in ("mnist", "fashion-mnist", "ml-100k"))


def test_check_command_prints_a_damaged_file_warning_as_its_own_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(download, "load_manifest", make_manifest)
    monkeypatch.setenv("LESSON5_DATA_MIRROR", str(make_mirror(tmp_path / "mirror")))
    monkeypatch.setenv("LESSON5_DATA_DIR", str(tmp_path / "cache"))
    damaged = tmp_path / "cache" / "digits" / "labels-idx1-ubyte"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(LABELS[:-1])
    with warnings.catch_warnings(record=True) as caught:
        assert download.main(["--check", "digits"]) == 0
    out, err = capsys.readouterr()
    assert out == "lesson5.download: digits: ok\n"
    # Not Python's form, whose file and line are runpy's under `python -m`.
    assert err == (f"lesson5.download: digits: warning: {damaged} does not match its size and SHA-256 in the "
                   "manifest (damaged or truncated); deleting it and fetching it again\n")
    assert caught == [] and damaged.read_bytes() == LABELS


def test_an_unknown_option_is_named_as_such(capsys):
    for argv, message in [(["--bogus"], "unrecognized arguments: --bogus"),
                          (["--check", "--bogus"], "unrecognized arguments: --bogus"),
                          ([], "one of the arguments --check --list is required")]:
        with pytest.raises(SystemExit) as exit_:
            download.main(argv)
        assert exit_.value.code == 2
        assert message in capsys.readouterr().err


def test_parser_does_not_import_the_downloader():
    # lesson5.idx raises DataError without pulling in the downloader and its HTTP machinery.
    code = "import sys, lesson5.idx; print(sorted({'lesson5.download', 'pooch', 'requests'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["lesson5.download", "lesson5.atomic"])
def test_a_module_that_needs_no_pytorch_is_imported_without_it(module):
    # `python -m lesson5.download --check` (scripts/test.sh) and scripts/kernel.py, run by every
    # script through setup.sh, took a second each importing PyTorch with the package.
    code = f"import sys, {module}; from lesson5 import glue; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "False"


def test_the_names_that_need_pytorch_are_imported_on_first_use():
    # glue stays the function, though a module of that name was imported first.
    code = ("import sys; from lesson5.glue import glue_output; import lesson5; print('torch' in sys.modules, "
            "lesson5.seed_everything.__module__, type(lesson5.glue).__name__, 'torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split() == ["False", "lesson5.seed", "function", "True"]


def test_a_name_the_package_no_longer_re_exports_says_where_to_import_it_from():
    import lesson5

    with pytest.raises(ImportError, match="re-exports DataLoaders: from lesson5.loaders import DataLoaders"):
        _ = lesson5.DataLoaders
    # The form a notebook used: Python's own "cannot import name" said nothing of where it went.
    with pytest.raises(ImportError, match="re-exports Learner: from lesson5.learner import Learner"):
        from lesson5 import Learner  # noqa: F401
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = lesson5.nothing


def test_the_corruption_warning_points_at_the_code_that_asked_for_the_data(server, cache):
    server.files["/labels.gz"] = GZ
    manifest = make_manifest([server.url("/labels.gz")])
    # A stand-in for a loader of lesson5.datasets: its code is filed under the package's folder,
    # which is how the warning tells the package's frames from the caller's.
    loader = {}
    exec(compile("def load_digits(fetch, **kw):\n    return fetch('digits', **kw)\n",
                 os.path.join(os.path.dirname(download.__file__), "stand_in_loader.py"), "exec"), loader)
    damaged = cache / "digits" / "labels-idx1-ubyte"

    fetch("digits", manifest=manifest, cache_dir=cache)
    damaged.write_bytes(LABELS[:-1])
    with pytest.warns(UserWarning, match="deleting it") as caught:
        call_line = inspect.currentframe().f_lineno + 1
        loader["load_digits"](fetch, manifest=manifest, cache_dir=cache)
    assert (caught[0].filename, caught[0].lineno) == (__file__, call_line)

    # Called directly, as book/06_collab.ipynb calls it, the warning points at that call.
    damaged.write_bytes(LABELS[:-1])
    with pytest.warns(UserWarning, match="deleting it") as caught:
        call_line = inspect.currentframe().f_lineno + 1
        fetch("digits", manifest=manifest, cache_dir=cache)
    assert (caught[0].filename, caught[0].lineno) == (__file__, call_line)


def test_dataset_files_made_in_the_checkout_are_ignored_by_git(monkeypatch):
    # MovieLens forbids passing its files on: the cache the package keeps in a checkout, and
    # a mirror made where the README puts one, must not be committed by a `git add .`.
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    monkeypatch.delenv("LESSON5_DATA_DIR", raising=False)
    cache = default_cache_dir().relative_to(REPO)
    manifest = load_manifest()
    sources = [source for dataset in manifest.values() for source in dataset["sources"]]
    paths = [f"mirror/{source['mirror']}" for source in sources]
    paths += [(cache / name / spec["name"]).as_posix() for name, dataset in manifest.items()
              for source in dataset["sources"] for spec in source["files"]]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=REPO,
                             capture_output=True, text=True).stdout.split()
    assert sorted(ignored) == sorted(paths)


def test_a_redirect_is_followed_to_http_only(server, cache):
    # urllib would follow one to ftp://, where no deadline watches the connection.
    server.files["/labels.gz"] = GZ
    server.moved["/old.gz"] = server.url("/labels.gz")
    assert fetch("digits", manifest=make_manifest([server.url("/old.gz")]), cache_dir=cache) == {
        "labels-idx1-ubyte": LABELS}
    server.moved["/ftp.gz"] = "ftp://127.0.0.1:1/labels.gz"
    with pytest.raises(DataError, match="redirected to ftp://127.0.0.1:1/labels.gz, which is not http or https"):
        fetch("digits", manifest=make_manifest([server.url("/ftp.gz")]), cache_dir=cache.parent / "second")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_where_the_cache_keeps_a_file_is_named_not_waited_on(server, cache):
    (cache / "digits").mkdir(parents=True)
    os.mkfifo(cache / "digits" / "labels-idx1-ubyte")
    with pytest.raises(DataError, match="labels-idx1-ubyte is not a regular file.*remove it"):
        fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache)


def test_a_damaged_file_that_another_process_clears_meanwhile_is_fetched_again(server, cache, monkeypatch):
    server.files["/labels.gz"] = GZ
    damaged = cache / "digits" / "labels-idx1-ubyte"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"damaged")
    rename = os.rename

    def set_aside_then_cleared(src, dst):
        rename(src, dst)
        # Another process, starting, clears temporary files it takes for a dead download's.
        os.unlink(dst)

    monkeypatch.setattr(download.os, "rename", set_aside_then_cleared)
    with pytest.warns(UserWarning, match="damaged or truncated"):
        content = fetch("digits", manifest=make_manifest([server.url("/labels.gz")]), cache_dir=cache)
    assert content == {"labels-idx1-ubyte": LABELS}
