"""The tutorial's case 2, corrected: it served images from the absolute path /uploads/,
which is empty inside a container. The uploads folder now lives beside the code."""

from pathlib import Path

from flask import Flask, render_template, send_from_directory

app = Flask(__name__)
app.config["UPLOAD_FOLDER"] = Path(app.root_path) / "uploads"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


@app.route("/")
def index():
    folder = app.config["UPLOAD_FOLDER"]
    images = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return render_template("index.html", images=images)


@app.route("/images/<path:filename>")
def serve_image(filename):
    # send_from_directory refuses paths that leave the folder (it answers 404).
    return send_from_directory(app.config["UPLOAD_FOLDER"], filename)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
