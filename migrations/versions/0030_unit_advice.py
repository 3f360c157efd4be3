"""responsible units' advice (处理建议): a unit that received a comment by mail proposes, from the link in that
mail, how the office should answer it; the office sees the advice beside the comment

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unit_advice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=200), nullable=False),
        sa.Column('unit_names', sa.JSON(), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('author_name', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_unit_advice_comment_id_comments'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_unit_advice_consultation_id_consultations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_advice')),
        sa.UniqueConstraint('comment_id', 'recipient', name='uq_unit_advice_comment_id'),
    )
    op.create_index('ix_unit_advice_comment_id', 'unit_advice', ['comment_id'])


def downgrade():
    op.drop_index('ix_unit_advice_comment_id', table_name='unit_advice')
    op.drop_table('unit_advice')
