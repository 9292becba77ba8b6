"""A step carries a power's responsibility item (责任事项)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.add_column(sa.Column('duty', sa.Unicode(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.drop_column('duty')
