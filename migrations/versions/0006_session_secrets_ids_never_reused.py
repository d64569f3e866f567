"""session secrets per account; ids never reused

Sessions now carry a random per-account secret instead of a generation counter
that started at 0 for everyone, and on SQLite the tables whose ids reach a
session, a queued job, a URL or a folder name get AUTOINCREMENT, so a deleted
row's id is never handed out again (PostgreSQL's sequences never reuse one).
Sessions started before this upgrade are logged out once.

Revision ID: 0006
Revises: 0005
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_secret", sa.String))
# Tables whose ids name things outside the row itself.
NEVER_REUSED = ("users", "oauth", "archive_imports")


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_secret', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_secret=secrets.token_urlsafe(24)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_secret', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('session_generation')
    if connection.dialect.name == "sqlite":
        for table in NEVER_REUSED:
            # SQLite sets AUTOINCREMENT only when a table is created: batch mode copies it into a new one.
            with op.batch_alter_table(table, recreate="always",
                                      table_kwargs={"sqlite_autoincrement": True}):
                pass


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('session_secret')
