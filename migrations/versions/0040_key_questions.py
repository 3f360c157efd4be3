"""key questions (重点问题): the questions the drafting office most wants to hear about, and the one a comment answers

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMNs (no batch rebuild on SQLite, which would drop the tables' triggers: migrations 0009, 0010)
    op.add_column('consultations', sa.Column('questions', sa.JSON(), nullable=True))
    op.add_column('comments', sa.Column('question', sa.Integer(), nullable=True))


def downgrade():
    for table, column in (('comments', 'question'), ('consultations', 'questions')):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        else:
            op.drop_column(table, column)
