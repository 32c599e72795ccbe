"""Reading untrusted input files: regular files only, bounded in size, UTF-8, and strict YAML
and JSON.

Every ingest (release files, label sets, Epoch and models.dev downloads) and every hand-edited
file in data/ goes through here, so one set of rules holds everywhere:
- only a regular file is read, checked on the opened descriptor (a FIFO would block, a symlink
  to /dev/zero would never end, a directory or device is no input), and never more than the
  caller's byte limit, even if the file grows while it is read;
- YAML has no aliases (no billion-laughs expansion), dates stay text (kb.dates checks them for
  their record and field), a key given twice is an error with its line, and a scalar whose tag
  cannot make a value (`!!int abc`, `!!timestamp 2023-02-30`) becomes a `BadScalar` that the
  record's validation reports with its field instead of an exception mid-parse;
- JSON refuses a key given twice, with the line.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, ClassVar, Final

import yaml

from kb.errors import KBError, Problem, clip

MEGABYTE: Final = 1024 * 1024
_NODE_NAMES: Final = {
    yaml.ScalarNode: "single value",
    yaml.SequenceNode: "sequence",
    yaml.MappingNode: "mapping",
}
_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputFileError(KBError):
    """An input file cannot be read as one: it is missing, not a regular file, too large, or
    not UTF-8. `problem` says where (file, and line for bad bytes)."""

    def __init__(self, problem: Problem, hint: str | None = None) -> None:
        super().__init__(f"{problem.file}: {problem}", hint)
        self.problem = problem


def _refuse(name: str, message: str, where: str = "file") -> InputFileError:
    return InputFileError(Problem(name, where, None, message))


def _describe_mode(mode: int) -> str:
    return next((label for test, label in _KINDS if test(mode)), "not a regular file")


@contextmanager
def open_regular_file(path: str | os.PathLike[str], name: str | None = None) -> Iterator[IO[bytes]]:
    """The file opened for binary reading, if it is a regular file (after following symlinks).

    The check is made on the opened descriptor, so a path swapped for a FIFO or a device
    between a check and the read cannot slip through; O_NONBLOCK keeps opening a FIFO from
    waiting for a writer. Raises InputFileError.
    """
    name = name or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _refuse(name, f"cannot be read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _refuse(name, f"is {_describe_mode(mode)}, not a regular file")
        os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def read_input_bytes(
    path: str | os.PathLike[str], max_bytes: int, name: str | None = None
) -> bytes:
    """The bytes of a regular file of at most max_bytes; InputFileError otherwise."""
    name = name or str(path)
    with open_regular_file(path, name) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise _too_large(name, size, max_bytes)
        data = handle.read(max_bytes + 1)  # the file may have grown since fstat
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes, grew=True)
    return data


def _too_large(name: str, size: int, limit: int, grew: bool = False) -> InputFileError:
    what = "grew past" if grew else f"is {size:,} bytes, over"
    megabytes = f" ({limit // MEGABYTE} MB)" if limit % MEGABYTE == 0 else ""
    return _refuse(name, f"{what} the limit of {limit:,} bytes{megabytes}")


def decode_utf8(raw: bytes, name: str) -> str:
    """The text of UTF-8 bytes (a byte-order mark is dropped); InputFileError with the line
    of the first bad byte otherwise."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _refuse(
            name,
            f"is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8",
            where=f"line {line}",
        ) from None


def read_text(path: str | os.PathLike[str], max_bytes: int, name: str | None = None) -> str:
    """read_input_bytes + decode_utf8."""
    name = name or str(path)
    return decode_utf8(read_input_bytes(path, max_bytes, name), name)


# --- YAML ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadScalar:
    """A YAML scalar its tag could not turn into a value (`!!int abc`, `!!timestamp 2023-02-30`,
    `!!bool maybe`), kept in the data so that validation reports it for its record and field."""

    tag: str  # as written: '!!int', '!!timestamp', '!python/object'
    text: str
    line: int
    reason: str  # what is wrong, as the end of a sentence: 'is not a whole number'

    def __str__(self) -> str:
        return f"{self.tag} {clip(self.text, 40)!r}"

    @property
    def message(self) -> str:
        return f"{self} (line {self.line}) {clip(self.reason, 160)}"


def bad_scalars(value: Any, path: str = "") -> Iterator[tuple[str, BadScalar]]:
    """(field path, BadScalar) for each one inside a loaded value: 'date', 'relations[2].target'
    (list positions 1-based, as record problems name them)."""
    if isinstance(value, BadScalar):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from bad_scalars(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value, start=1):
            yield from bad_scalars(item, f"{path}[{i}]")


_TAG_PREFIX: Final = "tag:yaml.org,2002:"
# The scalar tags of the safe loader and what a value of each must be.
_SCALAR_TAGS: Final = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "timestamp": "a date (YYYY-MM-DD, optionally with a time)",
    "binary": "base64 data",
    "null": "null",
    "str": "text",
}
# Collection tags and the node each needs; a mismatch is refused before its constructor runs.
_COLLECTION_TAGS: Final = {
    "map": yaml.MappingNode,
    "set": yaml.MappingNode,
    "seq": yaml.SequenceNode,
    "omap": yaml.SequenceNode,
    "pairs": yaml.SequenceNode,
}

