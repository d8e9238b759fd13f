"""A stats sample of the engine as the window's CPU and memory figures, and a pull's events
as its layers and total."""

from __future__ import annotations

from launcher.core.engine.stats import container_stats
from launcher.core.events import PullProgress
from launcher.core.pull_progress import LayerPhase, PullTracker

SAMPLE = {  # cgroup v2, as docker 20.10 sends it (trimmed)
    "read": "2026-11-29T18:47:10.703170123Z",
    "cpu_stats": {"cpu_usage": {"total_usage": 2_400_000_000}, "system_cpu_usage": 20_000_000_000,
                  "online_cpus": 2},
    "precpu_stats": {"cpu_usage": {"total_usage": 2_000_000_000},
                     "system_cpu_usage": 18_000_000_000, "online_cpus": 2},
    "memory_stats": {"usage": 50_000_000, "limit": 8_000_000_000,
                     "stats": {"inactive_file": 8_000_000}},
}


def test_a_sample_gives_cpu_of_one_cpu_and_memory_without_the_page_cache():
    stats = container_stats(SAMPLE)
    assert stats is not None
    assert round(stats.cpu_percent, 1) == 40.0  # 0.4 s of 2 s on two CPUs: 40 % of one
    assert stats.memory_bytes == 42_000_000
    assert stats.memory_limit_bytes == 8_000_000_000
    assert (stats.at.hour, stats.at.minute, stats.at.second) == (18, 47, 10)


def test_the_first_sample_has_no_cpu_figure_and_a_stopped_container_none():
    first = dict(SAMPLE, precpu_stats={"cpu_usage": {"total_usage": 0}})
    assert container_stats(first).cpu_percent == 0.0
    assert container_stats({"read": "0001-01-01T00:00:00Z", "memory_stats": {}}) is None


def test_a_pull_is_followed_per_layer_and_in_total():
    tracker = PullTracker()
    for event in [PullProgress("1", "Pulling from library/python"),
                  PullProgress("aaa", "Pulling fs layer"), PullProgress("bbb", "Already exists"),
                  PullProgress("aaa", "Downloading", 1_000_000, 4_000_000)]:
        tracker.add(event)
    assert tracker.image == "library/python:1"
    assert tracker.layers["aaa"].describe() == "downloading 1.0 MB of 4.0 MB"
    assert tracker.totals().describe() == "1.0 MB of 4.0 MB, 1 of 2 layers done"
    assert tracker.totals().percent == 25
    tracker.add(PullProgress("aaa", "Download complete"))
    tracker.add(PullProgress("aaa", "Extracting", 2_000_000, 4_000_000))
    assert tracker.layers["aaa"].describe() == "extracting 2.0 MB of 4.0 MB"
    tracker.add(PullProgress("aaa", "Pull complete"))
    assert tracker.layers["aaa"].phase is LayerPhase.DONE
    assert tracker.totals().describe() == "4.0 MB of 4.0 MB, 2 of 2 layers done"
    assert tracker.totals().percent == 100
