"""consultation rounds (再次征求意见): a consultation may follow an earlier one on the same policy, whose pages then
lead to it; its commenters are told when the next round is published, so a commenter's messages now include
"next_round" and the partial index of commenters' messages by address names that kind too

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-05 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0050'
down_revision = '0049'
branch_labels = None
depends_on = None


COMMENTER_MESSAGES = ("kind IN ('confirm', 'receipt', 'response', 'reply', 'new_consultation', 'followed', "
                      "'quote_changed', 'issued', 'next_round')")  # portal/mail/models.py
BEFORE = ("kind IN ('confirm', 'receipt', 'response', 'reply', 'new_consultation', 'followed', "
          "'quote_changed', 'issued')")  # migration 0049


def _recipient_index(where):
    op.drop_index('ix_outbox_recipient', table_name='outbox')
    op.create_index('ix_outbox_recipient', 'outbox', ['recipient'], unique=False,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    # a plain ADD COLUMN, without a foreign key (no batch rebuild on SQLite, which would drop the consultations'
    # triggers: migration 0010); consultations are never deleted
    op.add_column('consultations', sa.Column('previous_round_id', sa.Integer(), nullable=True))
    op.create_index('ix_consultations_previous_round_id', 'consultations', ['previous_round_id'], unique=False)
    _recipient_index(COMMENTER_MESSAGES)


def downgrade():
    _recipient_index(BEFORE)
    op.drop_index('ix_consultations_previous_round_id', table_name='consultations')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE consultations DROP COLUMN previous_round_id')
    else:
        op.drop_column('consultations', 'previous_round_id')