_BaseLoader = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader


class StrictLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """yaml's safe loader, but dates stay text, a key given twice in one mapping is an error,
    and a scalar its tag cannot construct becomes a BadScalar rather than an exception."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _TAG_PREFIX + "timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key; the base constructor reports it
                continue
            if repeated:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {clip(str(key), 60)!r} appears twice in one mapping",
                    key_node.start_mark,
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _node_name(node: yaml.Node) -> str:
    return _NODE_NAMES.get(type(node), "node")


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG_PREFIX) if tag.startswith(_TAG_PREFIX) else tag


def _guard_scalar(tag: str, construct: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    wanted = _SCALAR_TAGS[tag]

    def guarded(loader: Any, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"!!{tag} needs a single value, not a {_node_name(node)}",
                node.start_mark,
            )
        try:
            return construct(loader, node)
        except Exception as exc:  # any failure of a tag is the input's fault
            # A date's own reason helps ('day is out of range for month'); a parser's does not.
            detail = f": {exc}" if tag == "timestamp" and type(exc) is ValueError else ""
            reason = f"is not {wanted}{detail}"
            return BadScalar(f"!!{tag}", str(node.value), node.start_mark.line + 1, reason)

    return guarded


def _unknown_tag(loader: Any, node: yaml.Node) -> BadScalar:
    """Any tag the safe loader has no constructor for (`!!python/object`, `!custom`)."""
    text = node.value if isinstance(node, yaml.ScalarNode) else f"<a {_node_name(node)}>"
    return BadScalar(
        _short_tag(str(node.tag)),
        str(text),
        node.start_mark.line + 1,
        "has a tag kb does not accept (remove the tag)",
    )


def _guard_collection(
    tag: str, needs: type[yaml.Node], construct: Callable[[Any, Any], Any]
) -> Callable[[Any, Any], Any]:
    def guarded(loader: Any, node: yaml.Node) -> Any:
        if not isinstance(node, needs):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"!!{tag} needs a {_NODE_NAMES[needs]}, not a {_node_name(node)}",
                node.start_mark,
            )
        return construct(loader, node)

    return guarded


StrictLoader.add_constructor(None, _unknown_tag)
for _tag in _SCALAR_TAGS:
    StrictLoader.add_constructor(
        _TAG_PREFIX + _tag, _guard_scalar(_tag, _BaseLoader.yaml_constructors[_TAG_PREFIX + _tag])
    )
for _tag, _needs in _COLLECTION_TAGS.items():
    StrictLoader.add_constructor(
        _TAG_PREFIX + _tag,
        _guard_collection(_tag, _needs, _BaseLoader.yaml_constructors[_TAG_PREFIX + _tag]),
    )


def load_yaml(text: str) -> Any:
    """YAML text as Python values under the strict rules above. Raises yaml.YAMLError (with a
    problem_mark for the line), or RecursionError for absurd nesting."""
    if "*" in text:  # an alias needs a '*'; only then pay for a scan of the parse events
        for event in yaml.parse(text, Loader=StrictLoader):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.MarkedYAMLError(
                    problem=f"YAML aliases (*{event.anchor}) are not accepted",
                    problem_mark=event.start_mark,  # type: ignore[arg-type]
                )
    return yaml.load(text, Loader=StrictLoader)  # StrictLoader is a safe loader


def yaml_problem(exc: yaml.YAMLError, name: str) -> Problem:
    """A YAML error as a Problem with its line."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}" if mark else "file"
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return Problem(name, where, None, f"is not valid YAML: {clip(str(reason), 200)}")


# --- JSON ----------------------------------------------------------------------------------------


class DuplicateKeyError(ValueError):
    """A JSON object names the same key twice (the later value would silently win)."""

    def __init__(self, key: str, line: int | None = None) -> None:
        super().__init__(f"the key {clip(key, 60)!r} appears twice in one object")
        self.key = key
        self.line = line


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(key)
        out[key] = value
    return out


def load_json(text: str) -> Any:
    """JSON text as Python values; json.JSONDecodeError, or DuplicateKeyError with its line."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except DuplicateKeyError as exc:
        raise DuplicateKeyError(exc.key, _duplicate_key_line(text)) from None


_JSON_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]')


def _duplicate_key_line(text: str) -> int | None:
    """The line of the first key that repeats one of its object (run only on failure)."""
    stack: list[set[str] | None] = []  # one entry per open object (its keys) or array (None)
    pending: tuple[str, int] | None = None  # a string that may be a key, and its offset
    for token in _JSON_TOKEN.finditer(text):
        value = token.group()
        if value in "{[":
            stack.append(set() if value == "{" else None)
        elif value in "}]":
            if stack:
                stack.pop()
        elif value == ":" and pending is not None and stack and stack[-1] is not None:
            key, offset = pending
            if key in stack[-1]:
                return text.count("\n", 0, offset) + 1
            stack[-1].add(key)
        if value.startswith('"'):
            pending = (json.loads(value), token.start())
        elif value != ":":
            pending = None
    return None
