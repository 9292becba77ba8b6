"""handovers (交接单): one per absence that someone acts for

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handover',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('end', sa.Date(), nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('items', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('report', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('reported_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('confirmed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'start', name='uq_handover_absence'),
    )
    op.create_index('ix_handover_person_id', 'handover', ['person_id'])


def downgrade() -> None:
    op.drop_index('ix_handover_person_id', table_name='handover')
    op.drop_table('handover')
