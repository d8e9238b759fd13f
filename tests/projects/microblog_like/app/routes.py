from flask import Blueprint

from app import db
from app.models import Author

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return f"{Author.query.count()} authors"


@bp.route("/authors/<name>", methods=["POST"])
def add_author(name):
    db.session.add(Author(name=name))
    db.session.commit()
    return f"added {name}"
