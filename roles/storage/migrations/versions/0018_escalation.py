"""escalation beyond B: a step's b_max_days and b_may_act

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.add_column(sa.Column('b_max_days', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('b_may_act', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.drop_column('b_may_act')
        batch.drop_column('b_max_days')
