"""Server-side sessions (revoked on sign-out, a new password, a switched-off account) and an
atomic sign-in throttle per account and address

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'signin_session',
        sa.Column('token_hash', sa.Unicode(length=64), nullable=False),
        sa.Column('username', sa.Unicode(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['username'], ['account.username'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index(op.f('ix_signin_session_username'), 'signin_session', ['username'], unique=False)
    op.create_table(
        'signin_throttle',
        sa.Column('key', sa.Unicode(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('refused', sa.Integer(), nullable=False),
        sa.Column('locks', sa.Integer(), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('signin_throttle')
    op.drop_index(op.f('ix_signin_session_username'), table_name='signin_session')
    op.drop_table('signin_session')
