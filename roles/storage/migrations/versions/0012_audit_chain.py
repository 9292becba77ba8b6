"""audit.prev_hash, audit.hash: each row holds the hash of the one before and its own, so an edited
or deleted row shows (`abflow audit verify`); rows already there are chained in id order

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit') as batch:
        batch.add_column(sa.Column('prev_hash', sa.String(), nullable=True))
        batch.add_column(sa.Column('hash', sa.String(), nullable=True))
    from roles.storage.audit import chain_hash  # the one definition of a row's hash
    conn = op.get_bind()
    audit = sa.table('audit', sa.column('id'), sa.column('at'), sa.column('user'), sa.column('action'),
                     sa.column('subject'), sa.column('before', sa.JSON()), sa.column('after', sa.JSON()),
                     sa.column('prev_hash'), sa.column('hash'))
    prev = ""
    for r in conn.execute(sa.select(audit).order_by(audit.c.id)).mappings().all():
        digest = chain_hash(prev, r["at"], r["user"], r["action"], r["subject"], r["before"], r["after"])
        conn.execute(audit.update().where(audit.c.id == r["id"]).values(prev_hash=prev, hash=digest))
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table('audit') as batch:
        batch.drop_column('hash')
        batch.drop_column('prev_hash')
