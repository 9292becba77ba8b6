"""The acting-holder API, served by `abflow api` on a free port and called over real HTTP with
httpx, as a chat bot would: its answers equal the CLI's JSON, a token unknown or revoked gets 401,
a client limited to a department reads that department only, and the OpenAPI docs are there."""
from __future__ import annotations

import pytest

from ..browser import serving
from ..conftest import BIANBAN

httpx = pytest.importorskip("httpx")


@pytest.fixture
def api(cli, db_url):
    from roles import actions
    from roles.model import Matter
    assert cli("import", str(BIANBAN)).exit_code == 0
    db = actions.open_database(db_url)  # a matter done once, of the example's two processes
    actions.propose_matter(db, actions.Account("tester", "office"), expected=None,
                           matter=Matter("bb-m1", "编办一件事", "bb", (("bb-p1",), ("bb-p2",))))
    with serving(db_url, "api") as base:
        yield base


def token(cli, name: str, *options: str) -> str:
    made = cli.json("api", "client", "add", name, *options)
    assert made["name"] == name and made["token"].startswith("abf_")
    return made["token"]


def get(base: str, path: str, key: str | None, **params):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(f"{base}{path}", params=params, headers=headers, timeout=30)


def test_the_api_answers_as_the_cli_does(api, cli):
    key = token(cli, "duty-bot")
    assert get(api, "/v1/roster", key, date="2026-11-25").json() == cli.json("roster", "--date", "2026-11-25")
    assert get(api, "/v1/roster", key, date="2026-11-25", department="bb").json() == \
        cli.json("roster", "--date", "2026-11-25", "--department", "bb")
    assert get(api, "/v1/gaps", key, **{"from": "2026-11-23", "to": "2026-12-31"}).json() == \
        cli.json("gaps", "--from", "2026-11-23", "--to", "2026-12-31")
    assert get(api, "/v1/handovers", key, open="true").json() == cli.json("handovers", "--open")
    step = get(api, "/v1/steps/bb-p1/s1", key, date="2026-11-25").json()
    assert (step["status"], step["acting"]) == ("up", "bb01")  # bb03 and bb04 away: the head acts
    day = get(api, "/v1/people/bb01", key, date="2026-11-25").json()
    assert day["away"] is False and {(d["process"], d["step"]) for d in day["covers"]} == {("bb-p1", "s1"), ("bb-p1", "s4")}
    section = get(api, "/v1/sections/bb-jg/day", key, date="2026-11-25").json()
    assert {d["section"] for d in section["steps"]} == {"bb-jg"}
    assert get(api, "/v1/matters", key).json() == cli.json("matters")
    assert get(api, "/v1/matters/bb-m1", key).json() == cli.json("matter", "bb-m1")
    assert get(api, "/v1/matters/nope", key).status_code == 404


def test_every_answer_is_the_shape_the_openapi_description_declares(api, cli):
    """Each route's 200 names its model (ui/answers.py), and real answers hold to it: no key
    missing, none more, every status and state one of its words."""
    from ui import answers
    spec = httpx.get(f"{api}/openapi.json", timeout=30).json()
    key = token(cli, "shapes-bot")
    asked = {"/v1/roster": (answers.Roster, {"date": "2026-11-25"}),
             "/v1/gaps": (answers.Gaps, {"from": "2026-11-23", "to": "2026-12-31"}),
             "/v1/steps/{process}/{step}": (answers.StepOnDay, {"date": "2026-11-25"}),
             "/v1/people/{person}": (answers.PersonDay, {"date": "2026-11-25"}),
             "/v1/sections/{section}/day": (answers.Roster, {"date": "2026-11-25"}),
             "/v1/handovers": (answers.Handovers, {}),
             "/v1/matters": (answers.Matters, {}), "/v1/matters/{matter}": (answers.Matter, {})}
    filled = {"{process}": "bb-p1", "{step}": "s1", "{person}": "bb01", "{section}": "bb-jg", "{matter}": "bb-m1"}
    for path, (model, params) in asked.items():
        declared = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert declared == {"$ref": f"#/components/schemas/{model.__name__}"}, path
        url = path
        for hole, value in filled.items():
            url = url.replace(hole, value)
        got = get(api, url, key, **params)
        assert got.status_code == 200, (path, got.text)
        model.model_validate(got.json())
    assert answers.Handovers.model_validate(get(api, "/v1/handovers", key).json()).handovers  # the example has some


