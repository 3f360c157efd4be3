"""terms explained (术语解释): the drafting office explains in plain words the terms its draft uses (普惠型养老,
失能失智 …); each section's page lists those its text uses. A column of the consultation: a change renews its
content token as any change of its columns does (migration 0010)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the consultations' triggers: migration 0010)
    op.add_column('consultations', sa.Column('terms', sa.JSON(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE consultations DROP COLUMN terms')
    else:
        op.drop_column('consultations', 'terms')
