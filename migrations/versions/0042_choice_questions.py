"""choice questions (选择题): the choices a key question offers, and readers' answers to them (表态)

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the table's triggers: migrations 0009, 0010)
    op.add_column('consultations', sa.Column('question_choices', sa.JSON(), nullable=True))
    op.create_table(
        'choice_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.Integer(), nullable=False),
        sa.Column('choice', sa.Integer(), nullable=False),
        sa.Column('client_hash', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_choice_answers_consultation_id_consultations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_choice_answers')),
    )
    op.create_index('ix_choice_answers_consultation_id_question', 'choice_answers', ['consultation_id', 'question'],
                    unique=False)


def downgrade():
    op.drop_index('ix_choice_answers_consultation_id_question', table_name='choice_answers')
    op.drop_table('choice_answers')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE consultations DROP COLUMN question_choices')
    else:
        op.drop_column('consultations', 'question_choices')
