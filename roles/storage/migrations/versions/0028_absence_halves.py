"""Absences counted in half days: one may begin or end at noon

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('absence') as batch:
        batch.add_column(sa.Column('start_half', sa.Unicode(), nullable=True))
        batch.add_column(sa.Column('end_half', sa.Unicode(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('absence') as batch:
        batch.drop_column('end_half')
        batch.drop_column('start_half')
