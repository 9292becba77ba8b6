"""contact: URLs sealed with the installation's secret key, shown only masked, told apart by a
keyed fingerprint; the clear URLs of before are sealed in place

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _table(*columns, key: tuple[str, ...]) -> None:
    op.create_table('contact', sa.Column('person_id', sa.String(), nullable=False),
                    sa.Column('position', sa.Integer(), nullable=False), *columns,
                    sa.ForeignKeyConstraint(['person_id'], ['person.id']), sa.PrimaryKeyConstraint(*key))


def upgrade() -> None:
    conn = op.get_bind()
    old = conn.execute(sa.text("SELECT person_id, url, position FROM contact ORDER BY person_id, position")).all()
    op.drop_table('contact')
    _table(sa.Column('ref', sa.String(), nullable=False), sa.Column('masked', sa.String(), nullable=False),
           sa.Column('sealed', sa.String(), nullable=False),
           sa.UniqueConstraint('person_id', 'ref', name='uq_contact_ref'), key=('person_id', 'position'))
    if old:
        from roles.storage.notices import sealed_rows  # the one way a contact is sealed
        rows = []
        for person in dict.fromkeys(p for p, _, _ in old):
            rows += sealed_rows(person, [u for p, u, _ in old if p == person])
        op.bulk_insert(sa.table('contact', *(sa.column(c) for c in rows[0])), rows)


def downgrade() -> None:
    conn = op.get_bind()
    old = conn.execute(sa.text("SELECT person_id, sealed, position FROM contact")).all()
    op.drop_table('contact')
    _table(sa.Column('url', sa.String(), nullable=False), key=('person_id', 'url'))
    if old:
        from roles.storage.vault import unseal
        op.bulk_insert(sa.table('contact', sa.column('person_id'), sa.column('url'), sa.column('position')),
                       [{"person_id": p, "url": unseal(s, f"a contact of {p}"), "position": i} for p, s, i in old])
