"""archive imports name their upload folder by a random key

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds the table for the constraint: keep its AUTOINCREMENT (0006).
    with op.batch_alter_table('archive_imports', schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column('folder', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_archive_imports_folder'), ['folder'])


def downgrade():
    with op.batch_alter_table('archive_imports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_archive_imports_folder'), type_='unique')
        batch_op.drop_column('folder')
