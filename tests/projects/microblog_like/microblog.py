import click

from app import create_app, db
from app.models import Author

app = create_app()


@app.cli.command("wait-for-interrupt")
def wait_for_interrupt():
    """Print a line, then wait until stopped."""
    import time

    click.echo("waiting", nl=True)
    while True:
        time.sleep(1)


@app.cli.command("show-env")
@click.argument("name")
def show_env(name):
    """Print an environment variable the app sees."""
    import os

    click.echo(os.environ.get(name, "(not set)"))


@app.shell_context_processor
def make_shell_context():
    return {"db": db, "Author": Author}
