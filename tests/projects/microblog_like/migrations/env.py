"""Alembic's environment for the app's database, through Flask-Migrate."""
from alembic import context
from flask import current_app

config = context.config
database = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url",
                       str(database.engine.url).replace("%", "%%"))


def run_migrations_online():
    with database.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=database.metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
