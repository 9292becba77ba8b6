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
    assert cli("import", str(BIANBAN)).exit_code == 0
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
    assert httpx.get(f"{api}/docs", timeout=30).status_code == 200


def test_only_the_office_makes_clients_and_a_bad_one_is_refused(cli):
    assert cli("import", str(BIANBAN)).exit_code == 0
    bad = cli("api", "client", "add", "x", "--role", "staff")
    assert bad.exit_code == 2 and "person" in bad.stderr
    assert cli("api", "client", "add", "bad name!").exit_code == 2
    assert cli("api", "client", "add", "b", "--department", "nope").exit_code == 2
