"""sections' key points (要点): a few plain words from the drafting office on what a section says and whom it
touches, shown before its text (for readers who find the draft's language hard, many of them elderly)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the sections' triggers: migration 0010)
    op.add_column('sections', sa.Column('key_points', sa.Text(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE sections DROP COLUMN key_points')
    else:
        op.drop_column('sections', 'key_points')
