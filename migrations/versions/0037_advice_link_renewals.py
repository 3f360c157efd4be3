"""a responsible unit's links renewed (更换链接): the advice and list links mailed to an address carry the number of its
links' generation; renewing them counts it up, and the links of earlier generations are refused (one was forwarded
to someone who should not have it)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'advice_link_renewals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=200), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('renewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_advice_link_renewals_consultation_id_consultations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_advice_link_renewals')),
        sa.UniqueConstraint('consultation_id', 'recipient', name='uq_advice_link_renewals_recipient'),
    )


def downgrade():
    op.drop_table('advice_link_renewals')
