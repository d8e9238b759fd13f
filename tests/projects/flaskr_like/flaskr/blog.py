from flask import Blueprint, session

from flaskr.db import get_db

bp = Blueprint("blog", __name__)


@bp.route("/")
def index():
    db = get_db()
    entries = db.execute("SELECT title FROM entry").fetchall()
    user = None
    if "user_id" in session:
        user = db.execute("SELECT username FROM account WHERE id = ?",
                          (session["user_id"],)).fetchone()
    who = f"Logged in as {user['username']}" if user else "Not logged in"
    return f"<p>{who}</p><p>{len(entries)} entries</p>"
