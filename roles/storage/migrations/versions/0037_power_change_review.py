"""A change to the power list waits for review: its state, and who decided it, when and why

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('power_change') as batch:
        batch.add_column(sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='approved'))
        batch.add_column(sa.Column('decider', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table('power_change') as batch:  # the default only fills the rows there were
        batch.alter_column('state', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('power_change') as batch:
        batch.drop_column('decision')
        batch.drop_column('decided_at')
        batch.drop_column('decider')
        batch.drop_column('state')
