"""A Dockerfile that is not text, or full of lines that are no instruction: one short line
from the CLI, decided before anything is sent to the engine."""

from __future__ import annotations

import random

from test_cli import assert_one_clear_line, flask_launcher


def random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def test_a_binary_dockerfile_is_named_in_one_sentence_not_a_wall(copy_sample):
    path = copy_sample("hello")
    (path / "Dockerfile").write_bytes(random_bytes(300_000, 1))
    result = flask_launcher("build", str(path))
    assert_one_clear_line(result, f"{path / 'Dockerfile'} is not a text file (line 1 holds "
                                  "NUL bytes): replace it, or delete it to use the generated "
                                  "one.")
    assert len(result.stdout) + len(result.stderr) < 1_000


def test_bytes_that_are_not_utf8_name_their_line(copy_sample):
    path = copy_sample("hello")
    (path / "Dockerfile").write_bytes(b"FROM scratch\n# caf\xe9\n")
    result = flask_launcher("build", str(path))
    assert_one_clear_line(result, f"{path / 'Dockerfile'} is not a text file (line 2 holds "
                                  "bytes that are not UTF-8 text): replace it, or delete it "
                                  "to use the generated one.")


def test_many_unknown_instructions_are_listed_a_few_with_a_count_of_the_rest(copy_sample):
    path = copy_sample("hello")
    garbage = "\n".join(f"NOPE{n} " + "x" * 500 for n in range(2_000))
    (path / "Dockerfile").write_text(f"FROM scratch\n{garbage}\n")
    result = flask_launcher("build", str(path))
    assert_one_clear_line(result, "Dockerfile line 2: unknown instruction 'NOPE0'; line 3: "
                                  "unknown instruction 'NOPE1'; line 4: unknown instruction "
                                  "'NOPE2'; and 1997 more")
    assert len(result.stdout) + len(result.stderr) < 2_000
