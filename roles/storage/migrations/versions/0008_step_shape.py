"""step.shape: a step's place in an imported or drawn BPMN diagram

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.add_column(sa.Column('shape', sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('step') as batch:
        batch.drop_column('shape')
