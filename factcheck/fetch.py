"""Fetch: the bytes of a web page, fetched safely. Every URL the tool fetches goes through here.

Only http and https. Only public addresses: a name is resolved once, every address it resolves to
is checked (loopback, private, link-local, multicast, unspecified, reserved and cloud metadata
addresses are refused, also when written as 2130706433 or ::ffff:127.0.0.1), and the connection goes
to an address that was checked, never to a second lookup (no DNS rebinding); the Host header and the
TLS server name stay the URL's host. Redirects are followed here, each hop checked the same way.
A page is at most ``max_source_bytes`` and the whole fetch, redirects included, ends within
``fetch_timeout_seconds`` (a server sending one byte a second is cut off). Hosts in
``fetch_allow_hosts`` (a newsroom's intranet) may have non-public addresses.
"""
from __future__ import annotations

import http.client
import io
import ipaddress
import select
import socket
import ssl
import string
import threading
import time
from urllib.parse import quote, urljoin, urlsplit

from .config import Settings
from .errors import SourceError

DEFAULT_PORTS = {"http": 80, "https": 443}
# Redirects followed before giving up: news sites use 1-3 (http -> https, www., a trailing slash).
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# Bytes asked of the connection at a time while reading a page.
READ_CHUNK_BYTES = 65536
USER_AGENT = "factcheck/0.1 (+fact-checking tool)"
# Cloud instance metadata services (AWS, GCP, Azure, OpenStack; AWS over IPv6; Alibaba): refused
# even for an allowed host, since no article lives there and they hand out credentials.
METADATA = "a cloud metadata"
METADATA_ADDRESSES = {ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")}
# RFC 1918 and unique-local IPv6: called "private" (ipaddress's is_private also covers reserved ranges).
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                           "fc00::/7"))
# NAT64's well-known prefix: the last 32 bits are an IPv4 address, reached through the gateway.
NAT64_NETWORK = ipaddress.ip_network("64:ff9b::/96")
SAVE_INSTEAD = "save the page as .html into sources/ instead"
# Characters of a request path sent as they are; others (spaces, non-ASCII) are percent-encoded.
PATH_SAFE = string.punctuation


class Refused(Exception):
    """An address the tool will not fetch; ``allowable`` when fetch_allow_hosts could allow it."""

    def __init__(self, problem: str, allowable: bool = False):
        super().__init__(problem)
        self.allowable = allowable


class TooLarge(Exception):
    """The page is over ``max_source_bytes``."""


def fetch_bytes(url: str, settings: Settings) -> bytes:
    """The page at ``url``, following redirects; ``SourceError`` naming ``url`` when it is refused
    or cannot be fetched (one line: what is wrong and what to do)."""
    deadline = Deadline(settings.fetch_timeout_seconds)
    here = url
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            location, body = get(here, settings, deadline)
        except Refused as exc:
            via = f"it redirects to {here}, and " if here != url else ""
            raise SourceError(url, f"refused: {via}{exc}", _refusal_hint(here, exc)) from None
        except TooLarge:
            raise SourceError(url, f"page is over the {settings.max_source_bytes:,}-byte limit",
                              "save the article as .html into sources/ instead") from None
        except TimeoutError:
            raise SourceError(url, f"could not fetch the page within {settings.fetch_timeout_seconds} s "
                              "(fetch_timeout_seconds)", SAVE_INSTEAD) from None
        except (OSError, http.client.HTTPException, ValueError) as exc:  # UnicodeError is a ValueError
            raise SourceError(url, f"could not fetch the page ({reason(exc)})", SAVE_INSTEAD) from exc
        if location is None:
            return body
        here = urljoin(here, location)
    raise SourceError(url, f"could not fetch the page (more than {MAX_REDIRECTS} redirects)", SAVE_INSTEAD)


