"""consultation files (相关文件): files the drafting office publishes beside the draft (a table of changes, a map,
a form), kept in the database; a change renews the consultation's content token, as its other content does
(migration 0010)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

OPERATIONS = ("INSERT", "UPDATE", "DELETE")
SQLITE_NEW = "lower(hex(randomblob(16)))"  # migration 0010
PG_NEW = "md5(random()::text || clock_timestamp()::text)"


def upgrade():
    op.create_table(
        'consultation_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_consultation_files_consultation_id_consultations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_files')),
    )
    op.create_index(op.f('ix_consultation_files_consultation_id'), 'consultation_files', ['consultation_id'],
                    unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""CREATE FUNCTION portal_renew_consultation_content_token() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE consultations SET content_token = {PG_NEW} WHERE id = OLD.consultation_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE consultations SET content_token = {PG_NEW} WHERE id = NEW.consultation_id;
      END IF;
      RETURN NULL;
    END $$""")
        op.execute("CREATE TRIGGER consultation_files_content_token AFTER INSERT OR UPDATE OR DELETE ON "
                   "consultation_files FOR EACH ROW EXECUTE FUNCTION portal_renew_consultation_content_token()")
    else:
        for operation in OPERATIONS:
            rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[operation]
            targets = ", ".join(f"{row}.consultation_id" for row in rows)
            op.execute(f"CREATE TRIGGER consultation_files_content_token_{operation.lower()} AFTER {operation} ON "
                       f"consultation_files BEGIN UPDATE consultations SET content_token = {SQLITE_NEW} "
                       f"WHERE id IN ({targets}); END")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS consultation_files_content_token ON consultation_files")
        op.execute("DROP FUNCTION IF EXISTS portal_renew_consultation_content_token()")
    op.drop_index(op.f('ix_consultation_files_consultation_id'), table_name='consultation_files')
    op.drop_table('consultation_files')
