"""what BPMN says of a step beyond its gateway type: default way, activity type, event type and
timer, a link's name or a condition, the step a boundary event sits on, interrupting, catching, compensating, a sub-process's
inner elements as read (issue 25)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TEXT = ('otherwise', 'activity', 'event', 'timer', 'definition', 'attached', 'inside')


def upgrade() -> None:
    with op.batch_alter_table('step') as batch:
        for name in TEXT:
            batch.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('interrupting', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column('catches', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('compensates', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('step') as batch:
        for name in ('compensates', 'catches', 'interrupting', *reversed(TEXT)):
            batch.drop_column(name)
