"""What detection found about the open project, with its warnings shown plainly."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from launcher.core.launch import ResolvedProject
from launcher.ui.icons import icon


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

    def show_project(self, resolved: ResolvedProject) -> None:
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
        self.summary.setText("<table>" + "".join(
            f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
            for k, v in rows) + "</table>")
        self.warnings.clear()
        for warning in project.warnings if project else ():
            item = QListWidgetItem(icon("warning"), str(warning))
            item.setToolTip(str(warning))
            self.warnings.addItem(item)
        self.warnings.setVisible(self.warnings.count() > 0)

    def show_error(self, message: str) -> None:
        self.summary.setText(f"<span style='color:#b00020'>{html.escape(message)}</span>")
        self.warnings.clear()
        self.warnings.setVisible(False)

    def warning_texts(self) -> list[str]:
        return [self.warnings.item(i).text() for i in range(self.warnings.count())]