def get(url: str, settings: Settings, deadline: Deadline) -> tuple[str | None, bytes]:
    """One request: ``(location, b"")`` for a redirect, ``(None, page)`` for a page."""
    parts = urlsplit(url)
    check_scheme(parts.scheme)
    host, port = parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme]
    if not host:
        raise ValueError("the address has no host name")
    addresses = resolve(host, port, deadline.left())
    check_addresses(host, [a[4][0] for a in addresses], allowed=is_allowed(host, port, settings))
    kind = PinnedTLSConnection if parts.scheme == "https" else PinnedConnection
    conn = kind(host, port, addresses, deadline)
    try:
        conn.request("GET", request_target(parts), headers={"User-Agent": USER_AGENT, "Connection": "close"})
        with conn.getresponse() as response:
            location = response.getheader("Location")
            if response.status in REDIRECT_STATUSES and location:
                return location, b""
            if not 200 <= response.status < 300:
                raise http.client.HTTPException(f"the server answered {response.status} {response.reason}")
            return None, read_limited(response, settings.max_source_bytes)
    finally:
        conn.close()


# --- what is refused ---------------------------------------------------------------------------

def check_scheme(scheme: str) -> None:
    if scheme not in DEFAULT_PORTS:
        what = f"{scheme}: addresses are" if scheme else "an address without http:// or https:// is"
        raise Refused(f"{what} not fetched (only http and https)")


def check_addresses(host: str, addresses: list[str], *, allowed: bool) -> None:
    """Refuse when any address ``host`` resolves to is not public (``allowed``: only metadata ones)."""
    for text in addresses:
        bare = text.split("%", 1)[0]  # the scope of fe80::1%eth0 does not matter
        kind = address_kind(ipaddress.ip_address(bare))
        if kind is None or (allowed and kind != METADATA):
            continue
        said = f"{bare} is {kind} address" if _same_address(host, bare) else \
            f"{host} resolves to {bare}, {kind} address"
        raise Refused(said, allowable=kind != METADATA)


def address_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What makes ``ip`` unfit to fetch from ("a loopback", "a private", …), None for a public one.
    An IPv4 address inside IPv6 (::ffff:127.0.0.1, 6to4, NAT64) is judged as that IPv4 address."""
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ip.sixtofour or _nat64(ip) or ip
    checks = ((METADATA, ip in METADATA_ADDRESSES), ("a loopback", ip.is_loopback),
              ("an unspecified", ip.is_unspecified), ("a link-local", ip.is_link_local),
              ("a multicast", ip.is_multicast), ("a private", any(ip in n for n in PRIVATE_NETWORKS)),
              ("a reserved", ip.is_reserved), ("a non-public", not ip.is_global))
    return next((kind for kind, hit in checks if hit), None)


def _nat64(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64_NETWORK else None


def _same_address(host: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address(address)
    except ValueError:
        return False


def is_allowed(host: str, port: int, settings: Settings) -> bool:
    """True when ``fetch_allow_hosts`` names ``host`` (with no port, or with ``port``)."""
    return any(h == host.rstrip(".") and p in (None, port) for h, p in allow_list(settings))


def allow_list(settings: Settings) -> list[tuple[str, int | None]]:
    """``fetch_allow_hosts`` as (host, port or None); ``SourceError`` for an entry that is not host[:port]."""
    entries = []
    for entry in settings.fetch_allow_hosts:
        parts = urlsplit("//" + entry.strip())
        try:
            port = parts.port
        except ValueError:
            port = -1
        if not parts.hostname or parts.path or parts.query or parts.fragment or parts.username or port == -1:
            raise SourceError("fetch_allow_hosts", f"{entry!r} is not a host or host:port",
                              'write e.g. "intranet.example" or "intranet.example:8080" in factcheck.toml')
        entries.append((parts.hostname.rstrip("."), port))
    return entries


def _refusal_hint(url: str, exc: Refused) -> str:
    if not exc.allowable:
        return SAVE_INSTEAD
    parts = urlsplit(url)
    return (f'{SAVE_INSTEAD} (or, if it is your newsroom\'s own server, add "{parts.netloc.rsplit("@", 1)[-1]}" '
            "to fetch_allow_hosts)")


def reason(exc: BaseException) -> str:
    """The first line of an error's reason (a name lookup failure says which name)."""
    if isinstance(exc, socket.gaierror):
        return f"the name could not be resolved: {exc.strerror}"
    if isinstance(exc, ssl.SSLError):  # its reason alone ("CERTIFICATE_VERIFY_FAILED") hides why
        return str(exc)[:160]
    text = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
    return text.splitlines()[0][:120]


