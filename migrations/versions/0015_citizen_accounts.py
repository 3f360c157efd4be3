"""citizen accounts: optional accounts for citizens, signed in by a one-use link sent by e-mail; comments keep
the account they were made with. And reply mail: a commenter's messages now include "reply" (a public reply to
their comment), so the partial index of commenters' messages by address names that kind too

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 21:00:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


COMMENTER_MESSAGES = "kind IN ('confirm', 'receipt', 'response', 'reply')"  # portal/mail/models.py
BEFORE = "kind IN ('confirm', 'receipt', 'response')"  # migration 0014


def _recipient_index(where):
    op.drop_index('ix_outbox_recipient', table_name='outbox')
    op.create_index('ix_outbox_recipient', 'outbox', ['recipient'], unique=False,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    _recipient_index(COMMENTER_MESSAGES)
    op.create_table(
        'citizens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('signed_in_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_citizens')),
        sa.UniqueConstraint('email', name=op.f('uq_citizens_email')),
    )
    op.create_table(
        'sign_in_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=False),
        sa.Column('next_path', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_links')),
    )
    op.create_index(op.f('ix_sign_in_links_email'), 'sign_in_links', ['email'], unique=False)
    # No foreign key, as form_letter_id has none: on SQLite one would take a batch rebuild of the comments
    # table, which drops its triggers (migration 0009); deleting an account clears its comments' citizen_id
    # itself (portal/citizens/services.py: delete_account)
    op.add_column('comments', sa.Column('citizen_id', sa.Integer(), nullable=True))
    op.create_index('ix_comments_citizen_id', 'comments', ['citizen_id'], unique=False,
                    sqlite_where=sa.text('citizen_id IS NOT NULL'), postgresql_where=sa.text('citizen_id IS NOT NULL'))


def downgrade():
    _recipient_index(BEFORE)
    op.drop_index('ix_comments_citizen_id', table_name='comments')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE comments DROP COLUMN citizen_id')  # SQLite 3.35+, without a rebuild (triggers)
    else:
        op.drop_column('comments', 'citizen_id')
    op.drop_index(op.f('ix_sign_in_links_email'), table_name='sign_in_links')
    op.drop_table('sign_in_links')
    op.drop_table('citizens')
