"""kb.inputs: only regular files are read, never past their byte limit; strict YAML and JSON."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import yaml

from kb import inputs
from kb.inputs import BadScalar, InputFileError, load_json, load_yaml, read_input_bytes


def refusal(path: Path, limit: int = 1024) -> str:
    with pytest.raises(InputFileError) as refused:
        read_input_bytes(path, limit, path.name)
    return str(refused.value.problem)


def test_special_files_are_refused_without_blocking_or_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # a blocking open would wait here for a writer; the test would hang
    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder"
    folder.mkdir()
    sock_path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        assert refusal(fifo) == "file: is a FIFO (named pipe), not a regular file"
        assert refusal(zero) == "file: is a character device, not a regular file"
        assert refusal(folder) == "file: is a directory, not a regular file"
        assert refusal(sock_path).startswith("file: cannot be read")  # a socket cannot be opened
        assert refusal(tmp_path / "missing") == "file: cannot be read (No such file or directory)"
    finally:
        server.close()


def test_the_byte_limit_holds_even_if_the_file_grows(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "growing"
    path.write_bytes(b"x" * 100)
    assert read_input_bytes(path, 100) == b"x" * 100
    assert refusal(path, 99) == "file: is 100 bytes, over the limit of 99 bytes"
    # fstat reports a small size, then the file turns out longer: the read still stops.
    real_fstat = os.fstat

    class Small:
        def __init__(self, fd: int) -> None:
            self.st_mode = real_fstat(fd).st_mode
            self.st_size = 10

    monkeypatch.setattr(inputs.os, "fstat", Small)
    try:
        assert refusal(path, 50) == "file: grew past the limit of 50 bytes"
    finally:
        monkeypatch.undo()  # os.fstat is everyone's: restore it before pytest cleans up


def test_a_fifo_with_a_writer_is_still_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # A writer that has written and waits, set up without threads: a reader end first (so opening
    # the writer end does not block), then the writer end with bytes in the pipe. A writer thread
    # raced with refusal() closing its end and could leave the test waiting forever.
    held_reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    writer = os.open(fifo, os.O_WRONLY)
    try:
        os.write(writer, b"id: x\n")
        assert refusal(fifo) == "file: is a FIFO (named pipe), not a regular file"
    finally:
        os.close(writer)
        os.close(held_reader)


def test_bad_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"a,b\nc,d\ncaf\xe9\n")
    with pytest.raises(InputFileError) as refused:
        inputs.read_text(path, 1024, "latin1.csv")
    assert str(refused.value.problem) == (
        "line 3: is not UTF-8 (byte 0xe9 at offset 11); save the file as UTF-8"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!int abc", BadScalar("!!int", "abc", 1, "is not a whole number")),
        ("a: !!float x", BadScalar("!!float", "x", 1, "is not a number")),
        ("a: !!bool maybe", BadScalar("!!bool", "maybe", 1, "is not true or false")),
        ("\na: 0b_", BadScalar("!!int", "0b_", 2, "is not a whole number")),  # implicit int
        (
            "a: !!timestamp 2023-02-30",
            BadScalar(
                "!!timestamp",
                "2023-02-30",
                1,
                "is not a date (YYYY-MM-DD, optionally with a time): day is out of range for month",
            ),
        ),
        (
            "a: !x [1]",
            BadScalar("!x", "<a sequence>", 1, "has a tag kb does not accept (remove the tag)"),
        ),
    ],
)
def test_failed_tags_become_bad_scalars(text: str, expected: BadScalar) -> None:
    assert load_yaml(text) == {"a": expected}


def test_yaml_dates_stay_text_and_valid_tags_give_values() -> None:
    assert load_yaml("a: 2023-02-30\nb: !!int 7\nc: !!str 5\nd: !!set {x}") == {
        "a": "2023-02-30",
        "b": 7,
        "c": "5",
        "d": {"x"},
    }


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: 2\na: 3\n", 3),
        ("- a: 1\n- b: 1\n  c: 2\n  b: 3\n", 4),
    ],
)
def test_yaml_duplicate_keys_give_their_line(text: str, line: int) -> None:
    with pytest.raises(yaml.YAMLError) as refused:
        load_yaml(text)
    assert refused.value.problem_mark.line + 1 == line  # type: ignore[attr-defined]


def test_yaml_aliases_are_refused() -> None:
    with pytest.raises(yaml.YAMLError, match="aliases"):
        load_yaml("a: &x [1]\nb: *x\n")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{"a": 1,\n "a": 2}', 2),
        ('[{"a": {"a": 1}},\n {"b": "{\\"b\\": 1}",\n\n  "b": 2}]', 4),  # braces inside strings
        ('{"\\u0061": 1, "a": 2}', 1),  # the same key spelled two ways
    ],
)
def test_json_duplicate_keys_give_their_line(text: str, line: int) -> None:
    with pytest.raises(inputs.DuplicateKeyError) as refused:
        load_json(text)
    assert refused.value.line == line
