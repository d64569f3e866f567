"""archive zones: the zone a person chose for an import, used where the archive shows none

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('archive_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chosen_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('archive_imports', schema=None) as batch_op:
        batch_op.drop_column('chosen_zone')
