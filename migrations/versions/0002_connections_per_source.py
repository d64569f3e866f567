"""connections per source: source rows, shown values with their source, sync state per connection, lease owner

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 23:39:22.220159

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('source_metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_source_metrics_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_metrics')),
    sa.UniqueConstraint('user_id', 'source', 'metric', 'day', name=op.f('uq_source_metrics_user_id_source_metric_day'))
    )
    # Everything stored so far came from the Fitbit Web API.
    with op.batch_alter_table('daily_metrics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=32), nullable=False, server_default='fitbit'))
    with op.batch_alter_table('daily_metrics', schema=None) as batch_op:
        batch_op.alter_column('source', server_default=None)
    op.execute("INSERT INTO source_metrics (user_id, source, metric, day, value, details, updated_at) "
               "SELECT user_id, 'fitbit', metric, day, value, details, updated_at FROM daily_metrics")

    with op.batch_alter_table('oauth', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sync_lease_owner', sa.String(length=32), nullable=True))

    # Sync state moves from the user to the user's (only, Fitbit) connection.
    with op.batch_alter_table('sync_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('connection_id', sa.Integer(), nullable=True))
    op.execute("UPDATE sync_states SET connection_id = (SELECT oauth.id FROM oauth WHERE "
               "oauth.user_id = sync_states.user_id AND oauth.provider = 'fitbit')")
    op.execute("DELETE FROM sync_states WHERE connection_id IS NULL")
    with op.batch_alter_table('sync_states', schema=None) as batch_op:
        batch_op.alter_column('connection_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_sync_states_user_id_resource'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_sync_states_connection_id_resource'), ['connection_id', 'resource'])
        batch_op.drop_constraint(batch_op.f('fk_sync_states_user_id_users'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_sync_states_connection_id_oauth'), 'oauth', ['connection_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_column('user_id')



def downgrade():
    # Back to one Fitbit link per user: other sources' state and rows are dropped.
    op.execute("DELETE FROM sync_states WHERE connection_id NOT IN (SELECT id FROM oauth WHERE provider = 'fitbit')")
    with op.batch_alter_table('sync_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.INTEGER(), nullable=True))
    op.execute("UPDATE sync_states SET user_id = (SELECT oauth.user_id FROM oauth WHERE oauth.id = sync_states.connection_id)")
    with op.batch_alter_table('sync_states', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_sync_states_connection_id_oauth'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_sync_states_user_id_users'), 'users', ['user_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('uq_sync_states_connection_id_resource'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_sync_states_user_id_resource'), ['user_id', 'resource'])
        batch_op.drop_column('connection_id')

    with op.batch_alter_table('oauth', schema=None) as batch_op:
        batch_op.drop_column('sync_lease_owner')

    op.execute("DELETE FROM daily_metrics WHERE source <> 'fitbit'")
    op.execute("DELETE FROM oauth WHERE provider <> 'fitbit'")
    with op.batch_alter_table('daily_metrics', schema=None) as batch_op:
        batch_op.drop_column('source')

    op.drop_table('source_metrics')
