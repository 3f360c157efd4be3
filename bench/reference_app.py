"""The limits of issue 9 with one insert: the minimal endpoint of ``bench/minimal_app.py`` (parse a 3-field form,
answer 201) that also inserts the three fields as one row and commits, through a pooled SQLAlchemy engine.

``REFERENCE_DATABASE_URL`` names the database; its table ``reference_rows`` must exist (``bench/reference_limits.py``
makes it). SQLite runs as the portal runs it: WAL, synchronous=NORMAL, a busy timeout.
"""
import os

import sqlalchemy as sa
from flask import Flask, request

app = Flask(__name__)
engine = sa.create_engine(os.environ["REFERENCE_DATABASE_URL"], pool_size=5)
INSERT = sa.text("INSERT INTO reference_rows (body, stance, author_name) VALUES (:body, :stance, :author_name)")

if engine.dialect.name == "sqlite":
    @sa.event.listens_for(engine, "connect")
    def _settings(dbapi_connection, _record):
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
            dbapi_connection.execute(f"PRAGMA {pragma}")


@app.get("/")
def home():
    return "ok"


@app.post("/form")
def form():
    row = {name: request.form.get(name, "") for name in ("body", "stance", "author_name")}
    with engine.begin() as connection:
        connection.execute(INSERT, row)
    return {"length": sum(len(value) for value in row.values())}, 201
