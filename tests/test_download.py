"""lesson5.download against a real HTTP server on 127.0.0.1 and local mirror folders.

Every test uses its own manifest and cache folder, never the real ones. Servers that misbehave
(endless, trickling) stop by themselves after a few seconds, so no test can hang.
"""

import gzip
import hashlib
import http.server
import io
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from pathlib import Path

import pytest

from lesson5 import download
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
    `headers` (path -> dict) adds response headers. A path in `endless` gets bytes without end
    (64 MiB at most) and one in `trickle` one byte every 50 ms (5 s at most); `sent` counts
    the bytes of their bodies that reached the socket.
    """

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.files, self.cut, self.hits, self.headers = {}, set(), [], {}
        self.endless, self.trickle, self.sent = set(), set(), 0

    def url(self, path):
        return f"http://127.0.0.1:{self.server_port}{path}"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path in self.server.endless | self.server.trickle:
            self._misbehave()
            return
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        cut = self.path in self.server.cut
        self.send_response(200)
        self.send_header("Content-Length", str(2 * len(body) if cut else len(body)))
        for name, value in self.server.headers.get(self.path, {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _misbehave(self):
        self.close_connection = True
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
    with pytest.raises(DataError, match=problem) as error:
        fetch(dataset, manifest=make_manifest(), cache_dir=cache)
    archive = "digits/labels-idx1-ubyte.gz" if dataset == "digits" else "letters.zip"
    assert str(mirror / archive) in str(error.value)
    assert files_in(cache) == []  # not even the zip's good member a.txt


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
    assert server.hits == ["/labels.gz"] * 3


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


def test_real_manifest_is_complete():
    manifest = load_manifest()
    assert set(manifest) == {"mnist", "fashion-mnist", "ml-100k"}
    for dataset in manifest.values():
        assert all(dataset[key] for key in ("title", "licence", "citation", "homepage"))
        for source in dataset["sources"]:
            assert source["urls"] and all(url.startswith(("http://", "https://")) for url in source["urls"])
            assert source["format"] in {"gzip", "zip"}
            assert (source["format"] == "gzip") == (len(source["files"]) == 1)
            for spec in source["files"]:
                assert len(spec["sha256"]) == 64 and int(spec["sha256"], 16) >= 0
                assert isinstance(spec["size"], int) and spec["size"] > 0
                assert ("member" in spec) == (source["format"] == "zip")
    # Package data, so that an installed copy of the package has it too.
    assert (Path(download.__file__).parent / "datasets.toml").is_file()
    assert not (REPO / "data" / "datasets.toml").exists()
