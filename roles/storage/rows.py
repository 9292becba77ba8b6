"""An entity of the organisation as its table's row and back, from its declared fields
(roles/model.py): a field's column is its name, or the reference column it declares; lists kept
in tables of their own (a section's `merged_from`) are the caller's to add. A named stand-in,
kept in the database only, is read back here too, for the bare read path and the ORM's alike."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from roles.model import FIELDS, StandIn

T = TypeVar("T")


def row_of(entity, **extra: Any) -> dict:
    """The row of `entity` (its declared columns, stored form), with `extra` columns beside."""
    return {f.stored_as: f.stored(getattr(entity, f.name)) for f in FIELDS[type(entity)] if f.stored_as} | extra


def entity_of(cls: type[T], row: Mapping, **lists: Any) -> T:
    """The `cls` a row keeps, with the lists its own tables keep given as `lists`."""
    return cls(**{f.name: f.from_stored(row[f.stored_as]) for f in FIELDS[cls] if f.stored_as}, **lists)


def standin_of(row: Mapping[str, Any]) -> StandIn:
    """A stored row (a mapping of its columns, from any driver) as the model's stand-in."""
    steps = row["steps"]
    day = lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])  # noqa: E731
    return StandIn(int(row["id"]), row["person_id"], row["standin_id"], day(row["start"]), day(row["end"]),
                   tuple(json.loads(steps) if isinstance(steps, str) else steps or ()), row["state"], row["named_by"])
