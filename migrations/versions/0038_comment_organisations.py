"""comments made on behalf of an organisation (以单位名义): its name and kind

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMNs (no batch rebuild on SQLite, which would drop the comments' triggers: migration 0009)
    op.add_column('comments', sa.Column('organisation', sa.String(length=100), nullable=True))
    op.add_column('comments', sa.Column('organisation_kind', sa.String(length=20), nullable=True))


def downgrade():
    for column in ('organisation_kind', 'organisation'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE comments DROP COLUMN {column}')
        else:
            op.drop_column('comments', column)
