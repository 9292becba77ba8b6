"""What every page of the app shares: the database on ABFLOW_DB, who is signed in, the language,
the loaded workbook, and how an error is shown.

Pages call `roles.actions` with `db()` and `account()`; the `Database` handle keeps the loaded
workbook until the data changes (one cheap read of a version counter per run), so a rerun costs
only the engines' time, and every session of the server shares one copy.
"""
from __future__ import annotations

import os
import re
import time
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import streamlit as st

from roles import actions
from roles.model import Workbook

if TYPE_CHECKING:
    from .forwarded import Network


def language() -> str:
    return st.session_state.get("lang", "zh")


#: The handles this process has reached once, as opening one used to connect: a page calls db()
#: many times a run, and what fails after that is said where it fails.
_reached: weakref.WeakSet[actions.Database] = weakref.WeakSet()


def db() -> actions.Database:
    """The database; when it cannot be reached, a page that says so without naming it (its
    address, user and name are for the administrator, in the server's log)."""
    try:
        database = actions.open_database(os.environ.get("ABFLOW_DB"))
        if database not in _reached:  # the handle connects only when first asked: ask once here
            database.data_version()
            _reached.add(database)
        return database
    except actions.DatabaseUnavailable as e:
        import logging
        from .i18n import t
        logging.getLogger("abflow.app").error("%s", e)
        st.error(t("db.unavailable", language()))
        stop()


def workbook(versions: tuple[str, ...] = ("before", "after"), departments: frozenset[str] | None = None) -> Workbook:
    return actions.workbook(db(), account(), versions, departments)


def department_workbook(index: Workbook, process_id: str) -> Workbook:
    """The department of a process, read for a page that shows that one process: its steps, its
    people and their absences, and the people of other departments who hold its steps."""
    return workbook(departments=frozenset({index.department_of_section[index.process_by_id[process_id].section]}))


def plain(text: object) -> str:
    """Text as Streamlit's Markdown shows it literally: names, ids and file contents are typed by
    users, and a name such as `[点我](http://…)` must not become a link or an external image."""
    return _PUNCTUATION.sub(r"\\\1", str(text))


_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark, escaped


def show_error(e: actions.AbflowError) -> None:
    """An error of the use cases, one message per problem, in plain view, in the page's language."""
    from .problem_words import message_zh, problem_lines
    lg = language()
    if isinstance(e, actions.BadInput):
        lines = problem_lines(e, lg)
    else:  # a refusal, a lock or someone else's change: one sentence, in Chinese where the phrasebook has it
        lines = [(lg == "zh" and message_zh(str(e))) or str(e)]
    for line in lines:
        st.error(plain(line))


def editing(key: str, rows: list) -> tuple[list, str]:
    """The base of a table edit: `rows` as they were when the edit began, kept while it is pending
    (so rows never shift under it; saving checks them against the database) and renewed when the
    data has changed and nothing is being edited. Returns the base and the data editor's key."""
    version = db().data_version()
    snap = st.session_state.get(key)
    pending = snap is not None and any((st.session_state.get(f"{key}:{snap['n']}") or {}).get(k)
                                       for k in ("edited_rows", "added_rows", "deleted_rows"))
    if snap is None or (snap["version"] != version and not pending):
        snap = st.session_state[key] = {"rows": rows, "version": version, "n": snap["n"] + 1 if snap else 0}
    return snap["rows"], f"{key}:{snap['n']}"


def done_editing(key: str) -> None:
    """After a save (or to drop an edit): the next run starts from the stored rows, in a new editor."""
    st.session_state.pop(f"{key}:refused", None)
    if key in st.session_state:
        st.session_state[key] = {"rows": None, "version": None, "n": st.session_state[key]["n"] + 1}


def refused(key: str, message: str) -> None:
    """A save of the edit was refused because someone changed the rows meanwhile: say so from now on
    (a button made only in the run that saved could never be clicked)."""
    st.session_state[f"{key}:refused"] = message


def show_refusal(key: str, reload_label: str) -> None:
    """The refusal, if any, and a button that drops the edit and starts again from the stored rows."""
    if message := st.session_state.get(f"{key}:refused"):
        st.error(plain(message))
        if st.button(reload_label, key=f"{key}:reload"):
            done_editing(key)
            st.rerun()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _peer() -> tuple[str | None, Mapping[str, str], tuple[Network, ...]]:
    from .forwarded import trusted_proxies
    try:
        return st.context.ip_address, st.context.headers, trusted_proxies()
    except ValueError as e:  # the installation's setting is wrong: say so, sign nobody in on a guess
        st.error(plain(str(e)))
        stop()


def client_address() -> str:
    """The user's address, for sign-in throttling (ui.forwarded: the proxy's word only when it
    is one the installation trusts)."""
    from .forwarded import client_address as of
    return of(*_peer())


