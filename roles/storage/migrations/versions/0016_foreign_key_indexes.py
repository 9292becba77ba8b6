"""indexes on the foreign keys that had none: PostgreSQL checks every deleted department's
functions, former sections, sections and people against the rows that point at them, and without
an index that is a scan of the whole table per row (a province's re-import took 92 s)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

INDEXES = (("section_merge", "before_id"), ("section_function", "function_id"), ("power", "section_id"),
           ("account", "person_id"))


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade() -> None:
    for table, column in INDEXES:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
