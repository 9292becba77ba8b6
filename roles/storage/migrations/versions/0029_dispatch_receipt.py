"""Work notices through DingTalk and WeCom: each send keeps its platform's receipt, so its record
can say delivered and read

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dispatch') as batch:
        batch.add_column(sa.Column('receipt', sa.Unicode(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dispatch') as batch:
        batch.drop_column('receipt')
