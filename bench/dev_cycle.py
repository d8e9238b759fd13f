"""Edit-to-page: change the line sample_apps/hello's page shows (in a copy), then time until a
browser pane (QWebEngineView, offscreen, real QtWebEngine) has loaded the page and its text
is the new one. Dev mode against the launcher's own rebuild cycle, alternating.

- dev: the project runs with ``launch_dev``; a ``DevSession`` follows it. After the edit the
  pane reloads when DevReady arrives (what the window does: no timer), then its text is
  checked. Split into: edit to DevRestarting (the reloader's detection, and the container's
  output reaching the launcher), DevRestarting to DevReady (Werkzeug's restart and the
  probe), DevReady to the page shown (an HTTP GET of the page, then the pane's load).
- rebuild: ``launch()`` on a second copy (build, a new container, the readiness probe),
  then the pane loads the page and its text is checked.

Checked on every dev edit: the dev container is the same one, and the image is not rebuilt.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QUrl, Signal
from PySide6.QtWebEngineWidgets import QWebEngineView

from bench import qt
from bench.common import (
    Metric,
    alternate,
    at_most,
    copy_hello,
    edit_line,
    free_port,
    info,
    median_ratio,
    progress,
    ratio_detail,
    samples,
    scope,
)
from launcher.core import labels
from launcher.core.dev_events import DevReady, DevReloader, DevRestarting
from launcher.core.dev_mode import DevStarted, launch_dev
from launcher.core.dev_watch import DevSession
from launcher.core.engine import Engine
from launcher.core.events import AppReady
from launcher.core.launch import LaunchOptions, launch
from launcher.core.settings import Settings

NAME = "edit-to-page"


class Bridge(QObject):
    """Dev events from the session's thread to the GUI thread, each with its arrival time."""

    arrived = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[float, Any]] = []

    def put(self, event: object) -> None:
        self.log.append((time.perf_counter(), event))
        self.arrived.emit(event)


class Pane(QObject):
    """A browser pane: load (or reload) a page, then read its text."""

    shown = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.view = QWebEngineView()
        self.view.resize(800, 600)
        self.view.show()
        self.text = ""
        self.view.loadFinished.connect(self._loaded)

    def _loaded(self, ok: bool) -> None:
        self.view.page().toPlainText(self._read)

    def _read(self, text: str) -> None:
        self.text = text
        self.shown.emit()

    def show_page(self, url: str | None, marker: str, timeout_s: float = 30) -> float:
        """Load ``url`` (None: reload); the time the page showed ``marker``."""
        self.text = ""
        if url is None:
            self.view.reload()
        else:
            self.view.setUrl(QUrl(url))
        qt.wait_for(lambda: marker in self.text, [self.shown], timeout_s, f"page with {marker}")
        return time.perf_counter()


def http_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


