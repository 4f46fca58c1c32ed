"""Fetching URLs: only http(s), only public addresses (after resolution, on every redirect), within
the size and total time limits; a newsroom's intranet host only when allowed. Against a real local
server on 127.0.0.1, no network."""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from factcheck import fetch
from factcheck.config import Settings
from factcheck.errors import FactcheckError, SourceError
from factcheck.fetch import fetch_bytes
from factcheck.ingest import fetch_url, is_url_list, load_sources

PAGE = (Path(__file__).resolve().parent / "pages" / "harbour_bridge.html").read_bytes()
SAVE_INSTEAD = "save the page as .html into sources/ instead"
DEFAULTS = Settings()
# Seconds between the bytes of a trickling server, and how many it sends before giving up.
TRICKLE_PAUSE, TRICKLE_BYTES = 0.2, 15


class Handler(BaseHTTPRequestHandler):
    """/page the article; /host the Host header received; /redirect?to=URL; /loop; /big?n=N[&length=no];
    /trickle-body and /trickle-headers: one byte every TRICKLE_PAUSE seconds."""

    def do_GET(self):  # http.server's name for the GET handler
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.server.seen.append(parts.path)
        if parts.path == "/page":
            self.answer(PAGE)
        elif parts.path == "/host":
            self.answer(self.headers["Host"].encode())
        elif parts.path in ("/redirect", "/loop"):
            self.send_response(302)
            self.send_header("Location", query.get("to", "/loop"))
            self.end_headers()
        elif parts.path == "/big":
            self.answer(b"x" * int(query["n"]), length=query.get("length") != "no")
        elif parts.path == "/trickle-body":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.trickle(b"x")
        elif parts.path == "/trickle-headers":
            self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
            self.trickle(b"a")
        else:
            self.send_error(404)

    def answer(self, body: bytes, *, length: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def trickle(self, byte: bytes) -> None:
        try:
            for _ in range(TRICKLE_BYTES):
                self.wfile.write(byte)
                self.wfile.flush()
                time.sleep(TRICKLE_PAUSE)
        except OSError:  # the client hung up, as it should
            pass

    def log_message(self, *args):
        pass


class Site:
    """A local web server in a thread; ``seen`` holds the paths it was asked for."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.seen = []
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    @property
    def seen(self) -> list[str]:
        return self.server.seen

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def allowed(self, **changes) -> Settings:
        """Settings that allow this server (and only its port), with ``changes``."""
        return Settings(fetch_allow_hosts=(f"127.0.0.1:{self.port}",), **changes)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    server = Site()
    yield server
    server.close()


def refusal(url: str, settings: Settings = DEFAULTS) -> str:
    """The one-line error of fetching ``url``."""
    with pytest.raises(SourceError) as info:
        fetch_bytes(url, settings)
    text = str(info.value)
    assert "\n" not in text and text.startswith(url + ": ")
    return text


def answers(mapping: dict[str, list[str]]):
    """A stand-in for ``fetch.resolve``: each name's addresses as ``getaddrinfo`` gives them."""
    def resolve(host, port, timeout):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port, 0, 0) if ":" in a else (a, port)) for a in mapping[host]]
    return resolve


# --- refused addresses -------------------------------------------------------------------------

def test_loopback_is_refused_with_one_line_before_connecting(site):
    text = refusal(site.url("/page"))
    assert "refused: 127.0.0.1 is a loopback address" in text
    assert SAVE_INSTEAD in text and f'add "127.0.0.1:{site.port}" to fetch_allow_hosts' in text
    assert site.seen == [], "nothing may be sent to a refused address"


