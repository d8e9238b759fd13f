"""A small app whose own Dockerfile is written for BuildKit."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index() -> str:
    return "built with a pip cache mount"