def run(pairs: int) -> list[Metric]:
    qt.application()
    engine = Engine(scope())
    settings = Settings()
    pane, rebuild_pane = Pane(), Pane()  # one per project, as the window has
    bridge = Bridge()
    with tempfile.TemporaryDirectory(prefix="bench-dev-") as tmp:
        dev_project = copy_hello(Path(tmp), "hello-dev")
        rebuilt = copy_hello(Path(tmp), "hello-rebuild")
        events = list(launch_dev(engine, dev_project, settings,
                                 LaunchOptions(host_port=free_port())))
        plan = next(e for e in events if isinstance(e, DevStarted)).plan
        ready = events[-1]
        assert isinstance(ready, AppReady)
        dev_url, dev_container = ready.url, ready.container.id
        dev_image = engine.sdk.images.get(labels.image_tag(dev_project, scope())).id
        rebuild_port = free_port()
        session = DevSession(engine, dev_container, dev_url, dev_project, plan.workdir,
                             bridge.put).start()
        detect: list[float] = []
        restart: list[float] = []
        load: list[float] = []
        to_http: list[float] = []
        unchanged: list[bool] = []
        pane.view.setUrl(QUrl(dev_url))
        qt.wait_for(lambda: any(isinstance(e, DevReady) for _, e in bridge.log),
                    [bridge.arrived], 30, "the dev server's first start")

        def dev(i: int) -> float:
            marker = f"dev {i}"
            mark = len(bridge.log)
            started = time.perf_counter()
            edit_line(dev_project, marker)

            def ready_after_edit() -> tuple[float, Any] | None:
                log = bridge.log[mark:]
                restarted = next((k for k, (_, e) in enumerate(log)
                                  if isinstance(e, DevRestarting)), None)
                if restarted is None:
                    return None
                return next(((t, e) for t, e in log[restarted:]
                             if isinstance(e, DevReady) and not e.load_failed), None)

            qt.wait_for(lambda: ready_after_edit() is not None, [bridge.arrived], 30,
                        "DevReady after the edit")
            ready_at, _ = ready_after_edit() or (0.0, None)
            restarting_at = next(t for t, e in bridge.log[mark:] if isinstance(e, DevRestarting))
            assert marker in http_text(dev_url), "DevReady came before the new code served"
            to_http.append(time.perf_counter() - started)
            shown = pane.show_page(None, marker)
            detect.append(restarting_at - started)
            restart.append(ready_at - restarting_at)
            load.append(shown - ready_at)
            containers = [c.id for c in engine.list_containers(dev_project)]
            image = engine.sdk.images.get(labels.image_tag(dev_project, scope())).id
            unchanged.append(containers == [dev_container] and image == dev_image)
            took = shown - started
            progress(f"{NAME}: dev mode {took:.3f} s")
            return took

        def rebuild(i: int) -> float:
            marker = f"rebuild {i}"
            started = time.perf_counter()
            edit_line(rebuilt, marker)
            answered = list(launch(engine, rebuilt, settings,
                                   LaunchOptions(host_port=rebuild_port)))[-1]
            assert isinstance(answered, AppReady)
            shown = rebuild_pane.show_page(answered.url, marker, timeout_s=120)
            took = shown - started
            progress(f"{NAME}: rebuild {took:.3f} s")
            return took

        try:
            dev(-1)  # one unmeasured round of each: caches warm, the pane's engine up
            rebuild(-1)
            dev(-2)
            ours, theirs = alternate(pairs, dev, rebuild)
        finally:
            session.close()
            for view in (pane.view, rebuild_pane.view):
                view.close()
                view.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            engine.remove_project_containers(dev_project)
            engine.remove_project_containers(rebuilt)
            engine.close()
    measured = slice(2, None)  # the unmeasured rounds are the first two dev ones
    used = [e.name for _, e in bridge.log if isinstance(e, DevReloader)]
    reloader = f"Werkzeug's reloader: {', '.join(used) or '?'} (planned: {plan.reloader_reason})"
    return [
        at_most(NAME, "dev mode: edit to page shown in the pane (median)",
                statistics.median(ours), "s", 0.5, f"dev mode {samples(ours)}; {reloader}"),
        at_most(NAME, "dev mode / rebuild cycle, edit to page shown (median of pairs)",
                median_ratio(ours, theirs), "x", 0.4,
                ratio_detail("dev mode", ours, "rebuild", theirs)),
        at_most(NAME, "dev edits that rebuilt the image or made a new container",
                sum(1 for ok in unchanged[measured] if not ok), "", 0,
                f"{len(unchanged[measured])} edits checked"),
        info(NAME, "dev mode: edit to the new page over HTTP (median)",
             statistics.median(to_http[measured]), "s", samples(to_http[measured])),
        info(NAME, "dev: edit to DevRestarting (reloader's detection + log delivery)",
             statistics.median(detect[measured]), "s", samples(detect[measured])),
        info(NAME, "dev: DevRestarting to DevReady (Werkzeug's restart + probe)",
             statistics.median(restart[measured]), "s", samples(restart[measured])),
        info(NAME, "dev: DevReady to page shown (HTTP check + pane reload)",
             statistics.median(load[measured]), "s", samples(load[measured])),
    ]
