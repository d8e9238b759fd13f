"""What detection found about the open project, with its warnings shown plainly."""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from launcher.core.dockerfile import DockerfileSource
from launcher.core.launch import ResolvedProject
from launcher.ui.icons import icon
from launcher.ui.text_fit import shorten_words


class ProjectPane(QWidget):
    """A summary (entry point, how it starts, dependency file, port) and the warnings list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("Open a Flask project folder (Ctrl+O), or drop one here.")
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings = QListWidget()
        self.warnings.setWordWrap(True)
        self.warnings.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings, 1)
        layout.addStretch(0)
        self._resolved: ResolvedProject | None = None

    def height_for(self, width: int) -> int:
        """The height the summary (and the warnings, if any) need at ``width``."""
        margins = self.layout().contentsMargins()
        inner = width - margins.left() - margins.right()
        needed = self.summary.heightForWidth(inner) + margins.top() + margins.bottom()
        return needed + (150 if self.warnings.isVisibleTo(self) else 0)

    def show_project(self, resolved: ResolvedProject) -> None:
        self._resolved = resolved
        project = resolved.project
        rows = [("Project", str(resolved.root))]
        if project is None:
            rows.append(("App", "started by your Dockerfile (no Flask app detected)"))
        else:
            rows += [
                ("App", f"{project.app_target} — {project.found_by}, in {project.entry_file}"),
                ("Listens on", f"port {project.port} ({project.port_source})")
                if project.has_dockerfile else
                ("Starts with", f"{project.server} on port {project.port} "
                                f"({project.port_source})"),
                ("Dependencies", project.dependencies.describe()),
            ]
            if project.python_version:
                rows.append(("Python", f"{project.python_version} "
                                       f"(from {project.python_version_source})"))
        source = "the project's own" if not resolved.dockerfile.generated else "generated"
        rows.append(("Dockerfile", source))
        # A word too long to wrap (a 200-character folder name) is cut in the middle; the
        # tooltip has it whole.
        self.summary.setText("<table>" + "".join(
            f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td>"
            f"<td>{html.escape(shorten_words(v))}</td></tr>" for k, v in rows) + "</table>")
        self.summary.setToolTip("\n".join(f"{k}: {v}" for k, v in rows))
        self.warnings.clear()
        for warning in project.warnings if project else ():
            item = QListWidgetItem(icon("warning"), str(warning))
            item.setToolTip(str(warning))
            self.warnings.addItem(item)
        self.warnings.setVisible(self.warnings.count() > 0)

    def dockerfile_saved(self, path: Path, text: str) -> None:
        """The window wrote the project's Dockerfile: from now on it is the project's own."""
        if self._resolved is not None and self._resolved.dockerfile.generated:
            self.show_project(replace(self._resolved,
                                      dockerfile=DockerfileSource(text, path, generated=False)))

    def show_error(self, message: str) -> None:
        self.summary.setText(
            f"<span style='color:#b00020'>{html.escape(shorten_words(message))}</span>")
        self.summary.setToolTip(message)
        self.warnings.clear()
        self.warnings.setVisible(False)

    def warning_texts(self) -> list[str]:
        return [self.warnings.item(i).text() for i in range(self.warnings.count())]
