"""apscheduler_jobs: jobs are stored as JSON now; the pickled rows of before are dropped

A pickled row could hold a database URL with its password, and any pickle in that table is code
the scheduler would run on reading it. `abflow scheduler` puts its jobs back when it starts.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26
"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM apscheduler_jobs")


def downgrade() -> None:
    op.execute("DELETE FROM apscheduler_jobs")
