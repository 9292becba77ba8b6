"""Accounts: everyone's own password and notice contacts; for the reform office, every account
(make one, change its role, switch it off or on, set a new password, remove it)."""
from __future__ import annotations

import streamlit as st

from roles import actions, clock
from ui.cells import show_table
from ui.i18n import person_label, t
from ui.state import account, db, page, plain, renew_session, show_error, stop

lg, wb = page("page.accounts", need_data=False)
me = account()
people = [p.id for p in wb.people]


def done(message: str) -> None:
    st.session_state["accounts:done"] = message
    st.rerun()


def attempt(run, message: str) -> None:
    """Run a use case; say what it did (after the rerun that shows the change) or why not."""
    try:
        run()
    except actions.AbflowError as e:
        show_error(e)
    else:
        done(message)


if message := st.session_state.pop("accounts:done", None):
    st.success(plain(message))

if me.username != actions.LOCAL.username:
    st.subheader(t("accounts.mine", lg, user=me.username))
    with st.form("own_password", clear_on_submit=True):
        current = st.text_input(t("accounts.current", lg), type="password", key="own_current")
        new = st.text_input(t("accounts.new_password", lg), type="password", key="own_new",
                            help=t("accounts.policy", lg))
        again = st.text_input(t("accounts.repeat", lg), type="password", key="own_again")
        if st.form_submit_button(t("accounts.change_password", lg)):
            if new != again:
                st.error(plain(t("accounts.mismatch", lg)))
            else:
                def change_own() -> None:
                    actions.set_password(db(), me, username=me.username, password=new, current=current)
                    renew_session(me)  # every other sign-in of the account ended; this one goes on
                attempt(change_own, t("accounts.password_changed", lg))

if me.person:
    st.subheader(t("accounts.contacts", lg))
    for shown in actions.contacts(db(), me, person_id=me.person).get(me.person, []):
        st.code(shown, language=None)
    with st.form("own_contacts", clear_on_submit=True):
        urls = st.text_area(t("accounts.contacts_new", lg), key="own_urls", help=t("accounts.contacts_help", lg))
        if st.form_submit_button(t("accounts.contacts_save", lg)):
            attempt(lambda: actions.set_contacts(db(), me, person_id=me.person, urls=urls.split()),
                    t("accounts.contacts_saved", lg))

if not actions.is_office(me):
    stop()

st.subheader(t("accounts.all", lg))
listed = actions.list_accounts(db(), me)
if not listed:
    st.info(plain(t("accounts.none_yet", lg)))
else:
    show_table(st, [{
        t("signin.username", lg): a.username, t("accounts.role", lg): t(f"role.{a.role}", lg),
        t("today.person", lg): person_label(wb, a.person) if a.person else "",
        t("accounts.state", lg): t("accounts.off" if off else "accounts.on", lg)} for a, off in listed])
role_name = lambda r: t(f"role.{r}", lg)  # noqa: E731
who = lambda p: person_label(wb, p) if p else "—"  # noqa: E731

with st.expander(t("accounts.add", lg), expanded=not listed):
    with st.form("add_account", clear_on_submit=True):
        username = st.text_input(t("signin.username", lg), key="add_user")
        role = st.selectbox(t("accounts.role", lg), actions.ROLES, format_func=role_name, key="add_role")
        person = st.selectbox(t("today.person", lg), [None, *people], format_func=who, key="add_person")
        password = st.text_input(t("signin.password", lg), type="password", key="add_password",
                                 help=t("accounts.policy", lg))
        if st.form_submit_button(t("accounts.add", lg)):
            attempt(lambda: actions.add_account(db(), me, username=username.strip(), password=password, role=role,
                                                person_id=person),
                    t("accounts.added", lg, username=username.strip(), role=role_name(role)))

if listed:
    by_name = {a.username: (a, off) for a, off in listed}
    chosen = st.selectbox(t("accounts.choose", lg), list(by_name), key="acc_chosen")
    acc, off = by_name[chosen]
    # Keyed by the account, so that choosing another one shows its own values.
    with st.form("change_account"):
        new_role = st.selectbox(t("accounts.role", lg), actions.ROLES, index=actions.ROLES.index(acc.role),
                                format_func=role_name, key=f"acc_role:{acc.username}")
        options = [None, *people]
        new_person = st.selectbox(t("today.person", lg), options, format_func=who, key=f"acc_person:{acc.username}",
                                  index=options.index(acc.person) if acc.person in options else 0)
        enabled = st.checkbox(t("accounts.may_sign_in", lg), value=not off, key=f"acc_enabled:{acc.username}")
        if st.form_submit_button(t("accounts.save", lg)):
            attempt(lambda: actions.change_account(db(), me, username=acc.username, role=new_role,
                                                   person_id=new_person, disabled=not enabled),
                    t("accounts.changed", lg, username=acc.username))
    with st.form("reset_password", clear_on_submit=True):
        reset = st.text_input(t("accounts.new_password", lg), type="password", key=f"acc_password:{acc.username}",
                              help=t("accounts.policy", lg))
        if st.form_submit_button(t("accounts.set_password", lg)):
            attempt(lambda: actions.set_password(db(), me, username=acc.username, password=reset),
                    t("accounts.changed", lg, username=acc.username))
    sure = st.checkbox(t("accounts.remove_sure", lg, username=acc.username), key=f"acc_sure:{acc.username}")
    if st.button(t("accounts.remove", lg), key=f"acc_remove:{acc.username}", disabled=not sure):
        attempt(lambda: actions.remove_account(db(), me, username=acc.username),
                t("accounts.removed", lg, username=acc.username))

# What became of the notices: every send of the last week, a work notice's delivered and read too.
st.subheader(t("accounts.dispatches", lg))
recent = [r for r in actions.dispatches(db(), me) if (clock.today() - r.day).days <= 7][::-1]
if not recent:
    st.caption(plain(t("accounts.no_dispatches", lg)))
else:
    counts = {s.replace("-", "_"): sum(r.status == s for r in recent)
              for s in ("sent", "delivered", "read", "failed", "gave-up")}
    st.caption(plain(t("accounts.dispatch_counts", lg, **counts)))
    show_table(st, [{
        t("dispatch.day", lg): r.day.isoformat(), t("dispatch.recipient", lg): who(r.recipient),
        t("accounts.channel", lg): r.target.split(" #")[0], t("accounts.notice", lg): r.title,
        t("dispatch.status", lg): t(f"dispatch.{r.status}", lg), t("dispatch.error", lg): r.error or ""}
        for r in recent[:200]])
