"""Matters done once (一件事一次办): processes of several departments under one lead department

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'matter',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('lead_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('stages', sa.JSON(), nullable=False),
        sa.Column('promised_days', sa.Integer(), nullable=True),
        sa.Column('materials', sa.JSON(), nullable=True),
        sa.Column('trips', sa.Integer(), nullable=True),
        sa.Column('before_stages', sa.JSON(), nullable=False),
        sa.Column('before_promised_days', sa.Integer(), nullable=True),
        sa.Column('before_materials', sa.JSON(), nullable=True),
        sa.Column('before_trips', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_id'], ['department.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_matter_lead_id'), 'matter', ['lead_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_matter_lead_id'), table_name='matter')
    op.drop_table('matter')
