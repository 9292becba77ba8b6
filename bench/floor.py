"""The floor a roster or a gap search is measured against: the same JSON as `abflow roster --json`
and `abflow gaps --json`, byte for byte on the bench city, from one joined query of the columns
the answer needs and one Python pass, on the bare driver. It imports nothing of abflow, so what
it costs is what the question costs, and bench.run checks its answer equals abflow's.

Run as a command, as `abflow` is: `python -m bench.floor URL roster DAY` or
`python -m bench.floor URL gaps FROM TO`. It knows what the bench city holds (no limits on B, no
half days); abflow's engines know the rest.

`python -m bench.floor URL import FILE` is an import's floor: the file read whole with `json`, and
its processes, versions and steps written into empty tables like theirs (their keys, no foreign
keys) with COPY (executemany on SQLite), nothing checked, then rolled back.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys

WORK = ("task", "approval")
RANK = {"head": 0, "deputy": 1, "staff": 2}


def connect(url: str):
    if url.startswith("sqlite"):
        return sqlite3.connect(url.split("///", 1)[1]), "?"
    import psycopg
    return psycopg.connect("postgresql://" + url.split("://", 1)[1], autocommit=True), "%s"


def _list(value) -> list:
    return json.loads(value) if isinstance(value, str) else (value or [])


def read(conn, mark: str):
    """The steps in roster order with their process, section and department; the people by section."""
    steps = conn.execute(
        "SELECT s.process_id, s.id, s.name, s.kind, s.next, s.a, s.b, s.skill, s.b_may_act, c.department_id, "
        "p.section_id FROM step s JOIN process p ON p.id = s.process_id JOIN section c ON c.id = p.section_id "
        "JOIN department d ON d.id = c.department_id WHERE s.version = 'after' "
        "ORDER BY d.position, p.position, s.position").fetchall()
    people: dict[str, list[tuple]] = {}
    for pid, section, post, skills in conn.execute(
            "SELECT e.id, e.section_id, e.post, e.skills FROM person e JOIN section c ON c.id = e.section_id "
            "JOIN department d ON d.id = c.department_id ORDER BY d.position, e.position").fetchall():
        people.setdefault(section, []).append((pid, post, set(_list(skills))))
    return steps, people


def away_on(conn, mark: str, day: dt.date) -> set[str]:
    return {p for (p,) in conn.execute(f'SELECT person_id FROM absence WHERE start <= {mark} AND "end" >= {mark}',
                                       (day.isoformat(),) * 2).fetchall()}


def workday(conn, mark: str, day: dt.date) -> bool:
    import chinese_calendar
    found = conn.execute(f"SELECT workday FROM calendar_day WHERE date = {mark}", (day.isoformat(),)).fetchall()
    return bool(found[0][0]) if found else chinese_calendar.is_workday(day)


class Roster:
    def __init__(self, steps, people):
        self.steps, self.people = steps, people
        self.chain = {s: [p for post in ("head", "deputy") for p, q, _ in sorted(ps) if q == post]
                      for s, ps in people.items()}
        self.by_process: dict[str, list[tuple]] = {}
        for row in steps:
            self.by_process.setdefault(row[0], []).append(row)

    def near(self, process: str, step: str) -> set[str]:
        """Holders of the work steps right before or after `step`, looking through gateways."""
        rows = {r[1]: r for r in self.by_process[process]}

        def after(sid: str) -> set[str]:
            found, stack, seen = set(), list(_list(rows[sid][4])), set()
            while stack:
                t = stack.pop()
                if t in seen or t not in rows:
                    continue
                seen.add(t)
                if rows[t][3] in WORK:
                    found.add(t)
                else:
                    stack.extend(_list(rows[t][4]))
            return found
        ids = after(step) | {u for u, r in rows.items() if r[3] in WORK and step in after(u)}
        ids.discard(step)
        return {h for t in ids for h in (rows[t][5], rows[t][6]) if h}

    def status(self, row, away: set[str]):
        process, sid, _, _, _, a, b, skill, may, _, section = row
        if a and a not in away:
            return "A", a, None
        if b and b not in away and (may is None or may):
            return "B", b, None
        for p in self.chain.get(section, ()):
            if p != a and p not in away:
                return "up", p, None
        near = self.near(process, sid)
        best = sorted((p for p in self.people.get(section, ()) if p[0] not in away and p[0] not in (a, b)),
                      key=lambda p: (bool(skill) and skill not in p[2], p[1] != "head", p[0] not in near,
                                     RANK.get(p[1], 3)))
        return "gap", None, best[0][0] if best else None


#: A step's columns the bench files give, and the defaults of those a step may leave out.
STEP_COLUMNS = ("id", "name", "kind", "next", "a", "b", "minutes", "per_month", "days", "skill")
STEP_DEFAULTS = {"kind": "task", "next": []}
VERSION_COLUMNS = ("kind", "legal_days", "promised_days", "materials", "trips")


def load(url: str, path: str) -> None:
    """The floor of `abflow import`: what any import of the file must do, and nothing more."""
    tree = json.loads(open(path, "rb").read())
    conn, mark = connect(url)
    pg = not url.startswith("sqlite")
    if pg:
        conn.autocommit = False
    else:  # sqlite3 would commit each CREATE TABLE of its own accord
        conn.isolation_level = None
        conn.execute("BEGIN")
    for table in ("process", "process_version", "step"):
        conn.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)" if pg else
                     f"CREATE TABLE floor_{table} AS SELECT * FROM {table} WHERE 0")
    processes = [(p["id"], p["section"], p["name"], i) for i, p in enumerate(tree["processes"])]
    versions = [(p["id"], which, 1, *(_cell(p[which].get(c)) for c in VERSION_COLUMNS))
                for p in tree["processes"] for which in ("before", "after") if p.get(which)]
    steps = ((p["id"], which, j, *(_cell(s.get(c, STEP_DEFAULTS.get(c))) for c in STEP_COLUMNS))
             for p in tree["processes"] for which in ("before", "after") if p.get(which)
             for j, s in enumerate(p[which]["steps"]))
    for table, columns, rows in (("process", ("id", "section_id", "name", "position"), processes),
                                 ("process_version", ("process_id", "version", "revision", *VERSION_COLUMNS), versions),
                                 ("step", ("process_id", "version", "position", *STEP_COLUMNS), steps)):
        if pg:
            with conn.cursor().copy(f"COPY floor_{table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            conn.executemany(f"INSERT INTO floor_{table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                             rows)
    conn.rollback()


def _cell(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def main() -> None:
    url, what, *days = sys.argv[1:]
    if what == "import":
        load(url, days[0])
        return
    conn, mark = connect(url)
    steps, people = read(conn, mark)
    r = Roster(steps, people)
    if what == "roster":
        day = dt.date.fromisoformat(days[0])
        out: list[dict] = []
        doc = {"date": day.isoformat(), "workday": workday(conn, mark, day), "calendar": "official", "steps": out}
        if doc["workday"]:
            away = away_on(conn, mark, day)
            for row in steps:
                if row[3] in WORK:
                    status, acting, suggested = r.status(row, away)
                    out.append({"process": row[0], "step": row[1], "a": row[5], "b": row[6], "acting": acting,
                                "status": status, "suggested": suggested, "department": row[9],
                                "section": row[10], "name": row[2] or row[1]})
    else:
        start, end = dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[1])
        gaps: list[dict] = []
        doc = {"from": start.isoformat(), "to": end.isoformat(), "calendar": "official", "gaps": gaps}
        by_a: dict[str | None, list[tuple[int, tuple]]] = {}
        for i, row in enumerate(steps):
            if row[3] in WORK:
                by_a.setdefault(row[5], []).append((i, row))
        day = start
        while day <= end:
            if workday(conn, mark, day):
                away = away_on(conn, mark, day)
                exposed = sorted(x for a in (*away, None) for x in by_a.get(a, ()))
                for _, row in exposed:
                    status, _, suggested = r.status(row, away)
                    if status == "gap":
                        gaps.append({"date": day.isoformat(), "process": row[0], "step": row[1], "a": row[5],
                                     "b": row[6], "department": row[9], "section": row[10],
                                     "name": row[2] or row[1], "suggested": suggested})
            day += dt.timedelta(days=1)
    print(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
