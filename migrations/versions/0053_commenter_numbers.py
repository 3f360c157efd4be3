"""comments: a commenter's number within the consultation, written when contacts are erased, so that a closing
summary written again afterwards counts the same people

Revision ID: 0053
Revises: 0052
Create Date: 2026-12-05 23:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0053'
down_revision = '0052'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commenter_no', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('commenter_no')
