"""Commands of named stand-ins (指定代岗): name who acts for an absent person, and the named
person's answer."""
from __future__ import annotations

import datetime as dt

import click

from ..i18n import person_label, t
from .base import DATE, _db, _row, _stdout, _workbook, emit_json, guarded, main, new_table


@main.group()
def standin() -> None:
    """Named stand-ins: who acts for an absent person, ahead of B, once they accept."""


@standin.command("add")
@click.option("--for", "person_id", metavar="P", required=True, help="The person who will be away.")
@click.option("--by", "standin_id", metavar="Q", required=True, help="Who acts for them.")
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--step", "steps", metavar="PROCESS:STEP", multiple=True,
              help="One of P's steps (repeat for more); all of P's steps when none is given.")
@click.pass_context
@guarded
def standin_add(ctx, person_id: str, standin_id: str, start: dt.date, end: dt.date, steps: tuple[str, ...]) -> None:
    """Name who stands in for a person on their steps for some days; prints the stand-in's id. It
    counts once the named person accepts (`abflow standin accept ID`)."""
    from roles import actions
    made = actions.add_standin(*_db(ctx), person_id=person_id, standin_id=standin_id, start=start, end=end,
                               steps=steps)
    click.echo(made.id)
    click.echo(t(f"standin.added.{made.state}", id=made.id, by=standin_id), err=True)


def _answer(ctx, standin_id: int, accept: bool) -> None:
    from roles import actions
    done = actions.answer_standin(*_db(ctx), standin_id=standin_id, accept=accept)
    click.echo(t(f"standin.{done.state}", id=done.id, by=done.standin, person=done.person))


@standin.command("accept")
@click.argument("standin_id", metavar="ID", type=int)
@click.pass_context
@guarded
def standin_accept(ctx, standin_id: int) -> None:
    """Accept standing in: from then on you act on those steps while the person is away."""
    _answer(ctx, standin_id, True)


@standin.command("decline")
@click.argument("standin_id", metavar="ID", type=int)
@click.pass_context
@guarded
def standin_decline(ctx, standin_id: int) -> None:
    """Decline standing in; whoever named you sees it as a risk."""
    _answer(ctx, standin_id, False)


@standin.command("list")
@click.option("--department", "department_id", metavar="ID", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def standin_list(ctx, department_id: str | None, as_json: bool) -> None:
    """Every named stand-in, with its days, steps and answer."""
    from roles import actions
    found = actions.standins(*_db(ctx), department_id=department_id)
    if as_json:
        emit_json({"standins": [{"id": x.id, "for": x.person, "by": x.standin, "from": x.start.isoformat(),
                                 "to": x.end.isoformat(), "steps": list(x.steps), "state": x.state,
                                 "named_by": x.named_by} for x in found]})
        return
    wb = _workbook(ctx, ())
    table = new_table(None, ("id", "standin_for", "standin_by", "from", "to", "standin_steps", "standin_state"))
    for x in found:
        _row(table, x.id, person_label(wb, x.person), person_label(wb, x.standin), x.start.isoformat(),
             x.end.isoformat(), "、".join(x.steps) or t("standin.all_steps"), t(f"standin.state.{x.state}"))
    _stdout().print(table)
