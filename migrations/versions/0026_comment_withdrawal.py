"""comments withdrawn by their authors (撤回): when; the status "withdrawn" needs no schema change

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the comments' triggers: migration 0009)
    op.add_column('comments', sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE comments DROP COLUMN withdrawn_at')
    else:
        op.drop_column('comments', 'withdrawn_at')
