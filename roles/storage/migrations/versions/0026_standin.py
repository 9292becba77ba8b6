"""Named stand-ins (指定代岗): who acts on which steps of an absent person, for which days, and
whether they accepted. People are named by id without a foreign key, as reviews name processes: a
workbook import replaces a department's people, and a stand-in of someone no longer there is
left unused rather than blocking the import.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'standin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Unicode(), nullable=False),
        sa.Column('standin_id', sa.Unicode(), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('end', sa.Date(), nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('state', sa.Unicode(), nullable=False),
        sa.Column('named_by', sa.Unicode(), nullable=False),
        sa.Column('named_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_standin_person_id'), 'standin', ['person_id'], unique=False)
    op.create_index(op.f('ix_standin_standin_id'), 'standin', ['standin_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_standin_standin_id'), table_name='standin')
    op.drop_index(op.f('ix_standin_person_id'), table_name='standin')
    op.drop_table('standin')
