"""Changes to matters done once, proposed for review and decided by the lead department's leader

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'matter_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('matter_id', sa.Unicode(), nullable=False),
        sa.Column('lead_id', sa.Unicode(), nullable=False),
        sa.Column('proposed', sa.JSON(), nullable=False),
        sa.Column('base', sa.JSON(), nullable=True),
        sa.Column('author', sa.Unicode(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('state', sa.Unicode(), nullable=False),
        sa.Column('decider', sa.Unicode(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('note', sa.Unicode(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_matter_change_matter_id'), 'matter_change', ['matter_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_matter_change_matter_id'), table_name='matter_change')
    op.drop_table('matter_change')
