"""apscheduler_jobs: the stored jobs name their functions in roles.notify.scheduled, where they
moved from ui.scheduled (the domain names nothing of the UI); rows rewritten in place

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

OLD, NEW = 'ui.scheduled:', 'roles.notify.scheduled:'


def _rename(before: str, after: str) -> None:
    conn = op.get_bind()
    jobs = sa.table('apscheduler_jobs', sa.column('id', sa.Unicode), sa.column('job_state', sa.LargeBinary))
    for job_id, state in conn.execute(sa.select(jobs.c.id, jobs.c.job_state)).all():
        job = json.loads(bytes(state).decode())
        if isinstance(job, dict) and str(job.get('func', '')).startswith(before):
            job['func'] = after + job['func'][len(before):]
            conn.execute(jobs.update().where(jobs.c.id == job_id)
                         .values(job_state=json.dumps(job, ensure_ascii=False).encode()))


def upgrade() -> None:
    _rename(OLD, NEW)


def downgrade() -> None:
    _rename(NEW, OLD)
