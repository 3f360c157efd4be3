"""comment channels: how an opinion reached the office (网上提交, or by e-mail, letter, fax, telephone or in person,
recorded by the office), so that opinions received outside the portal are counted, digested and answered too

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN with a constant default: no table rebuild on SQLite; every stored comment came through the portal
    op.add_column('comments', sa.Column('channel', sa.String(length=10), server_default='web', nullable=False))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE comments DROP COLUMN channel')  # SQLite 3.35+, without a rebuild (its triggers stay)
    else:
        op.drop_column('comments', 'channel')
