"""factcheck review dashboard: a thin Streamlit view over the store.

    streamlit run app.py          (or: factcheck app)

The store URL comes from FACTCHECK_DB (default sqlite:///factcheck.db), the sources folder from
FACTCHECK_SOURCES (default sources). With [auth] in .streamlit/secrets.toml nothing is shown before a
listed reviewer signs in (st.login), and the login signs every verdict; without it the dashboard
opens only to a browser on this machine and the reviewer's typed name is recorded as unverified
(factcheck.access decides both). All logic lives in the library (factcheck.app_support,
factcheck.store, factcheck.export, factcheck.pipeline); this script only lays it out. Article text
is untrusted: it reaches st.markdown only as HTML escaped by app_support.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from factcheck import access
from factcheck import app_support as fx
from factcheck.config import DEFAULT_DB_URL
from factcheck.errors import ConflictError, FactcheckError
from factcheck.store import STATUSES, Store

DB_URL = os.environ.get("FACTCHECK_DB", DEFAULT_DB_URL)
# Settings as the command line reads them: --config of `factcheck app`, else ./factcheck.toml.
CONFIG_FILE = os.environ.get("FACTCHECK_CONFIG") or None
SOURCES_DIR = Path(os.environ.get("FACTCHECK_SOURCES", "sources"))
APP_DIR = Path(__file__).resolve().parent
STAGES = ("ingest", "clean", "claims", "embed", "align", "compare", "store")
# (status, label, button type, keyboard shortcut: single keys are ignored while typing a note)
ACTIONS = (("confirmed", "✔ Confirm", "primary", "Y"), ("dismissed", "✖ Dismiss", "secondary", "N"),
           ("needs follow-up", "? Needs follow-up", "secondary", "F"), ("open", "↺ Reopen", "tertiary", "O"))
STYLE = """<style>
.fc-card {border: 1px solid rgba(128,128,128,.35); border-radius: .5rem; padding: .75rem 1rem; margin-bottom: .5rem;}
.fc-claim {text-decoration: underline; text-decoration-color: #d97706; text-underline-offset: 3px;}
.fc-quote {font-size: 1.08rem; line-height: 1.55;}
.fc-context {font-size: .93rem; line-height: 1.5; color: inherit; opacity: .9;}
.fc-meta {font-size: .85rem; opacity: .75;}
.fc-muted {opacity: .6; font-style: italic;}
.fc-stale {background: #fde68a; color: #78350f; border-radius: .25rem; padding: 0 .35rem; font-weight: 600;}
mark {background: #fde047; color: #111; padding: 0 .12rem; border-radius: .15rem;}
</style>"""

st.set_page_config(page_title="factcheck · review", layout="wide")
# The tables' own CSV button would write formula-like cells (=HYPERLINK…) as they are; the editors'
# CSV in the sidebar is the export, with those cells neutralised.
st.set_option("client.disableDataExport", True)


@st.cache_resource(show_spinner=False)
def get_store(url: str) -> Store:
    return Store(url)


@st.cache_resource(show_spinner="Loading the sentence model (once)…")
def get_model(package: str, backend: str = "torch"):
    from factcheck import embed

    return embed.load_model(package, backend)


def flash(kind: str, message: str) -> None:
    st.session_state["flash"] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop("flash", (None, None))
    if kind:
        getattr(st, kind)(message)


def act(store: Store, did: str, status: str | None, queue: list[dict]) -> None:
    """Button callback: save the verdict and/or note, then move to the next open conflict.

    The expected version is the one the note box was loaded from, so a save never overwrites what
    someone else saved after this reviewer last saw the item."""
    team, reviewer = signer()
    if not reviewer:
        flash("warning", "Not saved: sign in as one of this dashboard's reviewers first." if team else
              "Type your name under “Reviewer” in the sidebar first — every verdict is signed.")
        return
    note = st.session_state.get(f"note_{did}")
    answer = st.session_state.get(f"answer_{did}")
    answer = None if answer is None else "" if answer == NO_ANSWER else answer
    evidence = st.session_state.get(f"evidence_{did}")
    version, loaded_note = st.session_state.get(f"note_base_{did}", (0, ""))
    try:
        saved = store.set_review(did, status=status, note=note, reviewer=reviewer, expected_version=version,
                                 answer=answer, evidence=evidence)
    except ConflictError as exc:
        st.session_state.pop(f"note_{did}", None)  # reload: show what the other reviewer saved
        st.session_state.pop(f"note_base_{did}", None)
        mine = f" Your note was: “{note}”." if note and note != loaded_note else ""
        flash("error", f"Not saved: {fx.said(exc)}. The item below now shows their version.{mine}")
        return
    except FactcheckError as exc:
        flash("error", f"Not saved: {fx.said(exc)}")
        return
    st.session_state[f"note_base_{did}"] = (saved["version"], saved["note"])
    if status is None:
        flash("success", "Note saved.")
        return
    nxt = fx.next_open(queue, did, just_saved=did)
    if nxt:
        st.session_state["selected"] = nxt
    flash("success", f"Marked {status}." + (" Showing the next open conflict." if nxt else
                                            " No open conflicts left in this view."))


# ------------------------------------------------------------------------------------ who reviews

def load_secrets() -> Mapping:
    """Streamlit's secrets, {} when there is no secrets.toml; one that cannot be read stops the page
    (Streamlit reports a broken file like a missing one, which would drop the login)."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:
        if any(p.is_file() for p in access.secrets_files(APP_DIR)):
            st.error("secrets.toml could not be read — fix it (README: “Sharing the dashboard with a team”).")
            st.stop()
        return {}


def signer() -> tuple[bool, str]:
    """(team mode?, who signs a save now): the signed-in reviewer's identity, or the typed name
    marked unverified; "" when nobody may sign."""
    secrets = load_secrets()
    if access.auth_section(secrets) is None:
        return False, access.unverified(st.session_state.get("reviewer") or "")
    user = st.user.to_dict()
    allowed = not access.auth_problem(secrets) and access.may_review(user, access.reviewers(secrets))
    return True, access.login_identity(user) if allowed else ""


def team_gate(secrets: Mapping) -> dict:
    """With [auth]: nothing but the login screen until a listed reviewer signs in; returns their
    login claims."""
    problem = access.auth_problem(secrets)
    if problem:
        st.error(problem)
        st.stop()
    user = st.user.to_dict()
    if not access.signed_in(user):
        st.header("factcheck · review", anchor=False)
        st.write("Sign in with your newsroom account to review where the outlets disagree.")
        names = access.providers(secrets["auth"])
        for name in names:
            st.button("Log in" if len(names) == 1 else f"Log in with {name.capitalize()}", key=f"login_{name}",
                      type="primary", on_click=st.login, args=(None if name == "default" else name,))
        st.stop()
    if not access.may_review(user, access.reviewers(secrets)):
        st.header("factcheck · review", anchor=False)
        st.write(f"{fx.safe(access.display_name(user)) or 'This account'} is signed in but is not one of this "
                 "dashboard's reviewers: ask whoever runs it to add you under [factcheck] reviewers.")
        st.button("Log out", key="logout", on_click=st.logout)
        st.stop()
    return user


def machine_gate() -> None:
    """Without [auth] there is no login, so only a browser on this machine sees the dashboard, even
    when the server was told to listen further (`factcheck app` refuses to; .streamlit/config.toml
    keeps a bare `streamlit run` on 127.0.0.1 unless overridden)."""
    ip = st.context.ip_address  # None for 127.0.0.1 and ::1 (and not a str under AppTest's mock runtime)
    if isinstance(ip, str) and not access.is_loopback(ip):
        st.header("factcheck · review", anchor=False)
        st.write("This dashboard has no login, so it opens only on the machine it runs on: configure [auth] "
                 "in .streamlit/secrets.toml to share it with a team.")
        st.stop()


# ------------------------------------------------------------------------------------ sidebar

def sidebar(rows: list[dict], user: dict | None) -> fx.Filters:
    side = st.sidebar
    side.header("factcheck")
    if user is not None:
        side.caption(f"Signed in as {fx.safe(access.display_name(user))}: your verdicts are signed with it.")
        side.button("Log out", key="logout", on_click=st.logout)
    else:
        side.text_input("Reviewer", key="reviewer", placeholder="your name (signs each verdict)")
        side.caption("Unverified: there is no login on this machine, so the name is recorded as typed, marked "
                     "“(unverified)”. Configure [auth] in .streamlit/secrets.toml for signed-in reviewers.")
    side.subheader("Filter the queue")
    opts = fx.facets(rows)
    kinds = side.multiselect("Kind", opts["kinds"], key="f_kinds")
    severity = side.slider("Minimum severity", 0.0, 1.0, 0.0, 0.05, key="f_severity")
    outlets = side.multiselect("Outlet (either side)", opts["outlets"], key="f_outlets")
    statuses = side.multiselect("Review status", list(STATUSES), key="f_statuses")
    text = side.text_input("Search names, words, notes", key="f_text", placeholder="e.g. Aktau, 38, Ilham")
    stale = side.checkbox("Show stale reviews", value=True, key="f_stale",
                          help="Reviews of discrepancies the latest run no longer produces.")
    return fx.Filters(kinds=tuple(kinds), min_severity=severity, outlets=tuple(outlets),
                      statuses=tuple(statuses), text=text, include_stale=stale)


def export_button(rows: list[dict]) -> None:
    st.sidebar.subheader("For editors")
    st.sidebar.download_button(
        f"⬇ Download CSV ({len(rows)} rows)", data=fx.editors_csv(rows), file_name="discrepancies_for_editors.csv",
        mime="text/csv", key="export", on_click="ignore", width="stretch",
        help="The conflicts in the current view, with their review status and notes. Opens in Excel "
             "and LibreOffice; cells that look like formulas are neutralised.")


# ------------------------------------------------------------------------------------ review tab

def review_tab(store: Store, shown: list[dict]) -> None:
    if not shown:
        st.info("No conflicts match these filters — clear a filter in the sidebar.")
        return
    by_id = {r["discrepancy_id"]: r for r in shown}
    table = pd.DataFrame(fx.queue_records(shown))
    key = "queue_" + fx.list_key(list(by_id))  # a new list resets the table's row selection
    event = st.dataframe(
        table, hide_index=True, height=min(38 + 35 * len(table), 250), width="stretch", key=key,
        on_select="rerun", selection_mode="single-row",
        column_config={"severity": st.column_config.ProgressColumn("severity", min_value=0.0, max_value=1.0,
                                                                   format="%.2f"),
                       "what differs": st.column_config.TextColumn("what differs", width="large")})
    picked = list(event.selection.rows) if event is not None else []
    if picked and st.session_state.get("queue_pick") != (key, picked[0]):
        st.session_state["queue_pick"] = (key, picked[0])  # a click in the table picks that conflict
        st.session_state["selected"] = shown[picked[0]]["discrepancy_id"]
    if st.session_state.get("selected") not in by_id:
        st.session_state["selected"] = fx.next_open(shown, None) or shown[0]["discrepancy_id"]
    labels = {r["discrepancy_id"]: fx.option_label(r, n) for n, r in enumerate(shown, 1)}
    st.selectbox("Conflict under review", list(by_id), key="selected", format_func=labels.__getitem__)
    conflict(store, by_id[st.session_state["selected"]], shown)


def conflict(store: Store, row: dict, shown: list[dict]) -> None:
    did = row["discrepancy_id"]
    stale = '<span class="fc-stale">STALE</span> ' if row["stale"] else ""
    st.subheader(row.get("question") or row["kind"], anchor=False)
    st.markdown(f'{stale}<b>{fx.safe(row["kind"])}</b> · severity {row["severity"]:.2f} · confidence '
                f'{row["confidence"]:.2f} · status <b>{fx.safe(row["status"])}</b>'
                + (f' · right answer: <b>{fx.safe(row["answer"])}</b>' if row.get("answer") else ""),
                unsafe_allow_html=True)
    if row["stale"]:
        st.warning("Stale: the latest run no longer finds this fact disputed (a source changed or was "
                   "removed). The review is kept for the record.")
    st.markdown(f'<div class="fc-card">{fx.safe(row["explanation"])}</div>', unsafe_allow_html=True)
    sides = row.get("sides") or []
    if len(sides) >= 2:
        _, _, words_a, words_b = fx.highlight_pair(sides[0]["texts"][0], sides[1]["texts"][0])
        words = [words_a, words_b] + [set()] * (len(sides) - 2)
        for start in range(0, len(sides), 3):  # three sides a row, so a card stays readable
            for col, n in zip(st.columns(3), range(start, min(start + 3, len(sides)))):
                with col:
                    fact_side(store, sides[n], n + 1, words[n], row.get("answer") or "")
    elif sides:
        fact_side(store, sides[0], 1, set(), row.get("answer") or "")
    others = row["detail"].get("other_answers") or []
    if others:
        st.caption("Also reported, in conflict with no one: " + "; ".join(
            f"{o['value']} ({', '.join(o['outlets'])})" for o in others))
    review_form(store, row, shown)
    with st.expander("History of this item"):
        trail = store.audit_rows(did)
        if trail:
            st.dataframe(pd.DataFrame(trail)[["at", "reviewer", "field", "old", "new"]], hide_index=True,
                         width="stretch")
        else:
            st.caption("No verdicts yet.")


def fact_side(store: Store, side: dict, n: int, words: set[str], answer: str) -> None:
    """One side of a disputed fact: its answer, outlets and whom they cite, then each claim in its
    paragraph (the first open, the rest behind a click)."""
    right = " ✔ marked right" if answer and answer == side["value"] else ""
    cites = f'<div class="fc-meta">citing {fx.safe(", ".join(side["attributions"]))}</div>' \
        if side.get("attributions") else ""
    st.markdown(f'<div class="fc-card"><div class="fc-meta">Side {n}{fx.safe(right)}</div>'
                f'<div class="fc-quote"><b>{fx.safe(side["value"])}</b></div>'
                f'<div>{fx.safe("; ".join(side["outlets"]))}</div>{cites}</div>', unsafe_allow_html=True)
    for i, (cid, text, span) in enumerate(zip(side["claims"], side["texts"], side["spans"])):
        src = store.source_for_claim(cid) or {}
        title = f'{src.get("outlet") or "unknown outlet"}: {text[:80]}{"…" if len(text) > 80 else ""}'
        with st.expander(title, expanded=i == 0):
            link = fx.safe_link(src.get("url"), "open article ↗") if src.get("url") else fx.safe(src.get("name", ""))
            # the differing words are those of the sides' first claims: marked in the first claim only
            context = fx.context_html(src.get("raw", ""), tuple(span), src.get("kind", "txt"), words if i == 0 else set())
            st.markdown(f'<div class="fc-meta">{fx.safe(src.get("title", ""))}<br>'
                        f'{fx.safe(src.get("published") or "date unknown")} · {link}</div>'
                        f'<div class="fc-context">{context}</div>', unsafe_allow_html=True)


NO_ANSWER = "(not decided)"


def review_form(store: Store, row: dict, shown: list[dict]) -> None:
    did = row["discrepancy_id"]
    key, base = f"note_{did}", f"note_base_{did}"
    if key not in st.session_state or st.session_state[key] == st.session_state.get(base, (0, None))[1]:
        # not edited since loaded: follow the store (another reviewer may have saved meanwhile)
        st.session_state[key] = row["note"]
        st.session_state[base] = (row["version"], row["note"])
    values = [s["value"] for s in row.get("sides") or []]
    if len(values) >= 2:
        if st.session_state.get(f"answer_{did}") not in [NO_ANSWER] + values:
            st.session_state[f"answer_{did}"] = row.get("answer") if row.get("answer") in values else NO_ANSWER
        st.radio("Which answer is right?", [NO_ANSWER] + values, key=f"answer_{did}", horizontal=True)
    if f"evidence_{did}" not in st.session_state:
        st.session_state[f"evidence_{did}"] = row.get("evidence") or ""
    st.text_input("Source checked (URL or reference)", key=f"evidence_{did}")
    st.text_area("Note (sources called, what was checked)", key=key, height=80)
    queue = [{"discrepancy_id": r["discrepancy_id"], "status": r["status"], "stale": r["stale"]} for r in shown]
    cols = st.columns(len(ACTIONS) + 1)
    for col, (status, label, kind, shortcut) in zip(cols, ACTIONS):
        col.button(label, key=f"act_{status}", type=kind, width="stretch", shortcut=shortcut,
                   disabled=status == "open" and row["status"] == "open",
                   on_click=act, args=(store, did, status, queue))
    cols[-1].button("Save note", key="act_note", width="stretch",
                    on_click=act, args=(store, did, None, queue))
    if row["reviewer"]:
        st.caption(f"Last saved by {fx.safe(row['reviewer'])} at {fx.safe(row['reviewed_at'])}.")


# ------------------------------------------------------------------------------------ other tabs

def facts_tab(store: Store) -> None:
    facts = store.fact_records()
    if not facts:
        st.info("No facts yet: run the analysis first.")
        return
    names = source_stories(store)
    stories = sorted({f.story_id for f in facts if f.story_id})
    if len(stories) > 1:  # one table per story: its outlets are its columns
        first_source = {f.story_id: f.answers[0].source_id for f in facts if f.story_id and f.answers}
        label = {sid: names.get(first_source.get(sid, "")) or f"story {n}" for n, sid in enumerate(stories, 1)}
        picked_story = st.selectbox("Story", stories, format_func=label.__getitem__, key="fact_story")
        facts = [f for f in facts if f.story_id in (picked_story, "")]
    table, outlets = fx.fact_table(facts)
    disputed = sum(1 for f in facts if f.disputed)
    st.caption(f"{len(facts)} facts × {len(outlets)} outlets, {disputed} disputed (⚠). Each cell is the "
               "outlet's answer; pick a fact below to read each answer in its paragraph.")
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch", height=min(38 + 35 * len(table), 700))
    labels = {f.fact_id: f"{'⚠ ' if f.disputed else ''}{f.question}" for f in facts}
    picked = st.selectbox("Answers of the fact", list(labels), format_func=labels.__getitem__, key="fact_pick")
    fact = next(f for f in facts if f.fact_id == picked)
    for a in fact.answers:
        src = store.source_for_claim(a.claim_id) or {}
        claim = next((c for c in store.claims_of([a.source_id]) if c.claim_id == a.claim_id), None)
        cites = f" (citing {a.speaker or a.party})" if a.speaker or a.party else ""
        with st.expander(f"{a.outlet}: {a.value}{cites}" + (f" · side {a.side}" if a.side else "")):
            span = (claim.char_start, claim.char_end) if claim else (None, None)
            st.markdown(f'<div class="fc-context">{fx.context_html(src.get("raw", ""), span, src.get("kind", "txt"), set())}'
                        "</div>", unsafe_allow_html=True)


def coverage_tab(store: Store) -> None:
    outlets, table = fx.coverage_matrix(store.cluster_rows())
    if not table:
        st.info("No facts aligned across outlets yet.")
        return
    single = sum(1 for r in table if r["outlets"] == 1)
    st.caption(f"{len(table)} facts × {len(outlets)} outlets. ✓ = the outlet reports the fact; "
               f"{single} fact(s) reported by one outlet only.")
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch",
                 column_config={"fact": st.column_config.TextColumn("fact", width="large")})


def variants_tab(store: Store, rows: list[dict]) -> None:
    table = fx.name_variants(store.claim_rows(), rows)
    if not table:
        st.info("No name written more than one way.")
        return
    st.caption("Names spelled differently across outlets (one entity key, several spellings), and the "
               "name-variant conflicts the checks flagged.")
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")


def charts_tab(shown: list[dict]) -> None:
    by_kind, by_outlet = fx.counts_by(shown)
    if not shown:
        st.info("Nothing to chart in this view.")
        return
    left, right = st.columns(2)
    with left:
        st.markdown("**Conflicts by kind**")
        st.bar_chart(pd.Series(by_kind, name="conflicts"), horizontal=True)
    with right:
        st.markdown("**Conflicts by outlet**")
        st.bar_chart(pd.Series(by_outlet, name="conflicts"), horizontal=True)


def sources_tab(store: Store) -> None:
    rows = store.source_rows()
    story_of = source_stories(store)
    stories = len(set(story_of.values()) - {""})
    columns = ("story",) * (stories > 1) + ("name", "outlet", "title", "published", "kind")
    listing = [{k: story_of.get(s["source_id"], "") if k == "story" else s[k] for k in columns} for s in rows]
    if stories > 1:
        listing.sort(key=lambda r: (r["story"], r["name"]))
    st.caption(f"{len(listing)} source(s) in the latest run"
               + (f", in {stories} stories (conflicts are looked for only within a story; name them in the "
                  "`story` column of sources.csv)" if stories > 1 else "") + f" · folder: {SOURCES_DIR.resolve()}")
    if listing:
        st.dataframe(pd.DataFrame(listing), hide_index=True, width="stretch")
    files = st.file_uploader("Add articles (.txt, .html, .md)", type=fx.UPLOAD_TYPES,
                             accept_multiple_files=True, key="uploads")
    can_add = bool(listing) and store.has_story_index()
    if files and can_add and st.button(f"➕ Add {len(files)} file(s) to the analysis", key="add_uploads",
                                       type="primary", help="Saves them to the sources folder; each joins its "
                                       "closest story, and only that story is compared again (seconds)."):
        add_to_analysis(store, files)
    if files and st.button(f"Save {len(files)} file(s) to {SOURCES_DIR}/", key="save_uploads"):
        saved = save_uploads(files)
        if saved:
            st.success(f"Saved {', '.join(p.name for p in saved)}. Press “Re-run the analysis” to include them.")
    if st.button("▶ Re-run the analysis", key="rerun", type="primary" if not files else "secondary",
                 help="Every stage on the whole folder: stories are grouped afresh."):
        rerun_pipeline(store)


def source_stories(store: Store) -> dict[str, str]:
    """source_id -> its story's name in the Sources tab ("" with one story or no stored index)."""
    from factcheck.stories import story_names

    index = store.load_story_index()
    if index is None:
        return {}
    return dict(zip(index.source_ids, story_names(index.stories, index.pins)))


def save_uploads(files) -> list[Path]:
    """Save uploads into the folder after checking each is an article (factcheck.folder: the
    policy `factcheck add` follows); a refused one is one error line."""
    from factcheck.config import load_settings
    from factcheck.folder import add_to_folder

    done = add_to_folder([(f.name, f.getvalue()) for f in files], SOURCES_DIR, load_settings(CONFIG_FILE, db_url=DB_URL))
    for err in done.errors:
        st.error(fx.said(err))
    return [s.path for s in done.staged]


def stage_bar():
    bar = st.progress(0.0, text="starting…")

    def progress(stage: str, done: int, total: int) -> None:
        i = STAGES.index(stage) if stage in STAGES else 0
        bar.progress(min(1.0, (i + done / max(total, 1)) / len(STAGES)), text=f"{stage}: {done}/{total}")

    return bar, progress


def add_to_analysis(store: Store, files) -> None:
    """Check, save and analyse uploads (factcheck.folder): a file the analysis refuses leaves the
    folder again."""
    from factcheck import pipeline
    from factcheck.config import load_settings
    from factcheck.folder import add_to_folder

    bar, progress = stage_bar()
    try:
        settings = load_settings(CONFIG_FILE, db_url=DB_URL)
        get_model(settings.model_package, settings.embedding_backend)
        done = add_to_folder([(f.name, f.getvalue()) for f in files], SOURCES_DIR, settings, store=store,
                             progress=progress)
        if done.result is not None:
            pipeline.write_store_outputs(store, SOURCES_DIR.resolve().parent)
    except FactcheckError as exc:
        bar.empty()
        st.error(f"Nothing was added: {fx.said(exc)}. Earlier results and reviews are unchanged.")
        return
    result = done.result
    skipped = f" Skipped: {'; '.join(map(fx.said, done.errors))}." if done.errors else ""
    if done.result is not None and done.result.notes:
        skipped += f" Notes: {'; '.join(done.result.notes)}."
    if result is None:
        bar.empty()
        st.error(f"Nothing was added.{skipped} Earlier results and reviews are unchanged.")
        return
    stories = sum(1 for joined, _ in result.stories.values() if joined)
    flash("success", f"Added {', '.join(s.name for s in result.sources)}: {len(result.claims)} claims; "
                     f"{stories} joined a story, {len(result.sources) - stories} started one; "
                     f"{len(result.new)} new conflicts. Your reviews were kept.{skipped}")
    st.rerun()


def rerun_pipeline(store: Store) -> None:
    from factcheck import pipeline
    from factcheck.config import load_settings

    bar, progress = stage_bar()
    try:
        settings = load_settings(CONFIG_FILE, db_url=DB_URL)
        get_model(settings.model_package, settings.embedding_backend)
        result = pipeline.run(SOURCES_DIR, settings, store=store, out=SOURCES_DIR.resolve().parent,
                              progress=progress)
    except FactcheckError as exc:
        bar.empty()
        st.error(f"The run stopped: {fx.said(exc)}. Earlier results and reviews are unchanged.")
        return
    skipped = f" Skipped: {'; '.join(map(fx.said, result.errors))}." if result.errors else ""
    if result.notes:
        skipped += f" Notes: {'; '.join(result.notes)}."
    flash("success", f"Run finished: {len(result.sources)} sources, {len(result.claims)} claims, "
                     f"{len(result.discrepancies)} conflicts. Your reviews were kept.{skipped}")
    st.rerun()


# ------------------------------------------------------------------------------------ page

def main() -> None:
    secrets = load_secrets()
    if access.auth_section(secrets) is not None:
        user = team_gate(secrets)
    else:
        machine_gate()
        user = None
    st.markdown(STYLE, unsafe_allow_html=True)
    try:
        store = get_store(DB_URL)
        rows = store.discrepancy_rows(include_stale=True)
    except FactcheckError as exc:
        st.error(fx.said(exc))
        st.stop()
    filters = sidebar(rows, user)
    shown = fx.filter_rows(rows, filters)
    export_button(shown)
    st.header("Where the outlets disagree", divider="gray")
    show_flash()
    if not rows and store.last_run():
        st.info("The latest run found no disagreements between outlets. Add articles in the **Sources** "
                "tab and press **Re-run the analysis** to look again.")
    elif not rows:
        st.info("No results yet. Run `factcheck run sources/` in a terminal, or add articles in the "
                "**Sources** tab below and press **Re-run the analysis**.")
    else:
        counts = fx.status_counts(rows)
        cols = st.columns(6)
        cols[0].metric("In this view", len(shown), help=f"of {len(rows)} disputed facts")
        for col, name in zip(cols[1:], list(STATUSES) + ["stale"]):
            col.metric(name.capitalize(), counts[name])
    review, fact_tab, coverage, variants, charts, srcs = st.tabs(
        ["Review queue", "Fact table", "Coverage", "Name variants", "Charts", "Sources"])
    with review:
        if rows:
            review_tab(store, shown)
    with fact_tab:
        facts_tab(store)
    with coverage:
        coverage_tab(store)
    with variants:
        variants_tab(store, rows)
    with charts:
        charts_tab(shown)
    with srcs:
        sources_tab(store)


main()
