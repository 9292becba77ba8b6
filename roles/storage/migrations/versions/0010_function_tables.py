"""function, section_function: the department's duties (职能) under the name the workbook and
the model give them, so "duty" no longer means three things

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_duty_department_id', table_name='duty')
    op.rename_table('duty', 'function')
    op.create_index('ix_function_department_id', 'function', ['department_id'])
    op.rename_table('section_duty', 'section_function')
    with op.batch_alter_table('section_function') as batch:
        batch.alter_column('duty_id', new_column_name='function_id')


def downgrade() -> None:
    with op.batch_alter_table('section_function') as batch:
        batch.alter_column('function_id', new_column_name='duty_id')
    op.rename_table('section_function', 'section_duty')
    op.drop_index('ix_function_department_id', table_name='function')
    op.rename_table('function', 'duty')
    op.create_index('ix_duty_department_id', 'duty', ['department_id'])
