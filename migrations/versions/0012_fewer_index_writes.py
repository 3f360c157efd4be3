"""fewer index entries per submission: partial indexes for replies, form letters and commenters' messages, the
outbox's dedup keys unique where set, no index on outbox.consultation_id (issue 9)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

COMMENTER_MESSAGES = "kind IN ('confirm', 'receipt')"  # portal/mail/models.py


def _partial(name, table, column, where):
    op.drop_index(name, table_name=table)
    op.create_index(name, table, [column], unique=False, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def _whole(name, table, column):
    op.drop_index(name, table_name=table)
    op.create_index(name, table, [column], unique=False)


def upgrade():
    _partial('ix_comments_parent_id', 'comments', 'parent_id', 'parent_id IS NOT NULL')
    _partial('ix_comments_form_letter_id', 'comments', 'form_letter_id', 'form_letter_id IS NOT NULL')
    _partial('ix_outbox_recipient', 'outbox', 'recipient', COMMENTER_MESSAGES)
    op.drop_index('ix_outbox_consultation_id', table_name='outbox')
    with op.batch_alter_table('outbox', schema=None) as batch_op:  # SQLite rebuilds the table
        batch_op.drop_constraint('uq_outbox_dedup_key', type_='unique')
    op.create_index('uq_outbox_dedup_key', 'outbox', ['dedup_key'], unique=True,
                    sqlite_where=sa.text('dedup_key IS NOT NULL'), postgresql_where=sa.text('dedup_key IS NOT NULL'))


def downgrade():
    op.drop_index('uq_outbox_dedup_key', table_name='outbox')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_outbox_dedup_key', ['dedup_key'])
    op.create_index('ix_outbox_consultation_id', 'outbox', ['consultation_id'], unique=False)
    _whole('ix_outbox_recipient', 'outbox', 'recipient')
    _whole('ix_comments_form_letter_id', 'comments', 'form_letter_id')
    _whole('ix_comments_parent_id', 'comments', 'parent_id')
