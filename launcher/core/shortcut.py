"""The launcher in the desktop's application menu: ``install-shortcut`` / ``uninstall-shortcut``.

Linux (and the BSDs): a Desktop Entry (freedesktop.org Desktop Entry Specification 1.5) in
``$XDG_DATA_HOME/applications`` and the icon in the hicolor theme under
``$XDG_DATA_HOME/icons`` (``~/.local/share`` when XDG_DATA_HOME is unset or not absolute, as
the XDG Base Directory Specification says). macOS: a small application bundle in
``~/Applications`` whose executable starts this install; it has no icon (the launcher ships
only SVG, which bundles cannot use). Windows: not supported yet, said in one sentence.

The shortcut starts the window of THIS install: the ``flask-launcher`` script beside this
Python (a pipx or virtual environment's interpreter, not resolved to the base one), or this
Python with ``-m launcher``, and the ``gui`` command. Uninstalling removes only
files that carry this module's mark, so a menu entry or bundle of the same name that the user
made is left alone.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from launcher.core.errors import LauncherError
from launcher.core.files import atomic_write_text
from launcher.core.package_files import resource_path

APP_ID = "flask-launcher"
APP_NAME = "Flask Launcher"
BUNDLE_ID = "io.github.flask-launcher"
# A key of our own in the desktop entry (the spec reserves X- keys for this): the proof that
# the file is the one install-shortcut wrote.
MARK_KEY = "X-Flask-Launcher-Shortcut"
# The icon's mark: an XML comment before the root element, which keeps the SVG valid and
# survives an upgrade that changes the icon itself.
ICON_MARK = "<!-- written by flask-launcher install-shortcut -->\n"
COMMENT = "Run a Flask project in Docker: build, run, logs and a preview"


class ShortcutError(LauncherError):
    """The shortcut cannot be written here (an unsupported system, a folder we cannot write)."""


@dataclass
class ShortcutReport:
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    kept: list[tuple[Path, str]] = field(default_factory=list)  # (path, why it was kept)


@dataclass(frozen=True)
class Desktop:
    """Where the shortcut goes, and what it runs: the system's defaults, or a test's."""

    platform: str
    home: Path
    environ: Mapping[str, str]
    python: str

    @classmethod
    def current(cls) -> Desktop:
        return cls(sys.platform, Path.home(), os.environ, sys.executable)

    @property
    def data_home(self) -> Path:
        configured = self.environ.get("XDG_DATA_HOME", "")
        return Path(configured) if os.path.isabs(configured) else self.home / ".local" / "share"

    @property
    def command(self) -> list[str]:
        """What the shortcut runs: the console script beside this interpreter (a virtual or
        pipx environment's), else this interpreter with ``-m launcher``. ``-P`` keeps the
        working directory off sys.path, so a ``launcher`` folder in it is not imported."""
        suffix = ".exe" if self.platform.startswith("win") else ""
        script = Path(self.python).with_name(f"{APP_ID}{suffix}")
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script), "gui"]
        return [self.python, "-P", "-m", "launcher", "gui"]


def install_shortcut(desktop: Desktop | None = None) -> ShortcutReport:
    desktop = desktop or Desktop.current()
    if desktop.platform == "darwin":
        return _install_macos_bundle(desktop)
    if desktop.platform.startswith(("win", "cygwin", "msys")):
        raise ShortcutError("install-shortcut does not support Windows yet: start the window "
                            "with `flask-launcher`, or pin that command to the Start menu.")
    return _install_desktop_entry(desktop)


def uninstall_shortcut(desktop: Desktop | None = None) -> ShortcutReport:
    desktop = desktop or Desktop.current()
    if desktop.platform == "darwin":
        return _uninstall_macos_bundle(desktop)
    if desktop.platform.startswith(("win", "cygwin", "msys")):
        return ShortcutReport()
    return _uninstall_desktop_entry(desktop)


# --- Linux: a Desktop Entry and a hicolor icon ------------------------------------------------

def desktop_entry_path(desktop: Desktop) -> Path:
    return desktop.data_home / "applications" / f"{APP_ID}.desktop"


def icon_path(desktop: Desktop) -> Path:
    return desktop.data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def desktop_entry_text(desktop: Desktop) -> str:
    exec_line = " ".join(_exec_argument(arg) for arg in desktop.command) + " %f"
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        f"Name={APP_NAME}",
        "GenericName=Flask app launcher",
        f"Comment={COMMENT}",
        f"Icon={APP_ID}",
        f"TryExec={_escape_string(desktop.command[0])}",
        f"Exec={_escape_string(exec_line)}",
        "Terminal=false",
        "Categories=Development;",
        "Keywords=Flask;Docker;Python;",
        f"{MARK_KEY}=true",
        "",
    ])


def _install_desktop_entry(desktop: Desktop) -> ShortcutReport:
    report = ShortcutReport()
    entry, icon = desktop_entry_path(desktop), icon_path(desktop)
    if entry.exists() and not _is_our_entry(entry):
        raise ShortcutError(f"{entry} exists and was not written by flask-launcher: move it "
                            "away, then run install-shortcut again.")
    try:
        icon.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(icon, ICON_MARK + resource_path("app.svg").read_text("utf-8"))
        report.written.append(icon)
        entry.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(entry, desktop_entry_text(desktop))
        report.written.append(entry)
    except OSError as error:
        raise ShortcutError(f"cannot write {error.filename or entry}: {error.strerror}. Check "
                            "that the folder is yours and writable.") from None
    return report


def _uninstall_desktop_entry(desktop: Desktop) -> ShortcutReport:
    report = ShortcutReport()
    entry, icon = desktop_entry_path(desktop), icon_path(desktop)
    if entry.exists():
        if _is_our_entry(entry):
            _remove(entry, report)
        else:
            report.kept.append((entry, "not written by flask-launcher install-shortcut"))
    if icon.exists():
        if _starts_with(icon, ICON_MARK):
            _remove(icon, report)
        else:
            report.kept.append((icon, "not written by flask-launcher install-shortcut"))
    return report


def _is_our_entry(path: Path) -> bool:
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return False
    return f"{MARK_KEY}=true" in (line.strip() for line in lines)


def _starts_with(path: Path, mark: str) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(mark.encode())) == mark.encode()
    except OSError:
        return False


def _exec_argument(arg: str) -> str:
    """One argument of an Exec key: quoted when it holds a reserved character, with ``"``,
    `````, ``$`` and ``\\`` escaped inside the quotes, and ``%`` doubled (field codes)."""
    arg = arg.replace("%", "%%")
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    if not reserved.intersection(arg):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def _escape_string(value: str) -> str:
    """A value of type string: backslash, newline, tab and carriage return escaped."""
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


# --- macOS: an application bundle in ~/Applications -------------------------------------------

def bundle_path(desktop: Desktop) -> Path:
    return desktop.home / "Applications" / f"{APP_NAME}.app"


def _install_macos_bundle(desktop: Desktop) -> ShortcutReport:
    bundle = bundle_path(desktop)
    if bundle.exists() and not _is_our_bundle(bundle):
        raise ShortcutError(f"{bundle} exists and was not written by flask-launcher: move it "
                            "away, then run install-shortcut again.")
    executable = bundle / "Contents" / "MacOS" / APP_ID
    info = {
        "CFBundleName": APP_NAME, "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_ID, "CFBundleExecutable": APP_ID,
        "CFBundlePackageType": "APPL", "CFBundleInfoDictionaryVersion": "6.0",
        "CFBundleShortVersionString": "1.0", "NSHighResolutionCapable": True,
    }
    script = "#!/bin/sh\nexec " + " ".join(_sh_quote(a) for a in desktop.command) + ' "$@"\n'
    try:
        executable.parent.mkdir(parents=True, exist_ok=True)
        (bundle / "Contents" / "Info.plist").write_bytes(plistlib.dumps(info))
        atomic_write_text(executable, script)
        executable.chmod(0o755)
    except OSError as error:
        raise ShortcutError(f"cannot write {error.filename or bundle}: {error.strerror}. Check "
                            "that the folder is yours and writable.") from None
    return ShortcutReport(written=[bundle])


def _uninstall_macos_bundle(desktop: Desktop) -> ShortcutReport:
    bundle, report = bundle_path(desktop), ShortcutReport()
    if bundle.exists():
        if _is_our_bundle(bundle):
            shutil.rmtree(bundle)
            report.removed.append(bundle)
        else:
            report.kept.append((bundle, "not written by flask-launcher install-shortcut"))
    return report


def _is_our_bundle(bundle: Path) -> bool:
    try:
        info = plistlib.loads((bundle / "Contents" / "Info.plist").read_bytes())
    except (OSError, plistlib.InvalidFileException, ValueError):
        return False
    return isinstance(info, dict) and info.get("CFBundleIdentifier") == BUNDLE_ID


def _sh_quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def _remove(path: Path, report: ShortcutReport) -> None:
    try:
        path.unlink()
        report.removed.append(path)
    except OSError as error:
        report.kept.append((path, error.strerror or "cannot be removed"))
