"""What each person was last known to do over the next workdays, so that a change to it (an
absence, a stand-in, an A/B change) is told to them once

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'duty_view',
        sa.Column('person_id', sa.Unicode(), nullable=False),
        sa.Column('days', sa.JSON(), nullable=False),
        sa.Column('entries', sa.JSON(), nullable=False),
        sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('person_id'),
    )


def downgrade() -> None:
    op.drop_table('duty_view')
