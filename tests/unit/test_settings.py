"""Settings: what the Settings dialog (and settings.json) may hold, and how it is written."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from launcher.core.settings import (
    Settings,
    base_image_problem,
    bind_address_problem,
    write_settings_file,
)


@pytest.mark.parametrize("reference", [
    "", "python:3.12-slim", "flask-launcher-base:bookworm", "library/python",
    "localhost:5000/team/python:3.12", "registry.example.com/team/app:v1.2-rc_3",
    "python@sha256:" + "a" * 64, "[::1]:5000/python",
])
def test_image_names_the_engine_takes(reference: str) -> None:
    assert base_image_problem(reference) is None


@pytest.mark.parametrize(("reference", "problem"), [
    ("Python:3.12", "'Python:3.12': image names are lowercase"),
    ("python 3.12", "'python 3.12' is not an image name: NAME[:TAG], for example python:3.12-slim"),
    ("python:", "'python:' is not an image name"),
    ("a:b:c", "'a:b:c' is not an image name"),
    ("-python", "'-python' is not an image name"),
])
def test_image_names_the_engine_refuses_say_why(reference: str, problem: str) -> None:
    assert (base_image_problem(reference) or "").startswith(problem)


@pytest.mark.parametrize(("address", "ok"), [
    ("127.0.0.1", True), ("0.0.0.0", True), ("::1", True), ("::", True), ("127.0.0.2", True),
    ("localhost", False), ("999.1.1.1", False), ("", False),
])
def test_bind_addresses_are_ip_addresses(address: str, ok: bool) -> None:
    assert (bind_address_problem(address) is None) is ok


def test_a_bind_address_of_another_computer_is_refused() -> None:
    # TEST-NET-3 (RFC 5737): never assigned to a machine, so never one of this one's.
    assert bind_address_problem("203.0.113.7") == (
        "203.0.113.7 is not an address of this computer: 127.0.0.1 for this computer only, "
        "0.0.0.0 for every network it is on")


def test_concurrent_writes_leave_one_whole_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLASK_LAUNCHER_CONFIG_DIR", str(tmp_path))
    texts = [Settings(base_image=f"python:3.{n}-slim").to_json() for n in range(8, 14)]
    writers = [threading.Thread(target=write_settings_file, args=(text,)) for text in texts]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(10)

    assert (tmp_path / "settings.json").read_text(encoding="utf-8") in texts
    assert Settings.load().base_image in {json.loads(t)["base_image"] for t in texts}
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_a_hand_edit_gone_wrong_falls_back_per_setting_and_keeps_the_file(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLASK_LAUNCHER_CONFIG_DIR", str(tmp_path))
    text = json.dumps({"base_image": "Python:3.12", "bind_address": "0.0.0.0",
                       "readiness_timeout_s": "ninety", "recent_projects": ["/src/shop"],
                       "from_a_later_version": True})
    (tmp_path / "settings.json").write_text(text, encoding="utf-8")

    settings = Settings.load()

    assert (settings.base_image, settings.bind_address, settings.readiness_timeout_s,
            settings.recent_projects) == (None, "0.0.0.0", 60.0, ["/src/shop"])
    file = tmp_path / "settings.json"
    assert settings.load_problems == [
        f"{file}: base_image: 'Python:3.12': image names are lowercase; using the default",
        f"{file}: readiness_timeout_s: not a number of seconds; using the default",
        f"the file as it was is kept in {file}.broken"]
    assert (tmp_path / "settings.json.broken").read_text(encoding="utf-8") == text
    assert "load_problems" not in json.loads(settings.to_json())


def test_a_settings_file_that_is_not_json_gives_the_defaults_and_is_kept(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLASK_LAUNCHER_CONFIG_DIR", str(tmp_path))
    (tmp_path / "settings.json").write_text('{"base_image": "python:3.11-slim",', "utf-8")

    settings = Settings.load()

    assert settings == Settings()
    assert settings.load_problems[0].startswith(f"{tmp_path / 'settings.json'} cannot be read (")
    assert settings.load_problems[0].endswith("); using the defaults")
    assert (tmp_path / "settings.json.broken").is_file()


def test_no_settings_file_is_no_problem(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLASK_LAUNCHER_CONFIG_DIR", str(tmp_path))
    assert Settings.load().load_problems == []
    assert list(tmp_path.iterdir()) == []
