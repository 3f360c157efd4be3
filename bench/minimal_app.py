"""The limit: a minimal Flask endpoint that parses a 3-field form and returns 201 (served like the portal)."""
from flask import Flask, request

app = Flask(__name__)


@app.get("/")
def home():
    return "ok"


@app.post("/form")
def form():
    fields = (request.form.get("body", ""), request.form.get("stance", ""), request.form.get("author_name", ""))
    return {"length": sum(len(f) for f in fields)}, 201
