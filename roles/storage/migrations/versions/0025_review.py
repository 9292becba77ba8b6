"""Review before a change goes live: submissions and their decisions, comments, each department's
policy, A/B filings, and the department a leader account is in charge of

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('account') as batch:
        batch.add_column(sa.Column('leads', sa.Unicode(), nullable=True))
    op.create_table(
        'review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Unicode(), nullable=False),
        sa.Column('version', sa.Unicode(), nullable=False),
        sa.Column('kind', sa.Unicode(), nullable=False),
        sa.Column('state', sa.Unicode(), nullable=False),
        sa.Column('author', sa.Unicode(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('draft_revision', sa.Integer(), nullable=False),
        sa.Column('approver', sa.Unicode(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revision', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_review_process_id'), 'review', ['process_id'], unique=False)
    op.create_table(
        'review_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Unicode(), nullable=False),
        sa.Column('version', sa.Unicode(), nullable=False),
        sa.Column('step', sa.Unicode(), nullable=True),
        sa.Column('author', sa.Unicode(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('text', sa.Unicode(), nullable=False),
        sa.Column('resolved_by', sa.Unicode(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_review_comment_process_id'), 'review_comment', ['process_id'], unique=False)
    op.create_table(
        'review_policy',
        sa.Column('department_id', sa.Unicode(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('department_id'),
    )
    op.create_table(
        'ab_filing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Unicode(), nullable=False),
        sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('filed_by', sa.Unicode(), nullable=False),
        sa.Column('entries', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_ab_filing_section_id'), 'ab_filing', ['section_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ab_filing_section_id'), table_name='ab_filing')
    op.drop_table('ab_filing')
    op.drop_table('review_policy')
    op.drop_index(op.f('ix_review_comment_process_id'), table_name='review_comment')
    op.drop_table('review_comment')
    op.drop_index(op.f('ix_review_process_id'), table_name='review')
    op.drop_table('review')
    with op.batch_alter_table('account') as batch:
        batch.drop_column('leads')
