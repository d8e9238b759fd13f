"""The way out of a build the project's own Dockerfile cannot make here (its base image
cannot be pulled, BuildKit syntax where BuildKit is not): a button, under the build pane's
failure, that runs Build and Run with the Dockerfile the launcher generates. The project's
Dockerfile stays as it is; the editor keeps showing it."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from launcher.core.errors import GENERATED_BUTTON, BuildFailed, OwnDockerfileUnbuildable
from launcher.ui.project_session import ProjectSession


class GeneratedOffer(QPushButton):
    """Shown after a failure that offers the generated Dockerfile; hidden when a build starts."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(GENERATED_BUTTON, parent)
        self.session = session
        self.setToolTip("Build and Run once with the Dockerfile the launcher generates for "
                        "this project; your Dockerfile is not changed")
        self.setVisible(False)
        self.clicked.connect(self._build_generated)
        session.build_failed.connect(self.show_for)
        session.build_started.connect(self.hide)
        # The failure is told before its flow has ended: usable once the session is free.
        session.state_changed.connect(self._follow_session)

    def show_for(self, error: BuildFailed) -> None:
        self.setVisible(isinstance(error, OwnDockerfileUnbuildable)
                        and error.generated_for is not None)
        self._follow_session()

    def _follow_session(self, *_: object) -> None:
        self.setEnabled(not self.session.busy)

    def _build_generated(self) -> None:
        self.session.build_and_run("", generated=True)
