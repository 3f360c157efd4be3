"""consultations: grouping_version, how many times the form-letter grouping put one of the consultation's comments in a
group (one atomic + 1 in the grouping's transaction), the feedback report's key instead of max(grouped_at) and the
comments grouped in the minute before it (which missed a grouping by a host whose clock was more than a minute behind);
its change renews no content token (the public pages do not show the grouping); ix_comments_grouped (migration 0062),
which only that key read, is gone

Revision ID: 0063
Revises: 0062
Create Date: 2026-12-06 15:10:42

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0063'
down_revision = '0062'
branch_labels = None
depends_on = None

SQLITE_NEW = "lower(hex(randomblob(16)))"
PG_NEW = "md5(random()::text || clock_timestamp()::text)"
# The consultation's own columns renew its content token (migration 0010), except the tokens themselves and, from
# here, the grouping's counter (the grouper's UPDATE sets nothing else)
UNCHANGED = {
    "sqlite": ("OLD.content_token IS NEW.content_token AND OLD.comments_token IS NEW.comments_token",
               " AND OLD.grouping_version IS NEW.grouping_version"),
    "postgresql": ("NEW.content_token IS NOT DISTINCT FROM OLD.content_token\n"
                   "         AND NEW.comments_token IS NOT DISTINCT FROM OLD.comments_token",
                   "\n         AND NEW.grouping_version IS NOT DISTINCT FROM OLD.grouping_version"),
}


def _own_content_token(with_grouping: bool) -> list[str]:
    """The statements that (re)create the trigger renewing a consultation's content token on its own columns."""
    if op.get_bind().dialect.name == "postgresql":
        tokens, grouping = UNCHANGED["postgresql"]
        return [f"""CREATE OR REPLACE FUNCTION portal_renew_own_content_token() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF {tokens}{grouping if with_grouping else ""} THEN
        NEW.content_token := {PG_NEW};
      END IF;
      RETURN NEW;
    END $$"""]
    tokens, grouping = UNCHANGED["sqlite"]
    return ["DROP TRIGGER IF EXISTS consultations_content_token",
            "CREATE TRIGGER consultations_content_token AFTER UPDATE ON consultations "
            f"WHEN {tokens}{grouping if with_grouping else ''} "
            f"BEGIN UPDATE consultations SET content_token = {SQLITE_NEW} WHERE id = NEW.id; END"]


def upgrade():
    op.drop_index('ix_comments_grouped', table_name='comments')
    # SQLite's own ADD COLUMN (no batch rebuild: the tables' triggers name consultations)
    op.add_column('consultations', sa.Column('grouping_version', sa.Integer(), server_default='0', nullable=False))
    for statement in _own_content_token(with_grouping=True):
        op.execute(statement)


def downgrade():
    # the trigger first: SQLite refuses to drop a column a trigger names
    for statement in _own_content_token(with_grouping=False):
        op.execute(statement)
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_column('consultations', 'grouping_version')
    else:
        op.execute("ALTER TABLE consultations DROP COLUMN grouping_version")
    op.create_index('ix_comments_grouped', 'comments', ['consultation_id', 'grouped_at'], unique=False,
                    sqlite_where=sa.text('grouped_at IS NOT NULL'), postgresql_where=sa.text('grouped_at IS NOT NULL'))