#: A sign-in lasts a working day; after that the app asks again.
SESSION_HOURS = 10
#: The cookie that carries the session token (actions.session_token) from tab to tab. It is set by
#: a script on the page, since Streamlit has no call that sets a cookie, so it cannot be HttpOnly;
#: the token is random and kept by the server, which ends it on sign-out, a new password or a
#: switched-off account, so a copy of it is worth nothing from then on.
COOKIE = "abflow_session"


def keep_session() -> None:
    """Set (or, after signing out, clear) the session cookie in the browser, by a script on the
    page, since Streamlit has no call that sets a cookie."""
    token = st.session_state.get(COOKIE)
    if token is None:
        return
    import json
    from .forwarded import is_https
    secure = "; Secure" if is_https(*_peer()) else ""
    value = f"{COOKIE}={token}; path=/; max-age={SESSION_HOURS * 3600 if token else 0}; SameSite=Strict{secure}"
    st.html(f"<script>document.cookie = {json.dumps(value)};</script>", unsafe_allow_javascript=True)


def restore_session() -> actions.Account | None:
    """The account the browser's session cookie signs in (a reload, a new tab), if it still holds
    and this session has not signed out; remembered in the session from then on."""
    if "account" in st.session_state or st.session_state.get("signed_out") or _oidc_configured():
        return st.session_state.get("account")
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or (kept := actions.session_account(db(), token)) is None:
        return None
    found, until = kept
    st.session_state["account"], st.session_state["signed_at"] = found, until - SESSION_HOURS * 3600
    st.session_state[SESSION] = token
    return found


def sign_out() -> None:
    """End the sign-in here and in the browser's other tabs."""
    st.session_state.pop("account", None)
    if token := st.session_state.pop(SESSION, None):  # ended for every tab, and every copy of the cookie
        actions.sign_out(db(), token=token)
    st.session_state["signed_out"] = True  # this session's cookie header still holds the old token
    st.session_state[COOKIE] = ""
    if _oidc_configured() and st.user.is_logged_in:  # st.user has no is_logged_in without [auth]
        st.logout()


#: Where this session keeps its token, to ask the server on every run whether it still holds.
SESSION = "session_token"


def _still_signed_in(e: actions.Database, signed: actions.Account) -> actions.Account | None:
    """The account as it is now, while its session holds: a sign-out in another tab, a new
    password or a switched-off account ends this one at its next run (OIDC sessions have no
    token: their account is asked for)."""
    token = st.session_state.get(SESSION)
    if token is None:
        return actions.account_now(e, signed)
    kept = actions.session_account(e, token)
    return kept[0] if kept is not None else None


def renew_session(signed: actions.Account) -> None:
    """A new session for this browser (after its own password change ended every old one)."""
    if SESSION in st.session_state:
        st.session_state[COOKIE] = st.session_state[SESSION] = actions.session_token(db(), signed, hours=SESSION_HOURS)
        st.session_state["signed_at"] = time.time()


def account():
    """Who is using the app: the OIDC sign-in's account when `st.login` is configured (then always,
    accounts or not, and only for a verified e-mail address), else the local account signed in on
    this session; with no accounts and no OIDC, the single local user. Stops the page with the
    sign-in form when someone must sign in first, and when a sign-in is older than SESSION_HOURS."""
    from .i18n import t
    lg = language()
    e = db()
    signed = st.session_state.get("account")
    if signed is not None:
        expired = time.time() - st.session_state.get("signed_at", 0) >= SESSION_HOURS * 3600
        if not expired and (now := _still_signed_in(e, signed)) is not None:
            st.session_state["account"] = now  # a changed role applies at once
            return now
        st.session_state.pop("account")
        st.warning(plain(t("signin.expired", lg, hours=SESSION_HOURS) if expired else t("signin.ended", lg)))
        if expired and _oidc_configured() and st.user.is_logged_in:
            st.logout()  # the organisation's sign-in is asked for again, not reused
    if _oidc_configured():
        if not st.user.is_logged_in:
            st.button(t("signin.oidc", lg), on_click=st.login, key="oidc_login")
            stop()
        email = str(st.user.get("email") or "")
        if st.user.get("email_verified") is not True:
            st.error(plain(t("signin.unverified", lg, email=email)))
            stop()
        found = actions.account_for_email(e, email)
        if found is None:
            st.error(plain(t("signin.unknown_email", lg, email=email)))
            stop()
        st.session_state["account"], st.session_state["signed_at"] = found, time.time()
        return found
    if not actions.any_accounts(e):
        return actions.LOCAL
    if (found := restore_session()) is not None:
        return found
    with st.form("signin"):
        st.subheader(t("signin.title", lg))
        username = st.text_input(t("signin.username", lg), key="signin_user")
        password = st.text_input(t("signin.password", lg), type="password", key="signin_password")
        if st.form_submit_button(t("signin.submit", lg)):
            try:
                found = actions.sign_in(e, username.strip(), password, client_address())
            except actions.AbflowError as err:  # locked after too many failures
                show_error(err)
                stop()
            if found is None:
                st.error(plain(t("signin.failed", lg)))
            else:
                st.session_state["account"], st.session_state["signed_at"] = found, time.time()
                # Kept by the browser for the working day: a reload or a new tab needs no new sign-in.
                st.session_state[COOKIE] = st.session_state[SESSION] = actions.session_token(e, found, hours=SESSION_HOURS)
                st.session_state.pop("signed_out", None)
                st.rerun()
    stop()


