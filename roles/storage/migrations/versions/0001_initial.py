"""initial schema: organisation, processes, absences, calendar

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_day',
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('date')
    )
    op.create_table('department',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('duty',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('department_id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('approval', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_department_id'), ['department_id'], unique=False)

    op.create_table('section',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('department_id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('staffing', sa.Integer(), nullable=True),
    sa.Column('leader_posts', sa.Integer(), nullable=True),
    sa.Column('counterparts', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_section_department_id'), ['department_id'], unique=False)

    op.create_table('section_before',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('department_id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('staff', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('section_before', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_section_before_department_id'), ['department_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('section_id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('post', sa.String(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['section.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_section_id'), ['section_id'], unique=False)

    op.create_table('process',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('section_id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['section.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_section_id'), ['section_id'], unique=False)

    op.create_table('section_duty',
    sa.Column('section_id', sa.String(), nullable=False),
    sa.Column('duty_id', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['duty_id'], ['duty.id'], ),
    sa.ForeignKeyConstraint(['section_id'], ['section.id'], ),
    sa.PrimaryKeyConstraint('section_id', 'duty_id')
    )
    op.create_table('section_merge',
    sa.Column('section_id', sa.String(), nullable=False),
    sa.Column('before_id', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['before_id'], ['section_before.id'], ),
    sa.ForeignKeyConstraint(['section_id'], ['section.id'], ),
    sa.PrimaryKeyConstraint('section_id', 'before_id')
    )
    op.create_table('absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_end'), ['end'], unique=False)
        batch_op.create_index(batch_op.f('ix_absence_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_absence_start'), ['start'], unique=False)

    op.create_table('process_version',
    sa.Column('process_id', sa.String(), nullable=False),
    sa.Column('version', sa.String(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], ),
    sa.PrimaryKeyConstraint('process_id', 'version')
    )
    op.create_table('step',
    sa.Column('process_id', sa.String(), nullable=False),
    sa.Column('version', sa.String(), nullable=False),
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('a', sa.String(), nullable=True),
    sa.Column('b', sa.String(), nullable=True),
    sa.Column('minutes', sa.Float(), nullable=True),
    sa.Column('per_month', sa.Float(), nullable=True),
    sa.Column('skill', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['a'], ['person.id'], ),
    sa.ForeignKeyConstraint(['b'], ['person.id'], ),
    sa.ForeignKeyConstraint(['process_id', 'version'], ['process_version.process_id', 'process_version.version'], ),
    sa.PrimaryKeyConstraint('process_id', 'version', 'id')
    )
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_a'), ['a'], unique=False)
        batch_op.create_index(batch_op.f('ix_step_b'), ['b'], unique=False)

    op.create_table('step_edge',
    sa.Column('process_id', sa.String(), nullable=False),
    sa.Column('version', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['process_id', 'version', 'source'], ['step.process_id', 'step.version', 'step.id'], ),
    sa.ForeignKeyConstraint(['process_id', 'version', 'target'], ['step.process_id', 'step.version', 'step.id'], ),
    sa.PrimaryKeyConstraint('process_id', 'version', 'source', 'position')
    )


def downgrade() -> None:
    op.drop_table('step_edge')
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_b'))
        batch_op.drop_index(batch_op.f('ix_step_a'))

    op.drop_table('step')
    op.drop_table('process_version')
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_start'))
        batch_op.drop_index(batch_op.f('ix_absence_person_id'))
        batch_op.drop_index(batch_op.f('ix_absence_end'))

    op.drop_table('absence')
    op.drop_table('section_merge')
    op.drop_table('section_duty')
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_section_id'))

    op.drop_table('process')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_section_id'))

    op.drop_table('person')
    with op.batch_alter_table('section_before', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_section_before_department_id'))

    op.drop_table('section_before')
    with op.batch_alter_table('section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_section_department_id'))

    op.drop_table('section')
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_department_id'))

    op.drop_table('duty')
    op.drop_table('department')
    op.drop_table('calendar_day')
