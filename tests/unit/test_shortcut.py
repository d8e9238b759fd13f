"""install-shortcut / uninstall-shortcut: what they write into the desktop's application menu,
checked as files (and by desktop-file-validate, from Debian's desktop-file-utils, which
scripts/test.sh installs), and that uninstalling removes only what installing wrote."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from launcher.core.shortcut import (
    ICON_MARK,
    Desktop,
    ShortcutError,
    install_shortcut,
    uninstall_shortcut,
)

APP_SVG = Path(__file__).resolve().parents[2] / "launcher" / "resources" / "app.svg"
THIS_INSTALLS_SCRIPT = Path(sys.executable).with_name("flask-launcher")


def shortcut_cli(command: str, home: Path, data_home: Path | None) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOME=str(home))
    env.pop("XDG_DATA_HOME", None)
    if data_home is not None:
        env["XDG_DATA_HOME"] = str(data_home)
    return subprocess.run([sys.executable, "-m", "launcher", command], capture_output=True,
                          text=True, env=env, cwd=home, stdin=subprocess.DEVNULL, timeout=60)


def validate(entry: Path) -> None:
    validator = shutil.which("desktop-file-validate")
    assert validator, "desktop-file-validate is missing: apt-get install desktop-file-utils"
    result = subprocess.run([validator, str(entry)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def entry_values(entry: Path) -> dict[str, str]:
    lines = entry.read_text("utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


def test_the_menu_entry_goes_under_xdg_data_home_and_starts_this_installs_window(tmp_path):
    home, data = tmp_path / "home", tmp_path / "my data"  # a space, as in real home folders
    home.mkdir()
    result = shortcut_cli("install-shortcut", home, data)

    entry = data / "applications" / "flask-launcher.desktop"
    icon = data / "icons" / "hicolor" / "scalable" / "apps" / "flask-launcher.svg"
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"wrote {icon}", f"wrote {entry}"]
    assert "Flask Launcher is in the application menu" in result.stderr
    validate(entry)
    values = entry_values(entry)
    assert values["Name"] == "Flask Launcher"
    assert values["Icon"] == "flask-launcher"
    assert values["Exec"] == f"{THIS_INSTALLS_SCRIPT} gui %f"
    assert values["TryExec"] == str(THIS_INSTALLS_SCRIPT)
    assert values["Terminal"] == "false"
    assert icon.read_text() == ICON_MARK + APP_SVG.read_text()  # the mark: an XML comment
    assert list(home.iterdir()) == []  # XDG_DATA_HOME set: nothing under ~/.local/share

    result = shortcut_cli("uninstall-shortcut", home, data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"removed {entry}", f"removed {icon}"]
    assert not entry.exists() and not icon.exists()
    result = shortcut_cli("uninstall-shortcut", home, data)
    assert result.stderr.strip() == ("nothing to remove: install-shortcut has not added Flask "
                                     "Launcher to the menu")


def test_without_xdg_data_home_it_is_local_share_in_home(tmp_path):
    result = shortcut_cli("install-shortcut", tmp_path, None)
    assert result.returncode == 0, result.stderr
    entry = tmp_path / ".local" / "share" / "applications" / "flask-launcher.desktop"
    validate(entry)
    assert (tmp_path / ".local/share/icons/hicolor/scalable/apps/flask-launcher.svg").is_file()


def test_uninstall_removes_only_what_install_wrote(tmp_path):
    data = tmp_path / "data"
    applications = data / "applications"
    applications.mkdir(parents=True)
    neighbour = applications / "my-editor.desktop"
    neighbour.write_text("[Desktop Entry]\nType=Application\nName=Mine\nExec=true\n")
    assert shortcut_cli("install-shortcut", tmp_path, data).returncode == 0
    icon = data / "icons" / "hicolor" / "scalable" / "apps" / "flask-launcher.svg"
    icon.write_text("<svg>the user's own</svg>")  # replaced by the user after installing

    result = shortcut_cli("uninstall-shortcut", tmp_path, data)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [f"removed {applications / 'flask-launcher.desktop'}"]
    assert result.stderr.splitlines() == [
        f"kept {icon}: not written by flask-launcher install-shortcut"]
    assert icon.read_text() == "<svg>the user's own</svg>"
    assert neighbour.is_file()

    result = shortcut_cli("uninstall-shortcut", tmp_path, data)  # nothing of ours is left
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"kept {icon}: not written by flask-launcher install-shortcut"]


def test_a_menu_entry_of_the_same_name_the_user_wrote_is_refused_and_kept(tmp_path):
    entry = tmp_path / "data" / "applications" / "flask-launcher.desktop"
    entry.parent.mkdir(parents=True)
    entry.write_text("[Desktop Entry]\nType=Application\nName=My own\nExec=true\n")

    result = shortcut_cli("install-shortcut", tmp_path, tmp_path / "data")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {entry} exists and was not written by flask-launcher: move it away, then "
        "run install-shortcut again.")
    result = shortcut_cli("uninstall-shortcut", tmp_path, tmp_path / "data")
    assert result.stderr.strip() == f"kept {entry}: not written by flask-launcher install-shortcut"
    assert "My own" in entry.read_text()


def test_exec_quotes_an_interpreter_path_with_reserved_characters(tmp_path):
    python = tmp_path / "my env" / "bin" / 'py"th$on'  # no flask-launcher script beside it
    python.parent.mkdir(parents=True)
    python.touch(mode=0o755)
    desktop = Desktop("linux", tmp_path, {"XDG_DATA_HOME": str(tmp_path / "data")}, str(python))
    install_shortcut(desktop)
    entry = tmp_path / "data" / "applications" / "flask-launcher.desktop"
    validate(entry)
    # Quoted for Exec (\" and \$), then each backslash doubled as a string value.
    quoted = str(python).replace('"', '\\\\"').replace("$", "\\\\$")
    assert f'Exec="{quoted}" -P -m launcher gui %f' in entry.read_text().splitlines()


def test_macos_gets_a_bundle_in_applications_that_starts_this_install(tmp_path):
    desktop = Desktop("darwin", tmp_path, {}, sys.executable)
    report = install_shortcut(desktop)
    bundle = tmp_path / "Applications" / "Flask Launcher.app"
    assert report.written == [bundle]
    info = plistlib.loads((bundle / "Contents" / "Info.plist").read_bytes())
    assert info["CFBundleExecutable"] == "flask-launcher"
    script = bundle / "Contents" / "MacOS" / "flask-launcher"
    assert os.access(script, os.X_OK)
    assert script.read_text().splitlines()[1] == f"exec '{THIS_INSTALLS_SCRIPT}' 'gui' \"$@\""

    mine = tmp_path / "Applications" / "Mine.app"
    mine.mkdir()
    assert uninstall_shortcut(desktop).removed == [bundle]
    assert not bundle.exists() and mine.is_dir()


def test_windows_is_one_sentence_saying_it_is_not_supported_yet(tmp_path):
    with pytest.raises(ShortcutError, match=r"^install-shortcut does not support Windows yet: "):
        install_shortcut(Desktop("win32", tmp_path, {}, sys.executable))
    assert list(tmp_path.iterdir()) == []


def test_an_icon_an_older_version_wrote_is_still_ours(tmp_path):
    desktop = Desktop("linux", tmp_path, {}, sys.executable)
    install_shortcut(desktop)
    icon = tmp_path / ".local/share/icons/hicolor/scalable/apps/flask-launcher.svg"
    ElementTree.parse(icon)  # the mark keeps it a valid SVG document
    icon.write_text(ICON_MARK + "<svg xmlns='http://www.w3.org/2000/svg'/>")  # an old icon
    assert icon in uninstall_shortcut(desktop).removed
