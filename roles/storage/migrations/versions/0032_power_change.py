"""The power list's changes (added, cancelled, devolved, changed), each by its document and date

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'power_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('power_id', sa.Unicode(), nullable=False),
        sa.Column('name', sa.Unicode(), nullable=False),
        sa.Column('kind', sa.Unicode(), nullable=False),
        sa.Column('document', sa.Unicode(), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('note', sa.Unicode(), nullable=False),
        sa.Column('was', sa.JSON(), nullable=True),
        sa.Column('recorded_by', sa.Unicode(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('power_change') as batch:
        batch.create_index('ix_power_change_power_id', ['power_id'], unique=False)
        batch.create_index('ix_power_change_date', ['date'], unique=False)


def downgrade() -> None:
    op.drop_table('power_change')
