"""time limits and 四减: a version's kind, legal and promised days, materials and trips; a step's
days and whether it is special; a draft's version terms

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TERMS = (("kind", sa.String()), ("legal_days", sa.Integer()), ("promised_days", sa.Integer()),
         ("materials", sa.JSON()), ("trips", sa.Integer()))


def upgrade() -> None:
    with op.batch_alter_table('process_version') as batch:
        for name, kind in TERMS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table('step') as batch:
        batch.add_column(sa.Column('days', sa.Float(), nullable=True))
        batch.add_column(sa.Column('special', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('process_draft') as batch:
        batch.add_column(sa.Column('terms', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('process_draft') as batch:
        batch.drop_column('terms')
    with op.batch_alter_table('step') as batch:
        batch.drop_column('special')
        batch.drop_column('days')
    with op.batch_alter_table('process_version') as batch:
        for name, _ in reversed(TERMS):
            batch.drop_column(name)
