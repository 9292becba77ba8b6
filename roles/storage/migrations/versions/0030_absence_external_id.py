"""Leave pulled from the OA keeps the OA's approval id, so a pull repeated changes nothing and a
cancelled approval removes its absence

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('absence') as batch:
        batch.add_column(sa.Column('external_id', sa.Unicode(), nullable=True))
        batch.create_unique_constraint('uq_absence_external_id', ['external_id'])


def downgrade() -> None:
    with op.batch_alter_table('absence') as batch:
        batch.drop_constraint('uq_absence_external_id', type_='unique')
        batch.drop_column('external_id')
