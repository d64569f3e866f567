"""job consumers heartbeat, session generation, encrypted tokens

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:45:07.329377

"""
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

oauth = sa.table("oauth", sa.column("id", sa.Integer), sa.column("token", sa.Text))


def _fernet():
    # The app's token keys (FITLINK_TOKEN_KEYS, or instance/token_keys in development).
    return current_app.extensions["fitlink_token_fernet"]


def upgrade():
    op.create_table('job_consumers',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_consumers'))
    )
    # Tokens become Fernet text: the column turns to text, then every stored token is encrypted.
    with op.batch_alter_table('oauth', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
                              postgresql_using="token::text")
    connection = op.get_bind()
    fernet = _fernet()
    for row_id, token in connection.execute(sa.select(oauth.c.id, oauth.c.token)).all():
        if token and token.lstrip().startswith(("{", "[")):
            secret = fernet.encrypt(token.encode()).decode()
            connection.execute(oauth.update().where(oauth.c.id == row_id).values(token=secret))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')

    connection = op.get_bind()
    fernet = _fernet()
    for row_id, token in connection.execute(sa.select(oauth.c.id, oauth.c.token)).all():
        if token and not token.lstrip().startswith(("{", "[")):
            plain = json.dumps(json.loads(fernet.decrypt(token.encode())))
            connection.execute(oauth.update().where(oauth.c.id == row_id).values(token=plain))
    with op.batch_alter_table('oauth', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
                              postgresql_using="token::json")

    op.drop_table('job_consumers')
