"""step.next: a step's successors as an ordered JSON list in its own row, replacing step_edge

Edges were a table of their own with two foreign keys to step; on PostgreSQL every city-wide
re-import paid some 70,000 foreign-key trigger calls for them (2 s of a 7 s import) and the
roster read twice the rows. A `next` list that imports and edits validate is read with its step.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next', sa.JSON(), nullable=True))
    conn = op.get_bind()
    targets: dict[tuple, list] = {}
    for pid, ver, src, tgt in conn.execute(sa.text(
            "SELECT process_id, version, source, target FROM step_edge ORDER BY process_id, version, source, position")):
        targets.setdefault((pid, ver, src), []).append(tgt)
    step = sa.table('step', sa.column('process_id'), sa.column('version'), sa.column('id'), sa.column('next', sa.JSON()))
    conn.execute(step.update().values(next=[]))
    if targets:
        conn.execute(step.update().where((step.c.process_id == sa.bindparam('p')) & (step.c.version == sa.bindparam('v'))
                                         & (step.c.id == sa.bindparam('s'))).values(next=sa.bindparam('n')),
                     [{'p': pid, 'v': ver, 's': src, 'n': nxt} for (pid, ver, src), nxt in targets.items()])
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.alter_column('next', existing_type=sa.JSON(), nullable=False)
    op.drop_table('step_edge')


def downgrade() -> None:
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
    conn = op.get_bind()
    edges = sa.table('step_edge', *(sa.column(c) for c in ('process_id', 'version', 'source', 'position', 'target')))
    rows = [{'process_id': pid, 'version': ver, 'source': sid, 'position': k, 'target': t}
            for pid, ver, sid, nxt in conn.execute(sa.text("SELECT process_id, version, id, next FROM step"))
            for k, t in enumerate(json.loads(nxt) if isinstance(nxt, str) else (nxt or []))]
    if rows:
        op.bulk_insert(edges, rows)
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_column('next')
