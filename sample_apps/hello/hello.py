"""The tutorial's case 1, corrected: it used `request` without importing it, and its
app.run() listened on 127.0.0.1 only, which nothing outside a container can reach."""

from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)


@app.route("/")
def hello_world():
    name = request.args.get("name") or "World"
    return f"<h1>Hello {escape(name)}!</h1>"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
