"""consultation follows (关注): a signed-in citizen follows a consultation and hears by mail when its deadline is
extended, a revised draft is put out or the office publishes its responses; a commenter's messages now include
"followed", so the partial index of commenters' messages by address names that kind too

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


COMMENTER_MESSAGES = ("kind IN ('confirm', 'receipt', 'response', 'reply', 'new_consultation', 'followed')"
                      )  # portal/mail/models.py
BEFORE = "kind IN ('confirm', 'receipt', 'response', 'reply', 'new_consultation')"  # migration 0016


def _recipient_index(where):
    op.drop_index('ix_outbox_recipient', table_name='outbox')
    op.create_index('ix_outbox_recipient', 'outbox', ['recipient'], unique=False,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    _recipient_index(COMMENTER_MESSAGES)
    op.create_table(
        'consultation_follows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('citizen_id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'],
                                name=op.f('fk_consultation_follows_citizen_id_citizens'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_consultation_follows_consultation_id_consultations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_follows')),
        sa.UniqueConstraint('citizen_id', 'consultation_id', name=op.f('uq_consultation_follows_citizen_id')),
    )
    op.create_index(op.f('ix_consultation_follows_consultation_id'), 'consultation_follows', ['consultation_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_consultation_follows_consultation_id'), table_name='consultation_follows')
    op.drop_table('consultation_follows')
    _recipient_index(BEFORE)
