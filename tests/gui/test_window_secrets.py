"""Secrets in the window, on the real engine: the build pane names the files kept out of the
image and the .env keys given to the app (never their values), the app gets them, and the
Settings dialog turns keeping them out off."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SCOPE, files_in_image, write_files
from test_settings_dialog import click_ok, open_settings
from window_driver import build_and_run_until_shown, open_project

from launcher.core import labels
from launcher.core.engine import Engine

SAYS_ITS_ENV = ("import os\nfrom flask import Flask\napp = Flask(__name__)\n"
                "@app.route('/')\ndef index():\n"
                "    return os.environ.get('GREETING', 'no greeting')\n")


def test_the_build_pane_names_what_was_kept_out_and_which_env_keys_the_app_got(
        qtbot, make_window, engine: Engine, copy_sample, tmp_path: Path, monkeypatch):
    settings_file = tmp_path / "config" / "settings.json"
    monkeypatch.setenv("FLASK_LAUNCHER_CONFIG_DIR", str(settings_file.parent))
    path = copy_sample("hello")
    write_files(path, {"hello.py": SAYS_ITS_ENV, ".dockerignore": ".git\n!.env\n",
                       ".env": "GREETING=Hello from .env\nSECRET_KEY=s3cret-value\n",
                       "deploy/id_rsa": "private"})
    window = make_window()
    open_project(qtbot, window, path)

    assert build_and_run_until_shown(qtbot, window) == "Hello from .env"
    shown = window.build_pane.output
    qtbot.waitUntil(lambda: "passing" in shown.plain_text(), timeout=10_000)
    text = shown.plain_text()
    assert ("Note: kept out of the image (secrets): .env, deploy/id_rsa. To put them in, turn "
            "on include_secrets in the settings, or pass --include-secrets") in text
    assert "passing GREETING, SECRET_KEY from .env to the app (values not shown)" in text
    assert "s3cret-value" not in text
    assert "app/.env" not in files_in_image(engine, labels.image_tag(path, SCOPE))

    dialog = open_settings(qtbot, window)
    assert not dialog.include_secrets_field.isChecked()
    dialog.include_secrets_field.click()
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: settings_file.exists() and json.loads(
        settings_file.read_text(encoding="utf-8")).get("include_secrets") is True,
        timeout=10_000)

    assert build_and_run_until_shown(qtbot, window) == "Hello from .env"
    latest_run = window.build_pane.output.plain_text().rsplit("──── Build and Run #", 1)[1]
    assert "kept out of the image" not in latest_run  # the earlier run's note stays above
    assert "app/.env" in files_in_image(engine, labels.image_tag(path, SCOPE))