@st.cache_data(show_spinner=False, max_entries=64)
def drawn(dot: str, fmt: str) -> bytes:
    """A chart drawn by Graphviz, kept for its source: a page's reruns draw it once."""
    from flows.render import render
    return render(dot, fmt)


def run_drawn() -> None:
    """The run's last word, after everything it drew: the number of runs this session has made,
    which a browser (the tests, the benchmark) waits for to know that the page is drawn whole."""
    ran = st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    st.sidebar.html(f'<span data-testid="abflow-ran" data-run="{ran}" hidden></span>')


def stop() -> NoReturn:
    """Stop the page here (st.stop), saying so to the browser as a run's end does."""
    run_drawn()
    st.stop()
    raise AssertionError("st.stop returned")  # it raises at its yield point; never reached


def choose(where: Any, label: str, names: Mapping[str, str], key: str) -> str:
    """One of `names` (id → the words a user reads), picked in `where`'s select box (`st` or a
    column). Never None: `page` stops on an empty database, and an empty list stops here too."""
    picked: str | None = where.selectbox(label, list(names), key=key, format_func=names.__getitem__)
    if picked is None:
        stop()
    return picked


#: Where a list starts: the signed-in person's own section, their department, or everything.
SCOPES = ("mine", "department", "all")


def choose_scoped(where: Any, label: str, names: Mapping[str, str], key: str, wb: Workbook,
                  section_of: Mapping[str, str]) -> str:
    """One of `names` as `choose` picks it, from a city's thousands: the list starts on the
    signed-in person's own section (我的科室), or their department (本部门), or everything (全部),
    and narrows to the entries whose words hold every word typed in the search box (name, id,
    section, department, in any order). `section_of` gives each entry's section. An entry already
    chosen (a link, a return to the page) widens the scope to include it."""
    from .i18n import t
    lg = language()
    me = wb.person_by_id.get(account().person or "")
    dept_of = wb.department_of_section
    scopes = SCOPES if me is not None else ("all",)

    def within(scope: str, ident: str) -> bool:
        sec = section_of.get(ident, "")
        return scope == "all" or (me is not None and (
            sec == me.section if scope == "mine" else dept_of.get(sec) == dept_of.get(me.section)))
    scope_key, search_key = f"{key}_scope", f"{key}_search"
    chosen = str(st.session_state.get(key) or "")
    if scope_key not in st.session_state or (chosen in names and not within(st.session_state[scope_key], chosen)):
        fits = [sc for sc in scopes if any(within(sc, x) for x in names) and (chosen not in names or within(sc, chosen))]
        st.session_state[scope_key] = fits[0] if fits else "all"
    if st.session_state[scope_key] not in scopes:
        st.session_state[scope_key] = "all"
    if len(scopes) > 1:
        c1, c2 = where.columns([2, 3])
        scope = c1.radio(t("scope.title", lg), scopes, key=scope_key, horizontal=True,
                         format_func=lambda sc: t(f"scope.{sc}", lg))
    else:  # nobody signed in with a section of their own: the whole list, and its search
        scope, c2 = "all", where
    words = c2.text_input(t("scope.search", lg), key=search_key, placeholder=t("scope.search_hint", lg)).lower().split()
    shown = {x: n for x, n in names.items() if within(scope, x) and all(w in n.lower() for w in words)}
    if not shown:
        where.info(plain(t("scope.none", lg, words=" ".join(words))))
        stop()
    if st.session_state.get(key) not in shown:
        st.session_state.pop(key, None)
    return choose(where, label, shown, key)


def page(title_key: str, need_data: bool = True,
         versions: tuple[str, ...] = ("before", "after")) -> tuple[str, Workbook]:
    """Start a page: its title, and the language and workbook; the sign-in form when one is needed;
    a hint when there is no data (unless the page is where data comes in). A page that asks the
    use cases for its steps takes `versions=()`: the organisation and the processes' names, not
    every step of every process (at a province's scale, half a million)."""
    from .i18n import t
    lg = language()
    st.title(t(title_key, lg))
    account()
    wb = workbook(versions)
    if need_data and (not wb.departments or not wb.processes):
        st.info(plain(t("today.empty", lg)))
        stop()
    return lg, wb
