"""a gateway's type: exclusive, parallel, inclusive, event-based or complex (issue 25)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.add_column(sa.Column('gateway', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.drop_column('gateway')
