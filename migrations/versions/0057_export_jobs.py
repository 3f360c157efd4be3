"""export_jobs: a large consultation's digest (its options: filters, contacts) or archive asked for by the office and
built by a worker (claimed by a conditional UPDATE; one waiting job a file, options and consultation), kept under the
instance folder until the retention

Revision ID: 0057
Revises: 0056
Create Date: 2026-12-06 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0057'
down_revision = '0056'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'export_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('options', sa.Text(), nullable=True),
        sa.Column('options_key', sa.String(length=64), server_default='', nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=100), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('path', sa.String(length=200), nullable=True),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('comments', sa.Integer(), nullable=True),
        sa.Column('files', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_export_jobs_consultation_id_consultations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_export_jobs_requested_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs'))
    )
    op.create_index('ix_export_jobs_consultation_kind', 'export_jobs', ['consultation_id', 'kind', 'status'])
    op.create_index('ix_export_jobs_status', 'export_jobs', ['status'])
    op.create_index('uq_export_jobs_waiting', 'export_jobs', ['consultation_id', 'kind', 'options_key'], unique=True,
                    sqlite_where=sa.text("status IN ('pending', 'running')"),
                    postgresql_where=sa.text("status IN ('pending', 'running')"))


def downgrade():
    op.drop_index('uq_export_jobs_waiting', table_name='export_jobs')
    op.drop_index('ix_export_jobs_status', table_name='export_jobs')
    op.drop_index('ix_export_jobs_consultation_kind', table_name='export_jobs')
    op.drop_table('export_jobs')
