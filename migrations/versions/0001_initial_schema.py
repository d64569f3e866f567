"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 19:09:09.904082

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=255), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('expiry', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
    sa.UniqueConstraint('session_id', name=op.f('uq_sessions_session_id'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('daily_metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_daily_metrics_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_metrics')),
    sa.UniqueConstraint('user_id', 'metric', 'day', name=op.f('uq_daily_metrics_user_id_metric_day'))
    )
    with op.batch_alter_table('daily_metrics', schema=None) as batch_op:
        batch_op.create_index('ix_daily_metrics_user_day', ['user_id', 'day', 'metric', 'value'], unique=False)

    op.create_table('oauth',
    sa.Column('provider_user_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('member_since', sa.Date(), nullable=True),
    sa.Column('distance_unit', sa.String(length=16), nullable=False),
    sa.Column('weight_unit', sa.String(length=16), nullable=False),
    sa.Column('goals', sa.JSON(), nullable=True),
    sa.Column('broken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sync_lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('token', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oauth_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth')),
    sa.UniqueConstraint('provider', 'provider_user_id', name=op.f('uq_oauth_provider_provider_user_id')),
    sa.UniqueConstraint('provider', 'user_id', name=op.f('uq_oauth_provider_user_id'))
    )
    op.create_table('sync_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('resource', sa.String(length=32), nullable=False),
    sa.Column('oldest_synced', sa.Date(), nullable=True),
    sa.Column('newest_synced', sa.Date(), nullable=True),
    sa.Column('backfill_done', sa.Boolean(), nullable=False),
    sa.Column('last_success', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('next_attempt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sync_states_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_states')),
    sa.UniqueConstraint('user_id', 'resource', name=op.f('uq_sync_states_user_id_resource'))
    )


def downgrade():
    op.drop_table('sync_states')
    op.drop_table('oauth')
    with op.batch_alter_table('daily_metrics', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_metrics_user_day')

    op.drop_table('daily_metrics')
    op.drop_table('users')
    op.drop_table('sessions')
