"""the mailbox (IMAP) the portal reads a consultation's e-mailed opinions from

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-05 07:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0048'
down_revision = '0047'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'consultation_mailboxes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=200), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('security', sa.String(length=10), nullable=False),
        sa.Column('username', sa.String(length=200), nullable=False),
        sa.Column('sealed_password', sa.Text(), nullable=False),
        sa.Column('folder', sa.String(length=200), nullable=False),
        sa.Column('uid_validity', sa.BigInteger(), nullable=True),
        sa.Column('last_uid', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('last_fetched_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('last_counts', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_consultation_mailboxes_consultation_id_consultations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_mailboxes')),
        sa.UniqueConstraint('consultation_id', name=op.f('uq_consultation_mailboxes_consultation_id')),
    )


def downgrade():
    op.drop_table('consultation_mailboxes')