@pytest.mark.parametrize("url, said", [
    ("http://2130706433/", "2130706433 resolves to 127.0.0.1, a loopback address"),
    ("http://0177.0.0.1/", "0177.0.0.1 resolves to 127.0.0.1, a loopback address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is a loopback address"),
    ("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is a private address"),
    ("http://10.0.0.1/", "10.0.0.1 is a private address"),
    ("http://172.16.8.1:8080/", "172.16.8.1 is a private address"),
    ("http://192.168.1.1/", "192.168.1.1 is a private address"),
    ("https://[fd12:3456::1]/", "fd12:3456::1 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
    ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"),
    ("http://169.254.10.1/", "169.254.10.1 is a link-local address"),
    ("http://[fe80::1]/", "fe80::1 is a link-local address"),
    ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
    ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
    ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
    ("http://100.64.0.1/", "100.64.0.1 is a non-public address"),
    ("http://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1 is a loopback address"),
])
def test_non_public_addresses_are_refused(url, said):
    text = refusal(url, Settings(fetch_timeout_seconds=2))
    assert f"refused: {said}" in text and SAVE_INSTEAD in text


def test_a_name_is_judged_by_its_addresses():
    text = refusal("http://localhost:8501/")  # 127.0.0.1 or ::1, whichever the system lists first
    assert "refused: localhost resolves to " in text and ", a loopback address" in text


def test_metadata_is_refused_even_for_an_allowed_host():
    text = refusal("http://169.254.169.254/latest/", Settings(fetch_allow_hosts=("169.254.169.254",)))
    assert "cloud metadata" in text and "fetch_allow_hosts" not in text


@pytest.mark.parametrize("url, scheme", [
    ("file:///etc/passwd", "file:"), ("javascript:alert(1)", "javascript:"), ("data:text/html,<p>hi</p>", "data:"),
    ("ftp://files.example/story.html", "ftp:"), ("gopher://127.0.0.1:70/", "gopher:"),
])
def test_other_schemes_are_refused(url, scheme):
    text = refusal(url)
    assert f"refused: {scheme} addresses are not fetched (only http and https)" in text and SAVE_INSTEAD in text


# --- name resolution: every address, checked once, connected to ---------------------------------

@pytest.mark.parametrize("addresses, said", [
    (["127.0.0.1"], "news.example resolves to 127.0.0.1, a loopback address"),
    (["93.184.216.34", "10.0.0.1"], "news.example resolves to 10.0.0.1, a private address"),
    (["2606:4700::1111", "::ffff:169.254.169.254"],
     "news.example resolves to ::ffff:169.254.169.254, a cloud metadata address"),
])
def test_a_public_name_resolving_to_a_private_address_is_refused(monkeypatch, addresses, said):
    monkeypatch.setattr(fetch, "resolve", answers({"news.example": addresses}))
    assert f"refused: {said}" in refusal("https://news.example/story")


def test_the_checked_address_is_the_one_connected_to_with_the_host_header_kept(site, monkeypatch):
    lookups = []

    def resolve(host, port, timeout):
        lookups.append(host)  # a second lookup could answer differently (DNS rebinding)
        return answers({"intranet.example": ["127.0.0.1"]})(host, port, timeout)

    monkeypatch.setattr(fetch, "resolve", resolve)
    settings = Settings(fetch_allow_hosts=("intranet.example",))
    # intranet.example has no address outside the stand-in: the page comes only by the checked one
    assert fetch_bytes(site.url("/host", host="intranet.example"), settings) == f"intranet.example:{site.port}".encode()
    assert lookups == ["intranet.example"]


# --- the allow-list ----------------------------------------------------------------------------

def test_a_page_is_fetched_when_its_host_is_allowed(site):
    assert fetch_bytes(site.url("/page"), site.allowed()) == PAGE
    src = fetch_url(site.url("/page"), site.allowed())
    assert (src.kind, src.outlet) == ("html", "Coastal Courier")


def test_the_allow_list_names_a_port(site):
    text = refusal(site.url("/page"), Settings(fetch_allow_hosts=("127.0.0.1:1",)))
    assert "127.0.0.1 is a loopback address" in text
    assert fetch_bytes(site.url("/page"), Settings(fetch_allow_hosts=("127.0.0.1",))) == PAGE


def test_a_malformed_allow_list_entry_is_an_error_not_ignored(site):
    with pytest.raises(SourceError, match=r"fetch_allow_hosts: 'http://127\.0\.0\.1' is not a host or host:port"):
        fetch_bytes(site.url("/page"), Settings(fetch_allow_hosts=("http://127.0.0.1",)))


@pytest.mark.parametrize("changes", [{"fetch_timeout_seconds": 0}, {"fetch_timeout_seconds": "10"},
                                     {"fetch_allow_hosts": "intranet.example"}])
def test_fetch_settings_are_checked(changes):
    with pytest.raises(FactcheckError, match=next(iter(changes))):
        Settings(**changes)


# --- redirects ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target, said", [
    ("http://127.0.0.2:{port}/page", "127.0.0.2 is a loopback address"),
    ("http://[::ffff:127.0.0.1]:{port}/page", "::ffff:127.0.0.1 is a loopback address"),
    ("http://2130706433:{port}/page", "2130706433 resolves to 127.0.0.1, a loopback address"),
    ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
    ("http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254 is a cloud metadata address"),
    ("file:///etc/passwd", "file: addresses are not fetched (only http and https)"),
    ("javascript:alert(1)", "javascript: addresses are not fetched"),
])
def test_a_redirect_from_an_allowed_server_to_a_refused_address_is_refused(site, target, said):
    target = target.format(port=site.port)
    url = site.url(f"/redirect?to={target}")
    text = refusal(url, site.allowed(fetch_timeout_seconds=2))
    assert f"refused: it redirects to {target}, and {said}" in text and SAVE_INSTEAD in text
    assert site.seen == ["/redirect"], "the refused target must not be asked"


