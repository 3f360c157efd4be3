"""choice_answers: a keyed hash standing for the browser that answered, unique for each question, so that choices sent
twice at one moment (a double click) count once

Revision ID: 0056
Revises: 0055
Create Date: 2026-12-06 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0056'
down_revision = '0055'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('choice_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voter_key', sa.String(length=32), nullable=True))
    op.create_index('uq_choice_answers_voter', 'choice_answers', ['consultation_id', 'question', 'voter_key'],
                    unique=True, sqlite_where=sa.text('voter_key IS NOT NULL'),
                    postgresql_where=sa.text('voter_key IS NOT NULL'))


def downgrade():
    op.drop_index('uq_choice_answers_voter', table_name='choice_answers')
    with op.batch_alter_table('choice_answers', schema=None) as batch_op:
        batch_op.drop_column('voter_key')
