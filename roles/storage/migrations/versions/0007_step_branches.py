"""step.branches: names and conditions of outgoing flows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.add_column(sa.Column('branches', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.drop_column('branches')
