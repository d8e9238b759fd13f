"""Settings: the engine, the base image of generated Dockerfiles, where apps are published,
how long to wait for an app to answer. What settings.json holds, without editing it by hand.

The dialog edits a copy; the window applies it when the user clicks OK. An environment
variable that overrides a setting (FLASK_LAUNCHER_BASE_IMAGE) is shown, and its field locked.
"""

from __future__ import annotations

import os
from dataclasses import replace

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from launcher.core.settings import (
    DEFAULT_BASE_IMAGE,
    DEFAULT_BIND_ADDRESS,
    READINESS_TIMEOUT_RANGE_S,
    Settings,
    base_image_problem,
    bind_address_problem,
)

BASE_IMAGE_VARIABLE = "FLASK_LAUNCHER_BASE_IMAGE"
ENGINE_VARIABLES = ("DOCKER_HOST", "DOCKER_CONTEXT")  # they come before the engine setting
ALL_INTERFACES = "0.0.0.0"
_WARNING_STYLE = "color: #8a4b00;"
_ERROR_STYLE = "color: #b00020;"


class SettingsDialog(QDialog):
    """Edits a copy of ``settings``; ``edited()`` is the result once accepted."""

    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 engines: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._settings = settings
        self._build_engine(engines or [])
        self._build_base_image()
        self._build_publishing()
        self._build_readiness()
        self.include_secrets_field = QCheckBox(
            "Put .env, private keys and other secret files into images")
        self.include_secrets_field.setChecked(settings.include_secrets)
        self.include_secrets_field.setToolTip(
            "Off: they are kept out of every build, whatever the project's .dockerignore says, "
            "and .env and .flaskenv are passed to the app when it starts.")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(_ERROR_STYLE)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Engine", self.engine_field)
        form.addRow("", self.engine_note)
        form.addRow("Base image", self.base_image_field)
        form.addRow("", self.base_image_note)
        form.addRow("Publish apps on", self._publishing_row)
        form.addRow("", self.exposure_note)
        form.addRow("Wait for the app", self.readiness_field)
        form.addRow("Secrets", self.include_secrets_field)
        self.load_problems = QLabel("\n".join(settings.load_problems))
        self.load_problems.setWordWrap(True)
        self.load_problems.setStyleSheet(_WARNING_STYLE)
        self.load_problems.setVisible(bool(settings.load_problems))
        layout = QVBoxLayout(self)
        layout.addWidget(self.load_problems)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._check()

    # --- fields -------------------------------------------------------------------------------

    def _build_engine(self, engines: list[tuple[str, str]]) -> None:
        """The launcher's own choice of engine: the docker CLI's contexts and the sockets
        found here. Choosing one never changes the docker CLI's current context."""
        self.engine_field = QComboBox()
        self.engine_field.addItem("Automatic: the docker CLI's current context", None)
        for label, choice in engines:
            self.engine_field.addItem(label, choice)
        current = self._settings.engine
        if current is not None:
            if self.engine_field.findData(current) < 0:
                self.engine_field.addItem(current, current)
            self.engine_field.setCurrentIndex(self.engine_field.findData(current))
        self.engine_note = QLabel("The launcher's own choice: the docker CLI's current "
                                  "context stays as it is.")
        self.engine_note.setWordWrap(True)
        overriding = [name for name in ENGINE_VARIABLES if os.environ.get(name)]
        if overriding:
            name = overriding[0]
            self.engine_field.setEnabled(False)
            self.engine_note.setText(f"{name} is set: {os.environ[name]} is used while it is.")
            self.engine_note.setStyleSheet(_WARNING_STYLE)

    def _build_base_image(self) -> None:
        self.base_image_field = QLineEdit(self._settings.base_image or "")
        self.base_image_field.setPlaceholderText(
            f"{DEFAULT_BASE_IMAGE} (python:X.Y-slim when the project asks for X.Y)")
        self.base_image_field.setMinimumWidth(380)
        self.base_image_field.textChanged.connect(self._check)
        self.base_image_note = QLabel(
            "The FROM of generated Dockerfiles. A project's own Dockerfile keeps its FROM.")
        self.base_image_note.setWordWrap(True)
        overridden = os.environ.get(BASE_IMAGE_VARIABLE)
        if overridden:
            self.base_image_field.setEnabled(False)
            self.base_image_note.setText(
                f"{BASE_IMAGE_VARIABLE} is set: {overridden} is used while it is.")
            self.base_image_note.setStyleSheet(_WARNING_STYLE)

    def _build_publishing(self) -> None:
        current = self._settings.bind_address
        self.loopback_choice = QRadioButton(f"This computer only ({DEFAULT_BIND_ADDRESS})")
        self.other_choice = QRadioButton("Also other machines, on")
        group = QButtonGroup(self)
        group.addButton(self.loopback_choice)
        group.addButton(self.other_choice)
        self.address_field = QLineEdit(
            ALL_INTERFACES if current == DEFAULT_BIND_ADDRESS else current)
        self.address_field.setMinimumWidth(160)
        (self.loopback_choice if current == DEFAULT_BIND_ADDRESS else self.other_choice
         ).setChecked(True)
        self.loopback_choice.toggled.connect(self._check)
        self.address_field.textChanged.connect(self._check)
        self.exposure_note = QLabel()
        self.exposure_note.setWordWrap(True)
        self.exposure_note.setStyleSheet(_WARNING_STYLE)

        self._publishing_row = QWidget()
        choices = QVBoxLayout(self._publishing_row)
        choices.setContentsMargins(0, 0, 0, 0)
        choices.addWidget(self.loopback_choice)
        other = QHBoxLayout()
        other.addWidget(self.other_choice)
        other.addWidget(self.address_field)
        other.addStretch(1)
        choices.addLayout(other)

    def _build_readiness(self) -> None:
        self.readiness_field = QSpinBox()
        self.readiness_field.setRange(*READINESS_TIMEOUT_RANGE_S)
        self.readiness_field.setSuffix(" s to answer, then give up")
        low, high = READINESS_TIMEOUT_RANGE_S
        self.readiness_field.setValue(
            round(min(max(self._settings.readiness_timeout_s, low), high)))

    # --- the result ---------------------------------------------------------------------------

    def edited(self) -> Settings:
        """The settings as the dialog shows them (a copy; recent projects kept)."""
        return replace(self._settings, load_problems=[],
                       base_image=self.base_image_field.text().strip() or None,
                       bind_address=self._bind_address(),
                       readiness_timeout_s=float(self.readiness_field.value()),
                       include_secrets=self.include_secrets_field.isChecked(),
                       engine=self.engine_field.currentData())

    def _bind_address(self) -> str:
        if self.loopback_choice.isChecked():
            return DEFAULT_BIND_ADDRESS
        return self.address_field.text().strip()

    def _check(self) -> None:
        self.address_field.setEnabled(self.other_choice.isChecked())
        problems = [p for p in (base_image_problem(self.base_image_field.text().strip()),
                                bind_address_problem(self._bind_address())) if p]
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)
        warning = None if problems else self.edited().exposure_warning()
        self.exposure_note.setText(f"⚠ {warning[0].upper()}{warning[1:]}." if warning else "")
        self.exposure_note.setVisible(warning is not None)
