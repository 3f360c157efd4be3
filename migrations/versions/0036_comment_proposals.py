"""comments propose wording (建议修改为): the words a commenter would have the draft say instead of the words they
quote, or add

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the comments' triggers: migration 0009)
    op.add_column('comments', sa.Column('proposal', sa.Text(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE comments DROP COLUMN proposal')
    else:
        op.drop_column('comments', 'proposal')