def test_an_unknown_missing_or_revoked_token_gets_401(api, cli):
    assert get(api, "/v1/roster", None, date="2026-11-25").status_code == 401
    assert get(api, "/v1/roster", "abf_not-a-token", date="2026-11-25").status_code == 401
    key = token(cli, "old-bot")
    assert get(api, "/v1/roster", key, date="2026-11-25").status_code == 200
    assert cli("api", "client", "revoke", "old-bot").exit_code == 0
    refused = get(api, "/v1/roster", key, date="2026-11-25")
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    listed = {c["name"]: c for c in cli.json("api", "client", "list")["clients"]}
    assert listed["old-bot"]["revoked_at"] is not None and "token" not in listed["old-bot"]
    trail = [r["action"] for r in cli.json("audit")["audit"]]
    assert "api.client.add" in trail and "api.client.revoke" in trail


def test_a_client_limited_to_a_department_reads_only_it(api, cli, tmp_path):
    key = token(cli, "bb-board", "--department", "bb")
    assert get(api, "/v1/roster", key, date="2026-11-25").json() == \
        cli.json("roster", "--date", "2026-11-25", "--department", "bb")
    other = tmp_path / "other.yaml"
    other.write_text("""version: 1
departments:
  - {id: zz, name: 另一部门, sections: [{id: zz-a, name: 甲科}]}
people:
  - {id: zz1, name: 甲, section: zz-a, post: head}
""", encoding="utf-8")
    assert cli("import", str(other)).exit_code == 0
    assert get(api, "/v1/roster", key, date="2026-11-25", department="zz").status_code == 403
    assert get(api, "/v1/people/zz1", key, date="2026-11-25").status_code == 403
    assert get(api, "/v1/sections/zz-a/day", key, date="2026-11-25").status_code == 403


def test_bad_questions_get_clear_answers(api, cli):
    key = token(cli, "careless-bot")
    assert get(api, "/v1/roster", key, date="2026-13-45").status_code == 422
    for not_a_date in ("0", "1764806400", "20261125", " 2026-11-25", "2026-11-25T00:00"):
        assert get(api, "/v1/roster", key, date=not_a_date).status_code == 422, not_a_date
    assert get(api, "/v1/gaps", key, **{"from": "0", "to": "2026-01-01"}).status_code == 422
    assert get(api, "/v1/roster", key, date="1899-12-31").status_code == 400
    year = get(api, "/v1/gaps", key, **{"from": "2026-01-01", "to": "2027-01-05"})
    assert year.status_code == 400 and "a year at a time" in year.json()["detail"]
    too_long = get(api, "/v1/gaps", key, **{"from": "2000-01-01", "to": "2026-01-01"})
    assert too_long.status_code == 400 and "longer than" in too_long.json()["detail"]
    missing = get(api, "/v1/steps/bb-p1/nope", key, date="2026-11-25")
    assert missing.status_code == 404 and "bb-p1/nope" in missing.json()["detail"]
    assert get(api, "/v1/people/nobody", key, date="2026-11-25").status_code == 404


