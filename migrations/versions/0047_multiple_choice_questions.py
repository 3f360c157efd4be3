"""multiple-choice questions (可多选): the key questions whose choices a reader may tick several of

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-05 07:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0047'
down_revision = '0046'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the table's triggers: migrations 0009, 0010)
    op.add_column('consultations', sa.Column('multiple_choice_questions', sa.JSON(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE consultations DROP COLUMN multiple_choice_questions')
    else:
        op.drop_column('consultations', 'multiple_choice_questions')
