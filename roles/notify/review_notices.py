"""Review notices: to whoever may approve, what waits for their decision; to an author, what was
decided of theirs and what others said on their drafts (征求意见) since the last workday. Sent with the daily notices, to the person an account
belongs to, and counted in the weekly digest."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from roles.actor import Account, approves
from roles.model import MatterChange, Workbook
from roles.notify.notices import Notice, NoticeKind, NoticeWords
from roles.storage.reviews import Review

KIND: NoticeKind = "review"


def waiting_for(reviews: Iterable[Review], accounts: Iterable[Account], wb: Workbook) -> dict[str, list[Review]]:
    """Each person whose account may approve: the submissions waiting for them, not their own."""
    pending = [r for r in reviews if r.state == "submitted" and r.process in wb.process_by_id]
    out: dict[str, list[Review]] = {}
    for acc in accounts:
        if not acc.person:
            continue
        mine = [r for r in pending if r.author != acc.username
                and approves(acc, wb.department_of_section.get(wb.process_by_id[r.process].section))]
        if mine:
            out.setdefault(acc.person, []).extend(mine)
    return out


def matters_waiting_for(changes: Iterable[MatterChange], accounts: Iterable[Account]) -> dict[str, list[MatterChange]]:
    """Each person whose account may decide a change of a matter done once: those waiting, not their own."""
    pending = [c for c in changes if c.state == "submitted"]
    out: dict[str, list[MatterChange]] = {}
    for acc in accounts:
        mine = [c for c in pending if acc.person and c.author != acc.username and approves(acc, c.proposed.lead)]
        if mine:
            out.setdefault(acc.person or "", []).extend(mine)
    return out


def compose_reviews(day: dt.date, since: dt.date, reviews: list[Review], accounts: list[Account], wb: Workbook,
                    words: NoticeWords, local, recipients: set[str] | None = None,
                    matters: Iterable[MatterChange] = ()) -> list[Notice]:
    """One notice per person: what waits for their review (changes of processes and of matters done
    once), and what of theirs was decided on or after `since` (the last workday) and before `day`.
    `local` turns a stored moment into the office's time."""
    name = lambda pid: wb.process_by_id[pid].name if pid in wb.process_by_id else pid  # noqa: E731
    at = lambda moment: f"{local(moment):%m-%d %H:%M}"  # noqa: E731
    items: dict[str, list[str]] = {}
    for person, waiting in waiting_for(reviews, accounts, wb).items():
        items[person] = ["  " + words.review_item.format(process=name(r.process), kind=getattr(words, f"review_{r.kind}"),
                                                         author=r.author, at=at(r.submitted)) for r in waiting]
    for person, changes in matters_waiting_for(matters, accounts).items():
        items.setdefault(person, []).extend(
            "  " + words.review_item.format(process=c.proposed.name, kind=words.review_matter, author=c.author,
                                            at=at(c.submitted_at)) for c in changes)
    lines: dict[str, list[str]] = {person: [words.review_waiting.format(n=len(told)), *told] for person, told in items.items()}
    person_of = {a.username: p for a in accounts if (p := a.person)}
    decided: dict[str, list[str]] = {}
    for r in reviews:
        if r.state == "submitted" or r.decided is None or not since <= local(r.decided).date() < day:
            continue
        author = person_of.get(r.author)
        if author is None:
            continue
        said = "；".join(c.text for c in r.comments if r.decided and c.at >= r.decided) or "—"
        decided.setdefault(author, []).append("  " + (
            words.review_approved.format(process=name(r.process), approver=r.approver, at=at(r.decided))
            if r.state == "approved" else
            words.review_returned.format(process=name(r.process), approver=r.approver, at=at(r.decided), said=said)))
    for person, told in decided.items():
        lines.setdefault(person, []).extend([words.review_decided.format(n=len(told)), *told])
    heard: dict[str, list[str]] = {}  # comments others made on an author's drafts
    for r in reviews:
        author = person_of.get(r.author)
        if author is None:
            continue
        for c in r.comments:
            said_deciding = r.decided is not None and c.author == r.approver and c.at >= r.decided
            if c.author != r.author and not said_deciding and since <= local(c.at).date() < day and c.at >= r.submitted:
                heard.setdefault(author, []).append("  " + words.review_comment.format(
                    who=c.author, process=name(r.process) + (f" · {c.step}" if c.step else ""), text=c.text))
    for person, told in heard.items():
        lines.setdefault(person, []).extend([words.review_comments.format(n=len(told)), *told])
    return [Notice(day, KIND, person, words.review_title.format(n=sum(x.startswith("  ") for x in body)),
                   "\n".join(body)) for person, body in lines.items() if recipients is None or person in recipients]