# --- resolving and connecting ------------------------------------------------------------------

def resolve(host: str, port: int, timeout: float) -> list[tuple]:
    """``getaddrinfo``'s answers for ``host`` (numeric forms such as 2130706433 included), within
    ``timeout`` seconds: the lookup runs in a thread, so a resolver that does not answer cannot
    outlast the fetch's time limit."""
    answer: list = []

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            answer.append(exc)

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not answer:
        raise TimeoutError(f"no answer for {host}")
    if isinstance(answer[0], Exception):
        raise answer[0]
    return answer[0]


class Deadline:
    """The moment a fetch must be over: every connect, read and write gets only the time left."""

    def __init__(self, seconds: float):
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise TimeoutError("the time limit is over")
        return left


class PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to addresses checked beforehand (``getaddrinfo`` answers); the Host header
    still names ``host``. Reads and writes end at ``deadline``."""

    def __init__(self, host: str, port: int, addresses: list[tuple], deadline: Deadline):
        super().__init__(host, port, timeout=deadline.left())
        self.addresses, self.deadline = addresses, deadline

    def connect(self) -> None:
        self.sock = DeadlineSocket(self.open_socket(), self.deadline)

    def open_socket(self) -> socket.socket:
        failure: OSError = OSError(f"no address for {self.host}")
        for family, kind, proto, _name, sockaddr in self.addresses:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self.deadline.left())
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                failure = exc
        raise failure


class PinnedTLSConnection(PinnedConnection):
    """HTTPS to a checked address: the certificate is verified for ``host``, sent as the server name."""

    default_port = 443  # the Host header leaves out the default port

    def open_socket(self) -> socket.socket:
        tls = tls_context().wrap_socket(super().open_socket(), server_hostname=self.host,
                                        do_handshake_on_connect=False)
        try:
            handshake(tls, self.deadline)
        except BaseException:
            tls.close()
            raise
        return tls


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def handshake(tls: ssl.SSLSocket, deadline: Deadline) -> None:
    """The TLS handshake, over by ``deadline`` however slowly the server answers."""
    tls.setblocking(False)
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            select.select([tls], [], [], deadline.left())
        except ssl.SSLWantWriteError:
            select.select([], [tls], [], deadline.left())
        deadline.left()
    tls.setblocking(True)


class DeadlineSocket:
    """The three things ``http.client`` does with a socket (send, read through a file, close), each
    read and write given only the time left: a total limit, not one per read."""

    def __init__(self, sock: socket.socket, deadline: Deadline):
        self.sock, self.deadline = sock, deadline

    def sendall(self, data: bytes) -> None:
        self.sock.settimeout(self.deadline.left())
        self.sock.sendall(data)

    def makefile(self, mode: str = "rb", *args, **kwargs) -> io.BufferedReader:
        return io.BufferedReader(DeadlineReader(self.sock, self.deadline))

    def close(self) -> None:  # the socket stays open while the response's file reads from it
        self.sock.close()


class DeadlineReader(io.RawIOBase):
    """The socket's own raw file (``makefile``: it keeps the socket open until both are closed),
    each read given only the time left."""

    def __init__(self, sock: socket.socket, deadline: Deadline):
        self.sock, self.deadline = sock, deadline
        self.raw = sock.makefile("rb", buffering=0)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.sock.settimeout(self.deadline.left())
        return self.raw.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self.raw.close()
        super().close()


# --- reading -----------------------------------------------------------------------------------

def request_target(parts) -> str:
    """Path and query of a split URL as sent in the request line (the fragment stays here)."""
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return quote(target, safe=PATH_SAFE)


def read_limited(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The body, refused (``TooLarge``) as soon as it is known to be over ``limit`` bytes."""
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge()
    chunks, size = [], 0
    while chunk := response.read(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise TooLarge()
        chunks.append(chunk)
    if response.length:  # the server closed before sending what Content-Length promised
        raise http.client.IncompleteRead(b"".join(chunks), response.length)
    return b"".join(chunks)
