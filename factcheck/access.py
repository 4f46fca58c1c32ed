"""Who may use the review dashboard, and whose name signs a verdict.

Two modes, decided by the ``[auth]`` section of Streamlit's ``secrets.toml``:

- **team**: ``[auth]`` names an OpenID Connect provider; nobody sees anything before signing in
  (``st.login``), only the reviewers listed under ``[factcheck] reviewers`` get past the login
  screen, and the login's e-mail (else its name) signs every save.
- **single machine**: no ``[auth]``; the dashboard is reachable from this machine only and the
  reviewer types a name, recorded as given and marked unverified.

Plain functions over the secrets mapping and the login's claims (``st.user``), no Streamlit
here: the CLI (which refuses to share an unprotected dashboard) and app.py decide the same way.
"""
from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from .errors import AccessError

# Streamlit's own keys of [auth]: shared by every provider, the rest name one.
SHARED_AUTH_KEYS = ("redirect_uri", "cookie_secret", "expose_tokens", "client_kwargs")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
# The identity cookie is signed with cookie_secret: 32 random bytes in hex are 64 characters, and
# anything under 32 is a placeholder or guessable (Streamlit itself only warns under 14 bytes).
MIN_COOKIE_SECRET = 32
# The login claims that name a reviewer, most stable first (an e-mail outlives a display name).
IDENTITY_CLAIMS = ("email", "preferred_username", "name", "sub")
# Signs a name typed without a login, so the audit trail tells it from a signed-in identity.
UNVERIFIED = " (unverified)"
# What .streamlit/secrets.toml.example writes where a real value goes.
PLACEHOLDER = "CHANGE-ME"
SECRETS_HINT = "see “Sharing the dashboard with a team (login)” in the README"


def secrets_files(app_dir: Path) -> list[Path]:
    """Where Streamlit reads secrets.toml, in its order (later files override earlier ones):
    ~/.streamlit, the working directory's .streamlit, and the .streamlit beside app.py."""
    paths = [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]
    beside = Path(app_dir).resolve() / ".streamlit" / "secrets.toml"
    return paths + [beside] * (beside not in paths)


def read_secrets(paths: Sequence[Path]) -> dict:
    """The merged secrets of the files that exist (top-level keys of later files win, as in
    Streamlit); ``AccessError`` naming the file when one is not valid TOML."""
    merged: dict = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise AccessError(f"{path} is not valid TOML ({exc}) — fix it; {SECRETS_HINT}") from None
    return merged


def auth_section(secrets: Mapping) -> Mapping | None:
    """The ``[auth]`` table, or None in single-machine mode."""
    auth = secrets.get("auth")
    return auth if isinstance(auth, Mapping) and auth else None


def providers(auth: Mapping) -> list[str]:
    """The providers a reviewer can sign in with: "default" when [auth] holds the client itself,
    then every named [auth.NAME] table."""
    named = [k for k, v in auth.items() if isinstance(v, Mapping) and k not in SHARED_AUTH_KEYS]
    return ["default"] * ("client_id" in auth) + named


def reviewers(secrets: Mapping) -> tuple[str, ...]:
    """``[factcheck] reviewers``: e-mail addresses, ``@domain`` for a whole domain, or ``*`` for
    everyone the provider lets in."""
    section = secrets.get("factcheck")
    listed = (section.get("reviewers") if isinstance(section, Mapping) else None) or ()
    return (listed,) if isinstance(listed, str) else tuple(str(r) for r in listed)


def auth_problem(secrets: Mapping) -> str | None:
    """What is missing from a team set-up, as one line saying what to do; None when complete."""
    auth = auth_section(secrets)
    if auth is None:
        return None
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    names = providers(auth)
    if not names:
        missing += [k for k in PROVIDER_KEYS if not auth.get(k)]
    for name in names:
        section = auth if name == "default" else auth[name]
        missing += [k if name == "default" else f"{name}.{k}" for k in PROVIDER_KEYS if not section.get(k)]
    if missing:
        return f"[auth] in secrets.toml lacks {', '.join(missing)} — {SECRETS_HINT}"
    if any(PLACEHOLDER in str(v) for v in _leaves(auth)):
        return f"[auth] in secrets.toml still holds the example's {PLACEHOLDER} placeholders — fill them in"
    if len(str(auth["cookie_secret"])) < MIN_COOKIE_SECRET:
        return ("[auth] cookie_secret is too short to sign logins — set it to the output of "
                "python -c \"import secrets; print(secrets.token_hex(32))\"")
    if not reviewers(secrets):
        return ("[auth] is set but no one may review — list the reviewers' e-mail addresses (or "
                "\"@your-newsroom.org\") under [factcheck] reviewers in secrets.toml")
    return None


def _leaves(table: Mapping):
    for value in table.values():
        yield from _leaves(value) if isinstance(value, Mapping) else (value,)


def login_identity(user: Mapping) -> str:
    """The name a signed-in reviewer's saves carry: the login's e-mail, else its user name."""
    return next((str(user[c]).strip() for c in IDENTITY_CLAIMS if str(user.get(c) or "").strip()), "")


def display_name(user: Mapping) -> str:
    """"Ana Lima (ana@newsroom.org)", or just the identity when the login has no other name."""
    identity, name = login_identity(user), str(user.get("name") or "").strip()
    return f"{name} ({identity})" if name and name != identity else identity


def signed_in(user: Mapping) -> bool:
    return user.get("is_logged_in") is True


def may_review(user: Mapping, allowed: Sequence[str]) -> bool:
    """Whether a signed-in user is on the reviewer list: ``*``, their exact e-mail, or ``@`` and
    their e-mail's domain (an e-mail the provider says it has not verified matches neither)."""
    if not signed_in(user) or not login_identity(user):
        return False
    if "*" in allowed:
        return True
    email = str(user.get("email") or "").strip().casefold()
    if not email or user.get("email_verified") in (False, "false"):
        return False
    wanted = {a.strip().casefold() for a in allowed}
    return email in wanted or "@" + email.rpartition("@")[2] in wanted


def unverified(name: str) -> str:
    """A typed reviewer name as the audit trail records it: as given, marked unverified."""
    name = (name or "").strip()
    return name + UNVERIFIED if name else ""


def is_loopback(address: str) -> bool:
    """Whether a server address is reachable from this machine only ("" means every interface)."""
    if address.strip().casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to any interface
