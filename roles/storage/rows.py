"""An entity of the organisation as its table's row and back, from its declared fields
(roles/model.py): a field's column is its name, or the reference column it declares; lists kept
in tables of their own (a section's `merged_from`) are the caller's to add."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from roles.model import FIELDS

T = TypeVar("T")


def row_of(entity, **extra: Any) -> dict:
    """The row of `entity` (its declared columns, stored form), with `extra` columns beside."""
    return {f.stored_as: f.stored(getattr(entity, f.name)) for f in FIELDS[type(entity)] if f.stored_as} | extra


def entity_of(cls: type[T], row: Mapping, **lists: Any) -> T:
    """The `cls` a row keeps, with the lists its own tables keep given as `lists`."""
    return cls(**{f.name: f.from_stored(row[f.stored_as]) for f in FIELDS[cls] if f.stored_as}, **lists)
