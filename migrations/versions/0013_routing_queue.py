"""routing queue: a submission queues its comment for the mail worker, which writes the outbox rows (issue 9)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'routing_queue',
        sa.Column('comment_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('base_url', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('comment_id', name=op.f('pk_routing_queue')),
    )


def downgrade():
    waiting = op.get_bind().execute(sa.text('SELECT count(*) FROM routing_queue')).scalar()
    if waiting:
        raise RuntimeError(
            f"{waiting} comments are still waiting for their mails to be planned: run `flask mail deliver` "
            "until the routing queue is empty, then downgrade")
    op.drop_table('routing_queue')
