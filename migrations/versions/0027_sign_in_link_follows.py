"""a sign-in link asked for from a consultation's follow box (关注) also follows it when used

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('sign_in_links', sa.Column('follow_consultation_id', sa.Integer(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE sign_in_links DROP COLUMN follow_consultation_id')
    else:
        op.drop_column('sign_in_links', 'follow_consultation_id')
