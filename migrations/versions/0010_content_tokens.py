"""content tokens: a consultation's content_token and the directory's and word list's tokens, renewed by
triggers, so that pages and submissions can keep what they read of them in memory (issue 9)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Tables whose rows belong to one consultation: how a row names it.
BY_CONSULTATION = {
    "drafts": "{row}.consultation_id",
    "deadline_extensions": "{row}.consultation_id",
    "routing_settings": "{row}.consultation_id",
    "sections": "(SELECT consultation_id FROM drafts WHERE drafts.id = {row}.draft_id)",
    "draft_tables": "(SELECT consultation_id FROM drafts WHERE drafts.id = {row}.draft_id)",
}
# Tables every consultation reads: the token (a row of cache_tokens) they renew.
GLOBAL = {"units": "units", "unit_aliases": "units", "sensitive_words": "sensitive_words"}
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
SQLITE_NEW = "lower(hex(randomblob(16)))"
PG_NEW = "md5(random()::text || clock_timestamp()::text)"


def _sqlite_statements():
    for table, consultation in BY_CONSULTATION.items():
        for operation in OPERATIONS:
            rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[operation]
            targets = ", ".join(consultation.format(row=row) for row in rows)
            yield (f"CREATE TRIGGER {table}_content_token_{operation.lower()} AFTER {operation} ON {table} "
                   f"BEGIN UPDATE consultations SET content_token = {SQLITE_NEW} WHERE id IN ({targets}); END")
    # any change of the consultation's own columns, except the tokens themselves (no recursion)
    yield ("CREATE TRIGGER consultations_content_token AFTER UPDATE ON consultations "
           "WHEN OLD.content_token IS NEW.content_token AND OLD.comments_token IS NEW.comments_token "
           f"BEGIN UPDATE consultations SET content_token = {SQLITE_NEW} WHERE id = NEW.id; END")
    for table, name in GLOBAL.items():
        for operation in OPERATIONS:
            yield (f"CREATE TRIGGER {table}_cache_token_{operation.lower()} AFTER {operation} ON {table} "
                   f"BEGIN UPDATE cache_tokens SET token = {SQLITE_NEW} WHERE name = '{name}'; END")


def _postgresql_statements():
    branches = []
    for table, consultation in BY_CONSULTATION.items():
        branches.append(
            f"""IF TG_TABLE_NAME = '{table}' THEN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          UPDATE consultations SET content_token = {PG_NEW} WHERE id = {consultation.format(row='OLD')};
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          UPDATE consultations SET content_token = {PG_NEW} WHERE id = {consultation.format(row='NEW')};
        END IF;
      END IF;""")
    yield ("CREATE FUNCTION portal_renew_content_token() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      "
           + "\n      ".join(branches) + "\n      RETURN NULL;\n    END $$")
    for table in BY_CONSULTATION:
        yield (f"CREATE TRIGGER {table}_content_token AFTER INSERT OR UPDATE OR DELETE ON {table} "
               "FOR EACH ROW EXECUTE FUNCTION portal_renew_content_token()")
    yield f"""CREATE FUNCTION portal_renew_own_content_token() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.content_token IS NOT DISTINCT FROM OLD.content_token
         AND NEW.comments_token IS NOT DISTINCT FROM OLD.comments_token THEN
        NEW.content_token := {PG_NEW};
      END IF;
      RETURN NEW;
    END $$"""
    yield ("CREATE TRIGGER consultations_content_token BEFORE UPDATE ON consultations "
           "FOR EACH ROW EXECUTE FUNCTION portal_renew_own_content_token()")
    yield f"""CREATE FUNCTION portal_renew_cache_token() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE cache_tokens SET token = {PG_NEW} WHERE name = TG_ARGV[0];
      RETURN NULL;
    END $$"""
    for table, name in GLOBAL.items():
        yield (f"CREATE TRIGGER {table}_cache_token AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
               f"FOR EACH STATEMENT EXECUTE FUNCTION portal_renew_cache_token('{name}')")


def upgrade():
    op.create_table(
        'cache_tokens',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_tokens')),
    )
    pg = op.get_bind().dialect.name == 'postgresql'
    for name in sorted(set(GLOBAL.values())):
        op.execute(f"INSERT INTO cache_tokens (name, token) VALUES ('{name}', {PG_NEW if pg else SQLITE_NEW})")
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_token', sa.String(length=32), server_default='', nullable=False))
    op.execute(f"UPDATE consultations SET content_token = {PG_NEW if pg else SQLITE_NEW}")
    # Triggers last: a batch rebuild of a table on SQLite drops its triggers (a later migration that rebuilds
    # one of these tables must create them again; tests/consultations/test_content_tokens.py would notice).
    for statement in (_postgresql_statements() if pg else _sqlite_statements()):
        op.execute(statement)


def downgrade():
    pg = op.get_bind().dialect.name == 'postgresql'
    if pg:
        for table in BY_CONSULTATION:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_content_token ON {table}")
        op.execute("DROP TRIGGER IF EXISTS consultations_content_token ON consultations")
        for table in GLOBAL:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_cache_token ON {table}")
        for function in ("portal_renew_content_token", "portal_renew_own_content_token", "portal_renew_cache_token"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for table in BY_CONSULTATION:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_content_token_{operation.lower()}")
        op.execute("DROP TRIGGER IF EXISTS consultations_content_token")
        for table in GLOBAL:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_cache_token_{operation.lower()}")
    if pg:
        op.drop_column('consultations', 'content_token')
    else:
        # SQLite's own DROP COLUMN (3.35+): a batch rebuild of consultations would fail on the comments
        # table's triggers of revision 0009, which name it
        op.execute("ALTER TABLE consultations DROP COLUMN content_token")
    op.drop_table('cache_tokens')