def test_the_openapi_description_and_docs(api):
    spec = httpx.get(f"{api}/openapi.json", timeout=30).json()
    assert {"/v1/roster", "/v1/gaps", "/v1/steps/{process}/{step}", "/v1/people/{person}",
            "/v1/sections/{section}/day", "/v1/handovers"} <= set(spec["paths"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert {"200", "400", "401", "403", "404", "422", "429", "503"} <= set(spec["paths"]["/v1/roster"]["get"]["responses"])
    docs = httpx.get(f"{api}/docs", timeout=30)
    assert docs.status_code == 200
    # Swagger UI from this server, not a CDN an intranet cannot reach
    import re
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert all(httpx.get(f"{api}{a}", timeout=30).status_code == 200 for a in assets)


def test_only_the_office_makes_clients_and_a_bad_one_is_refused(cli):
    assert cli("import", str(BIANBAN)).exit_code == 0
    bad = cli("api", "client", "add", "x", "--role", "staff")
    assert bad.exit_code == 2 and "person" in bad.stderr
    assert cli("api", "client", "add", "bad name!").exit_code == 2
    assert cli("api", "client", "add", "b", "--department", "nope").exit_code == 2


@pytest.fixture
def slow_api(cli, db_url):
    """The API with a small burst and one answer at a time, none waiting for its turn."""
    assert cli("import", str(BIANBAN)).exit_code == 0
    with serving(db_url, "api", env={"ABFLOW_API_BURST": "5", "ABFLOW_API_RATE": "6", "ABFLOW_API_CONCURRENT": "1",
                                     "ABFLOW_API_WAIT": "0"}) as base:
        yield base


def test_a_client_asking_too_fast_is_told_when_to_ask_again_and_others_are_not(slow_api, cli):
    key, other = token(cli, "eager-bot"), token(cli, "calm-bot")
    answers = [get(slow_api, "/v1/handovers", key).status_code for _ in range(8)]
    assert answers[:5] == [200] * 5 and 429 in answers[5:]
    refused = get(slow_api, "/v1/handovers", key)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert get(slow_api, "/v1/handovers", other).status_code == 200  # a bucket per client


def test_answers_worked_on_at_once_are_bounded_and_the_rest_told_to_come_back(slow_api, cli):
    from ..conftest import together
    keys, codes = [token(cli, f"board-{i}") for i in range(8)], []
    assert together(len(keys), lambda i: codes.append(
        get(slow_api, "/v1/gaps", keys[i], **{"from": "2026-01-01", "to": "2026-12-31"}).status_code)) == []
    assert set(codes) <= {200, 503} and 503 in codes and 200 in codes


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_database_gone_is_503_without_its_address(cli, db_url):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    assert cli("import", str(BIANBAN)).exit_code == 0
    key = token(cli, "night-bot")
    with serving(db_url, "api") as base:
        assert get(base, "/v1/roster", key, date="2026-11-25").status_code == 200
        name = make_url(db_url).database
        admin = create_engine(make_url(db_url).set(database="postgres", query={}), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
            c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        try:
            gone = get(base, "/v1/roster", key, date="2026-11-25")
            assert gone.status_code == 503 and "retry-after" in gone.headers
            assert name not in gone.text and "5432" not in gone.text and "127.0.0.1" not in gone.text
        finally:
            with admin.connect() as c:
                c.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
            admin.dispose()


def test_a_department_clients_handovers_read_writes_nothing_and_shows_no_other_departments(cli, db_url, tmp_path):
    """z of department dy holds steps of dx; dx's client reading handovers neither cuts z's
    handover nor sees what z wrote in it, and a GET writes no row."""
    import yaml
    from roles import actions
    from ..roles.test_handovers import CROSS, END, START, _rows
    tree = yaml.safe_load(CROSS)
    tree["absences"] = [{"person": "z", "start": START.isoformat(), "end": END.isoformat(), "reason": "sick"}]
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    database = actions.open_database(db_url)
    [h] = actions.handovers(database, actions.LOCAL)
    actions.handover_items(database, actions.LOCAL, handover_id=h.id, revision=h.revision, items="乙局私事")
    key = token(cli, "dx-board", "--department", "dx")
    before = _rows(database)
    with serving(db_url, "api") as base:
        for _ in range(3):
            answer = get(base, "/v1/handovers", key)
            assert answer.status_code == 200 and answer.json() == {"handovers": []}
            assert "乙局私事" not in answer.text
        assert get(base, "/v1/handovers", key, department="dy").status_code == 403
    assert _rows(database) == before
