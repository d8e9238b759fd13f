import os

from flask import Flask

app = Flask(__name__)

# Beside the code, where the app's user may not write (a path detection cannot read).
with open(os.path.join(os.getcwd(), "started.txt"), "w") as marker:
    marker.write("started\n")


@app.route("/")
def index():
    return "started"
