"""process_draft: a section head's unpublished edit of a process version

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'process_draft',
        sa.Column('process_id', sa.String(), nullable=False),
        sa.Column('version', sa.String(), nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('base_revision', sa.Integer(), nullable=False),
        sa.Column('base', sa.JSON(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
            sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('saved_by', sa.String(), nullable=True),
        sa.PrimaryKeyConstraint('process_id', 'version'),
    )


def downgrade() -> None:
    op.drop_table('process_draft')
