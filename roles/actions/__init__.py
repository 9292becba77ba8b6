"""The use cases of abflow, one function per thing a user does, shared by every caller: the CLI,
each page of the app, the scheduler's jobs and the tests.

Each takes the `Database` and the acting `Account` first and keyword-only options after, and
returns plain data. The guards that must hold for every caller live here and nowhere else:
permissions (`PermissionDenied`), "publish only when lint finds nothing", validation of ids,
dates and ranges (`BadInput`, `NotFound`). Front ends only parse input and show results; no
module of `ui/` opens a session or imports the storage (tests/test_layers.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flows.errors import (AbflowError, BadInput, Conflict, DatabaseUnavailable, NotFound, PermissionDenied,
                          Problem, Unreachable)
from roles.storage.address import resolve_url
from roles.storage.database import Database, dispose_all, open_database

#: Where each use case lives. A module is imported when one of its names is first asked for, so a
#: command pays only for what it uses: `abflow roster` never loads the solver, Excel or Apprise.
_WHERE = {
    "access": ("LOCAL", "WITHHELD", "Account", "cli_account", "is_office", "may_edit_absence", "may_edit_section",
               "may_see_reason"),
    "admin": ("ROLES", "account_for_email", "account_now", "session_account", "session_token", "sign_out", "backup", "restore", "add_account", "any_accounts",
              "audit_trail", "change_account", "contacts", "dispatches", "list_accounts", "new_secret_key",
              "remove_account", "set_password", "scheduler", "send_digest", "send_notices", "set_contacts", "sign_in",
              "verify_audit", "release", "send_duty_changes"),
    "clients": ("ApiClient", "add_api_client", "api_client", "api_clients", "revoke_api_client"),
    "coverage": ("SectionPairing", "calendar", "check_range", "duty_feed", "gaps", "LeaveCheck", "leave_check", "load",
                 "load_summary", "overrun",
                 "pairing", "person_days", "resilience", "roster", "whatif", "workdays"),
    "data": ("LEAVE_SUFFIXES", "calendar_years", "change_absences", "load_calendar", "export_workbook",
             "import_leave", "import_workbook", "LeavePull", "leave_sources", "load_demo", "pull_leave", "read_leave_file", "save_workbook",
             "site_workbook", "workbook"),
    "handover": ("SYSTEM", "Handover", "HandoverShare", "confirm_handover", "get_handover", "handover_items", "handover_shares",
                 "handovers", "open_handovers", "report_handover"),
    "processes": ("BpmnImport", "Draft", "accept_proposal", "discard_draft", "drawing", "import_bpmn", "lint_processes",
                  "lint_version", "load_draft", "process_version", "propose", "publish_draft", "save_draft"),
    "review": ("ABFiling", "Approval", "Comment", "FiledList", "Review", "ab_filing", "ab_filing_all", "ab_list",
               "approvals", "approve_review", "comment_review", "draft_changes", "filed_lists", "latest_review",
               "may_approve", "resolve_comment", "return_review", "review_policy", "review_required", "reviews",
               "set_review_policy", "submit_review"),
    "standin": ("add_standin", "answer_standin", "standins"),
    "one_thing": ("MatterChange", "MatterFigures", "decide_matter_change", "import_matter_bpmn", "matter", "matter_bpmn",
                "matter_changes", "matter_overrun", "matters", "may_change_matter", "may_decide_matter",
                "propose_matter"),
    "reform": ("change_power", "check", "consolidation", "decide_power_change", "power_changes", "power_findings", "powers_xlsx",
               "reform_resilience", "report_xlsx",
               "saturation",
               "set_exemptions", "stats"),
}
_MODULE = {name: module for module, names in _WHERE.items() for name in names}

__all__ = ["AbflowError", "BadInput", "Conflict", "DatabaseUnavailable", "NotFound", "PermissionDenied", "Problem",
           "Unreachable",
           "DATABASE_ERRORS", "Database", "dispose_all", "open_database", "resolve_url", *_MODULE]


def __getattr__(name: str):
    if name == "DATABASE_ERRORS":  # SQLAlchemy's: asked for where it may have been loaded
        from roles.storage.engines import DATABASE_ERRORS
        return DATABASE_ERRORS
    if name not in _MODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f".{_MODULE[name]}", __name__), name)
    globals()[name] = value  # asked once
    return value


if TYPE_CHECKING:
    from roles.storage.engines import DATABASE_ERRORS

    from .access import *  # noqa: F403
    from .admin import *  # noqa: F403
    from .clients import *  # noqa: F403
    from .coverage import *  # noqa: F403
    from .data import *  # noqa: F403
    from .handover import *  # noqa: F403
    from .one_thing import *  # noqa: F403
    from .processes import *  # noqa: F403
    from .reform import *  # noqa: F403
    from .review import *  # noqa: F403
