"""Who gets into the dashboard: with [auth] in secrets.toml nothing but a login screen until a listed
reviewer signs in, whose login then signs every verdict; without it, this machine only, the typed
name recorded as unverified; and `factcheck app` refuses to share a dashboard that has no login."""
from __future__ import annotations

import tomllib

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from factcheck import access
from factcheck.cli import dashboard_command, main
from factcheck.errors import AccessError
from factcheck.store import Store
from tests.conftest import ROOT
from tests.test_app import APP, ids_by_kind, start

ANA = {"is_logged_in": True, "email": "ana@newsroom.example", "email_verified": True, "name": "Ana Lima"}
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 64,
        "client_id": "factcheck", "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://id.newsroom.example/.well-known/openid-configuration"}
TEAM = {"auth": AUTH, "factcheck": {"reviewers": ["@newsroom.example"]}}


@pytest.fixture
def store(dashboard_store) -> Store:
    return dashboard_store




def team_app(user: dict | None = None, secrets: dict = TEAM) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in secrets.items():
        at.secrets[key] = value
    if user is not None:
        at.user = dict(user)
    at.run()
    assert not at.exception, at.exception
    return at


def assert_nothing_of_the_store(at: AppTest) -> None:
    """No queue, filters, facts, tables, uploads or run buttons, and no article text."""
    assert not at.sidebar.children
    for kind in ("selectbox", "multiselect", "slider", "text_input", "text_area", "dataframe", "metric",
                 "tabs", "file_uploader", "download_button", "radio"):
        assert not at.get(kind), kind
    shown = "\n".join(m.value for m in at.markdown) + "\n".join(h.value for h in at.header)
    for text in ("quarry", "Ilhan", "Daily Ledger", "Where the outlets disagree"):
        assert text not in shown, text


# ------------------------------------------------------------------------------------ team mode

@pytest.mark.parametrize("user", [
    None,                                       # AppTest's default: an e-mail, but no login
    {"is_logged_in": False},
])
def test_with_auth_and_no_one_signed_in_only_the_login_screen_shows(store, user):
    at = team_app(user)
    assert [h.value for h in at.header] == ["factcheck · review"]
    assert len(at.markdown) == 1 and "Sign in" in at.markdown[0].value
    assert [(b.key, b.label) for b in at.button] == [("login_default", "Log in")]
    assert_nothing_of_the_store(at)


def test_a_signed_in_reviewer_sees_the_queue_and_signs_verdicts_with_the_login(store):
    at = team_app(ANA)
    assert len(at.selectbox(key="selected").options) == 5
    assert not [t for t in at.text_input if t.key == "reviewer"]  # no free-text name when signed in
    assert any("Signed in as Ana Lima" in c.value for c in at.sidebar.caption)
    first = at.selectbox(key="selected").value
    at.button(key="act_confirmed").click().run()
    assert not at.exception
    assert store.review(first)["reviewer"] == "ana@newsroom.example"
    assert [(a["reviewer"], a["field"], a["new"]) for a in store.audit_rows(first)] == [
        ("ana@newsroom.example", "status", "confirmed")]
    at.text_area(key=f"note_{ids_by_kind(store)['date']}").set_value("called the police").run()
    at.button(key="act_note").click().run()
    assert store.audit_rows(ids_by_kind(store)["date"])[-1]["reviewer"] == "ana@newsroom.example"


def test_logging_out_returns_to_the_login_screen(store):
    at = team_app(ANA)
    at.sidebar.button(key="logout").click().run()
    assert [b.key for b in at.button] == ["login_default"]
    assert_nothing_of_the_store(at)


@pytest.mark.parametrize("user", [
    {**ANA, "email": "mallory@elsewhere.example"},   # signed in, not on the list
    {**ANA, "email_verified": False},                # the provider has not verified the address
])
def test_a_signed_in_stranger_sees_nothing_but_can_log_out(store, user):
    at = team_app(user)
    assert "not one of this dashboard's reviewers" in at.markdown[0].value
    assert [b.key for b in at.button] == ["logout"]
    assert not at.get("selectbox") and not at.get("dataframe") and not at.sidebar.children


def test_an_incomplete_login_set_up_shows_one_error_and_nothing_else(store):
    at = team_app(ANA, secrets={"auth": AUTH})  # no [factcheck] reviewers
    assert len(at.error) == 1 and "[factcheck] reviewers" in at.error[0].value
    assert not at.button and not at.get("selectbox") and not at.sidebar.children


