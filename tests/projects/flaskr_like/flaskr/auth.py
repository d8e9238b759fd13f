from flask import Blueprint, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from flaskr.db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/register", methods=("POST",))
def register():
    db = get_db()
    try:
        db.execute("INSERT INTO account (username, password) VALUES (?, ?)",
                   (request.form["username"], generate_password_hash(request.form["password"])))
        db.commit()
    except db.IntegrityError:
        return f"User {request.form['username']} is already registered.", 400
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=("GET", "POST"))
def login():
    if request.method == "GET":
        return "log in here"
    account = get_db().execute("SELECT * FROM account WHERE username = ?",
                               (request.form["username"],)).fetchone()
    if account is None or not check_password_hash(account["password"],
                                                  request.form["password"]):
        return "Incorrect username or password.", 403
    session.clear()
    session["user_id"] = account["id"]
    return redirect(url_for("index"))
