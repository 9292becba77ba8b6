"""A power of the 权责清单 names its legal basis and the steps that exercise it

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('power') as batch:
        batch.add_column(sa.Column('basis', sa.JSON(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('steps', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('power') as batch:  # the default only fills the rows there were
        batch.alter_column('basis', server_default=None)
        batch.alter_column('steps', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('power') as batch:
        batch.drop_column('steps')
        batch.drop_column('basis')