def test_redirects_within_the_allowed_server_are_followed_a_few_times(site):
    assert fetch_bytes(site.url("/redirect?to=/page"), site.allowed()) == PAGE
    text = refusal(site.url("/loop"), site.allowed())
    assert f"more than {fetch.MAX_REDIRECTS} redirects" in text
    assert site.seen.count("/loop") == fetch.MAX_REDIRECTS + 1


# --- limits ------------------------------------------------------------------------------------

@pytest.mark.parametrize("declared", ["yes", "no"])
def test_a_page_over_the_size_limit_is_refused(site, declared):
    settings = site.allowed(max_source_bytes=1000)
    assert fetch_bytes(site.url(f"/big?n=1000&length={declared}"), settings) == b"x" * 1000
    text = refusal(site.url(f"/big?n=50000&length={declared}"), settings)
    assert "page is over the 1,000-byte limit" in text


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_a_trickling_server_is_cut_off_at_the_total_time_limit(site, path):
    started = time.monotonic()
    text = refusal(site.url(path), site.allowed(fetch_timeout_seconds=1))
    elapsed = time.monotonic() - started
    assert "could not fetch the page within 1 s (fetch_timeout_seconds)" in text
    assert 0.9 <= elapsed < 2.5, f"took {elapsed:.1f} s; each byte came within the socket's patience"


# --- https: the certificate and server name are the URL's host, not the address ------------------

@pytest.fixture
def tls_site(tmp_path, monkeypatch):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=news.example",
                    "-addext", "subjectAltName=DNS:news.example"], check=True, capture_output=True)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    names = []
    server_side.sni_callback = lambda sock, name, context: names.append(name)
    monkeypatch.setattr(fetch, "tls_context", lambda: ssl.create_default_context(cafile=str(cert)))
    server = Site(tls=server_side)
    server.names = names
    yield server
    server.close()


def test_https_to_a_checked_address_keeps_the_host_for_tls_and_the_host_header(tls_site, monkeypatch):
    monkeypatch.setattr(fetch, "resolve", answers({"news.example": ["127.0.0.1"], "127.0.0.1": ["127.0.0.1"]}))
    settings = Settings(fetch_allow_hosts=("news.example", "127.0.0.1"))
    url = tls_site.url("/host", host="news.example", scheme="https")
    assert fetch_bytes(url, settings) == f"news.example:{tls_site.port}".encode()
    assert tls_site.names == ["news.example"]
    # by its address, the certificate (made out to news.example) does not match: verification is on
    text = refusal(tls_site.url("/host", scheme="https"), settings)
    assert "could not fetch the page" in text and "certificate" in text.lower()


# --- URL lists ---------------------------------------------------------------------------------

def test_a_url_list_refuses_other_schemes_by_name_and_fetches_the_good_lines(site, tmp_path):
    bad = ["file:///etc/passwd", "javascript:alert(document.cookie)", "data:text/html,<p>planted</p>",
           "ftp://files.example/story.html"]
    good = site.url("/page")
    (tmp_path / "urls.txt").write_text("\n".join(["# to check", good, *bad]) + "\n", encoding="utf-8")
    sources, errors = load_sources(tmp_path, site.allowed())
    assert [s.name for s in sources] == [good]
    assert [e.name for e in errors] == bad
    for err, url in zip(errors, bad):
        text = str(err)
        assert "\n" not in text and text.startswith(f"{url}: refused: ") and "only http and https" in text


def test_a_list_of_only_non_http_lines_is_still_a_url_list():
    assert is_url_list("file:///etc/passwd\njavascript:alert(1)\n")
    assert not is_url_list("The council met on Monday.\nIt voted: 5 to 2.\n")