def test_named_providers_get_one_login_button_each(store):
    shared = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    client = {k: AUTH[k] for k in access.PROVIDER_KEYS}
    at = team_app(secrets={"auth": {**shared, "google": client, "microsoft": client},
                           "factcheck": {"reviewers": "*"}})
    assert [(b.key, b.label) for b in at.button] == [("login_google", "Log in with Google"),
                                                      ("login_microsoft", "Log in with Microsoft")]


# ------------------------------------------------------------------------------------ single machine

def test_without_auth_the_typed_name_signs_and_is_marked_unverified(store):
    at = start("ana")
    assert at.text_input(key="reviewer").label == "Reviewer"
    assert any(c.value.startswith("Unverified: there is no login") for c in at.sidebar.caption)
    assert not [b for b in at.button if b.key in ("logout", "login_default")]
    first = at.selectbox(key="selected").value
    at.button(key="act_confirmed").click().run()
    assert store.review(first)["reviewer"] == "ana (unverified)"
    assert store.audit_rows(first)[0]["reviewer"] == "ana (unverified)"


# ------------------------------------------------------------------------------------ who may review

@pytest.mark.parametrize("user, allowed, expected", [
    (ANA, ["ana@newsroom.example"], True),
    ({**ANA, "email": "Ana@Newsroom.Example"}, ["ana@newsroom.example"], True),
    (ANA, ["@newsroom.example"], True),
    (ANA, ["@example"], False),                           # a domain matches whole, not as a suffix
    (ANA, ["ben@newsroom.example"], False),
    (ANA, [], False),
    ({**ANA, "is_logged_in": False}, ["*"], False),
    ({"email": "ana@newsroom.example"}, ["*"], False),     # claims without a login
    ({**ANA, "email_verified": False}, ["@newsroom.example"], False),
    ({"is_logged_in": True, "sub": "u-123"}, ["*"], True),  # "*": whoever the provider lets in
    ({"is_logged_in": True, "sub": "u-123"}, ["@newsroom.example"], False),
])
def test_who_may_review(user, allowed, expected):
    assert access.may_review(user, allowed) is expected


@pytest.mark.parametrize("user, identity", [
    (ANA, "ana@newsroom.example"),
    ({"is_logged_in": True, "name": "Ana Lima", "sub": "u-1"}, "Ana Lima"),
    ({"is_logged_in": True, "preferred_username": "alima", "name": "Ana Lima"}, "alima"),
    ({"is_logged_in": True, "sub": "u-1"}, "u-1"),
])
def test_the_login_identity_prefers_the_email(user, identity):
    assert access.login_identity(user) == identity


@pytest.mark.parametrize("secrets, problem", [
    ({}, None),
    (TEAM, None),
    ({"auth": {**AUTH, "cookie_secret": "short-secret"}, "factcheck": TEAM["factcheck"]}, "cookie_secret is too short"),
    ({"auth": {k: v for k, v in AUTH.items() if k != "client_secret"}, "factcheck": TEAM["factcheck"]},
     "lacks client_secret"),
    ({"auth": {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "c" * 64, "okta": {"client_id": "x"}},
      "factcheck": TEAM["factcheck"]}, "lacks okta.client_secret, okta.server_metadata_url"),
    ({"auth": AUTH}, "no one may review"),
    ({"auth": {**AUTH, "client_id": "CHANGE-ME.apps"}, "factcheck": TEAM["factcheck"]}, "CHANGE-ME placeholders"),
])
def test_an_incomplete_team_set_up_is_one_line(secrets, problem):
    found = access.auth_problem(secrets)
    assert found is None if problem is None else problem in found


def test_the_committed_example_is_refused_until_filled_in_and_git_ignores_the_real_file():
    example = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    assert "CHANGE-ME placeholders" in access.auth_problem(tomllib.loads(example))
    filled = example.replace('cookie_secret = "CHANGE-ME"', f'cookie_secret = "{"c" * 64}"')
    assert access.auth_problem(tomllib.loads(filled.replace("CHANGE-ME", "filled-in"))) is None
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_secrets_files_merge_like_streamlit_and_a_broken_one_is_named(tmp_path):
    home, beside = tmp_path / "home.toml", tmp_path / "beside.toml"
    home.write_text('[auth]\nredirect_uri = "x"\n[factcheck]\nreviewers = ["a@b.example"]\n', encoding="utf-8")
    beside.write_text('[auth]\nredirect_uri = "y"\n', encoding="utf-8")
    merged = access.read_secrets([home, tmp_path / "missing.toml", beside])
    assert merged == {"auth": {"redirect_uri": "y"}, "factcheck": {"reviewers": ["a@b.example"]}}
    beside.write_text("[auth\n", encoding="utf-8")
    with pytest.raises(AccessError, match="beside.toml is not valid TOML"):
        access.read_secrets([beside])


