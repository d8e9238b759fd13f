"""A small live graph of a running project's CPU and memory: the latest figures as text and
the last minute as two painted sparklines. Hidden while nothing runs, so no empty box."""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from launcher.core.events import ContainerStats
from launcher.core.format import human_size

HISTORY = 60  # samples: about a minute


class Sparkline(QWidget):
    """The recent values of one figure as a filled line, newest on the right. The top of the
    scale is a quarter above the largest value shown (at least ``floor``), so the line moves
    where the figure moves instead of lying flat along an edge."""

    def __init__(self, color: QColor, floor: float = 0.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: deque[float] = deque(maxlen=HISTORY)
        self.color = color
        self.floor = floor  # the least the top of the scale stands for
        self.setMinimumSize(120, 28)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(180, 32)

    def add(self, value: float) -> None:
        self.values.append(value)
        self.update()

    def clear(self) -> None:
        self.values.clear()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        frame = self.palette().color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(frame, 1))
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(box, 3, 3)
        if len(self.values) < 2:
            return
        top = max(self.floor, max(self.values) * 1.25) or 1.0
        inner = box.adjusted(2, 3, -2, -2)
        step = inner.width() / (HISTORY - 1)
        start = inner.right() - step * (len(self.values) - 1)
        points = [QPointF(start + i * step, inner.bottom() - inner.height() * min(v / top, 1.0))
                  for i, v in enumerate(self.values)]
        line = QPainterPath(points[0])
        for point in points[1:]:
            line.lineTo(point)
        fill = QPainterPath(line)
        fill.lineTo(points[-1].x(), inner.bottom())
        fill.lineTo(points[0].x(), inner.bottom())
        fill.closeSubpath()
        shade = QColor(self.color)
        shade.setAlpha(60)
        painter.fillPath(fill, shade)
        painter.setPen(QPen(self.color, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(line)


class StatsGraph(QFrame):
    """CPU and memory of the project's running container, updated as samples arrive."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cpu_label = QLabel()
        self.memory_label = QLabel()
        for label in (self.cpu_label, self.memory_label):
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("Memory 000.0 MB"))
        self.cpu = Sparkline(QColor("#2f80ed"), floor=10.0)  # a percent: idle stays low
        self.memory = Sparkline(QColor("#27ae60"), floor=1e6)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 4)
        layout.addWidget(self.cpu_label)
        layout.addWidget(self.cpu, 1)
        layout.addSpacing(8)
        layout.addWidget(self.memory_label)
        layout.addWidget(self.memory, 1)
        self.setToolTip("The app's container over the last minute (docker stats)")
        self.clear()

    def show_sample(self, stats: ContainerStats) -> None:
        self.cpu.add(stats.cpu_percent)
        self.memory.add(float(stats.memory_bytes))
        self.cpu_label.setText(f"CPU {stats.cpu_percent:.1f} %")
        self.memory_label.setText(f"Memory {human_size(stats.memory_bytes)}")
        limit = f" of {human_size(stats.memory_limit_bytes)}" if stats.memory_limit_bytes else ""
        self.memory_label.setToolTip(f"{human_size(stats.memory_bytes)}{limit}, without the "
                                     "page cache")
        self.setVisible(True)

    def clear(self) -> None:
        """No container runs: forget the history and take no room."""
        self.cpu.clear()
        self.memory.clear()
        self.cpu_label.setText("CPU")
        self.memory_label.setText("Memory")
        self.setVisible(False)

    def text(self) -> str:
        return f"{self.cpu_label.text()} · {self.memory_label.text()}"
