"""The build context on its way: its biggest entries, and an upload that Cancel ends."""

from __future__ import annotations

import io
import tarfile

import pytest

from launcher.core.build_context import CancellableUpload, largest_entries
from launcher.core.errors import Cancelled


def _tar(files: dict[str, int]) -> io.BytesIO:
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as archive:
        for name, size in files.items():
            info = tarfile.TarInfo(name)
            info.size = size
            archive.addfile(info, io.BytesIO(b"\0" * size))
    return context


def test_largest_entries_sum_folders_and_leave_out_the_small() -> None:
    context = _tar({"data/a.db": 6000, "data/b.db": 3000, "big.bin": 5000, "app.py": 40})
    assert largest_entries(context) == (("data/", 9000), ("big.bin", 5000))
    assert context.tell() == 0  # ready to be sent


def test_the_upload_gives_its_length_and_stops_at_the_next_read_once_cancelled() -> None:
    cancelled = False
    upload = CancellableUpload(io.BytesIO(b"x" * 100), lambda: cancelled)
    assert len(upload) == 100
    assert upload.read(60) == b"x" * 60
    cancelled = True
    with pytest.raises(Cancelled):
        upload.read(60)
