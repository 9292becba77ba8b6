"""Who worked in which section before the reform, and which section ran a process before it: for
resilience before vs after

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('section_before_id', sa.Unicode(), nullable=True))
    with op.batch_alter_table('process_version') as batch:
        batch.add_column(sa.Column('section_before', sa.Unicode(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('process_version') as batch:
        batch.drop_column('section_before')
    with op.batch_alter_table('person') as batch:
        batch.drop_column('section_before_id')
