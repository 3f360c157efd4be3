"""new consultation alerts: a citizen may ask for one mail for each consultation published (新征求意见提醒), in
the language they turned it on in; a commenter's messages now include "new_consultation", so the partial index
of commenters' messages by address names that kind too

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


COMMENTER_MESSAGES = "kind IN ('confirm', 'receipt', 'response', 'reply', 'new_consultation')"  # portal/mail/models.py
BEFORE = "kind IN ('confirm', 'receipt', 'response', 'reply')"  # migration 0015


def _recipient_index(where):
    op.drop_index('ix_outbox_recipient', table_name='outbox')
    op.create_index('ix_outbox_recipient', 'outbox', ['recipient'], unique=False,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    _recipient_index(COMMENTER_MESSAGES)
    # ADD COLUMN with a constant default: no table rebuild on SQLite, every existing account has alerts off
    op.add_column('citizens', sa.Column('consultation_alerts', sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    op.add_column('citizens', sa.Column('alerts_language', sa.String(length=10), nullable=True))


def downgrade():
    _recipient_index(BEFORE)
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.drop_column('alerts_language')
        batch_op.drop_column('consultation_alerts')