# ------------------------------------------------------------------------------------ factcheck app

@pytest.mark.parametrize("address, allowed", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("", False), ("192.168.1.20", False), ("::", False), ("review.newsroom.example", False),
])
def test_without_a_login_only_a_loopback_address_is_used(address, allowed, tmp_path):
    def build():
        return dashboard_command(tmp_path / "app.py", address=address, port=8501, secrets={}, upload_mb=20)

    if allowed:
        cmd, said = build()
        assert cmd[cmd.index("--server.address") + 1] == address and "only this machine" in said
    else:
        with pytest.raises(AccessError, match=r"configure \[auth\] in \.streamlit/secrets\.toml"):
            build()
    cmd, said = dashboard_command(tmp_path / "app.py", address=address, port=8501, secrets=TEAM, upload_mb=20)
    assert cmd[cmd.index("--server.address") + 1] == address and "sign in" in said


@pytest.fixture
def no_server(tmp_path, monkeypatch):
    """`factcheck app` with its secrets in tmp_path/secrets.toml and the server never started: the
    command it would run is recorded instead."""
    secrets = tmp_path / "secrets.toml"
    monkeypatch.setattr(access, "secrets_files", lambda app_dir: [secrets])
    monkeypatch.chdir(tmp_path)  # no factcheck.toml: the default settings
    started: list[list[str]] = []
    monkeypatch.setattr("factcheck.cli.start_server", lambda cmd, env: started.append(cmd))
    return secrets, started


def test_factcheck_app_listens_on_this_machine_and_says_so(no_server):
    _, started = no_server
    result = CliRunner().invoke(main, ["app", "--port", "8600"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("Dashboard on http://127.0.0.1:8600 — only this machine can reach it; "
                                     "configure [auth] in .streamlit/secrets.toml to share it with a team")
    cmd = started[0]
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.maxUploadSize") + 1] == "20"  # max_source_bytes (20 MB) in MiB, rounded up


def test_factcheck_app_refuses_to_share_a_dashboard_without_login(no_server):
    _, started = no_server
    result = CliRunner().invoke(main, ["app", "--address", "0.0.0.0"])
    assert result.exit_code != 0 and not started
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: the dashboard has no login")
    assert "[auth]" in lines[0] and "Traceback" not in result.output


def test_factcheck_app_shares_a_dashboard_behind_a_complete_login(no_server):
    secrets, started = no_server
    secrets.write_text("\n".join(["[auth]", *(f'{k} = "{v}"' for k, v in AUTH.items()),
                                  "[factcheck]", 'reviewers = ["@newsroom.example"]']), encoding="utf-8")
    result = CliRunner().invoke(main, ["app", "--address", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert "reviewers sign in" in result.stdout and started
    secrets.write_text("[auth]\n" + "\n".join(f'{k} = "{v}"' for k, v in AUTH.items()), encoding="utf-8")
    refused = CliRunner().invoke(main, ["app", "--address", "0.0.0.0"])
    assert refused.exit_code != 0 and len(started) == 1 and "[factcheck] reviewers" in refused.stderr


def test_factcheck_app_passes_its_config_to_the_dashboard_and_checks_it_first(no_server, tmp_path, monkeypatch):
    envs: list[dict] = []
    monkeypatch.setattr("factcheck.cli.start_server", lambda cmd, env: envs.append(env))
    good = tmp_path / "team.toml"
    good.write_text("align_threshold = 0.6\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["app", "--config", str(good)]).exit_code == 0
    assert envs[-1]["FACTCHECK_CONFIG"] == str(good.resolve())
    bad = tmp_path / "bad.toml"
    bad.write_text('align_threshold = "high"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["app", "--config", str(bad)])
    assert result.exit_code != 0 and len(envs) == 1
    assert result.stderr.strip() == f"error: {bad}: align_threshold is 'high' — write a number, e.g. 0.55"
