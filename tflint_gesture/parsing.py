"""Parse source text with libcst without letting a pathological file kill the process.

libcst's native parser recurses once per nesting level on the C stack and has no depth check: a
10,000-term sum, a 10,000-deep `and` chain or 3,000 nested brackets overflow the stack and end the
whole process with a segmentation fault (no exception, no other file checked). Its run time also
grows quadratically with the depth (a 3,000-deep subscript chain takes about 10 s). So, before
libcst sees a text:

* CPython's own compiler must accept its nesting (`compile()` only: the code object is thrown away,
  nothing is executed). It stops at about 3,000 levels (`RecursionError`/`MemoryError`) or 200
  brackets ("too many nested parentheses"), in about a tenth of the time of libcst's parse; such a
  file could not run under Python anyway.
* Boolean chains, which CPython keeps flat (`a and b and ...` is one node) but libcst nests one level
  per operand, are held to the same depth; they are only measured when the text has that many
  `and`/`or` words at all.

Then libcst parses on a thread with a large stack, so that what CPython accepts never overflows the
8 MB main-thread stack (measured: a 3,000-deep lambda chain needs more than 4 MB). A long file is
parsed in pieces of whole top-level statements (`chunks.py`), which bounds the parser's memory.
"""

from __future__ import annotations

import ast
import os
import queue
import re
import threading
import warnings

import libcst as cst

from tflint_gesture.chunks import parse_pieces, split

MAX_DEPTH = 2900  # about CPython's own limit (3 x the recursion limit of 1000)
PARSE_STACK_BYTES = 256 * 1024 * 1024  # virtual: only the pages a deep parse touches are used
_BOOL_WORDS = re.compile(r"\b(?:and|or)\b")
_SURROGATE = re.compile("[\ud800-\udfff]")  # only codecs like unicode_escape, or JSON escapes, make these


class ParseRefused(Exception):
    """The text is not handed to libcst, for the reason in the message; `line`: where (1-based)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


class TooDeeplyNested(ParseRefused):
    """The text nests deeper than can be parsed safely."""

    def __init__(self, reason: str, line: int = 1) -> None:
        super().__init__(f"too deeply nested to parse: {reason}", line)


def check_depth(text: str) -> None:
    """Raise `TooDeeplyNested` if parsing `text` could overflow the stack. Syntax errors pass:
    libcst reports them (it also reads syntax that this Python version does not)."""
    many_booleans = len(_BOOL_WORDS.findall(text)) > MAX_DEPTH
    try:
        with warnings.catch_warnings():  # SyntaxWarnings of the checked code are not ours to print
            warnings.simplefilter("ignore")
            # To bytecode unless the AST is needed: half the time of building AST objects, and
            # nothing runs. CPython's parser and compiler stop at their own depth limits.
            tree = compile(text, "<checked file>", "exec", flags=ast.PyCF_ONLY_AST if many_booleans else 0,
                           dont_inherit=True)
    except (RecursionError, MemoryError):
        raise TooDeeplyNested("expressions nested deeper than Python itself accepts") from None
    except SyntaxError as exc:
        if "too many nested parentheses" in str(exc.msg):
            raise TooDeeplyNested("more than 200 nested brackets (Python's own limit)", exc.lineno or 1) from None
        return
    except Exception:  # noqa: BLE001 - NUL bytes, over-long int literals...: libcst has the last word
        return
    if many_booleans:
        line = _deep_boolean_line(tree)
        if line is not None:
            raise TooDeeplyNested(f"a chain of `and`/`or` nested more than {MAX_DEPTH} levels deep", line)


def _deep_boolean_line(tree: ast.AST) -> int | None:
    """Line of the first node whose nesting, counting each extra boolean operand as a level, is too
    deep. Iterative, so the walk itself cannot overflow."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 1
        if depth > MAX_DEPTH:
            return getattr(node, "lineno", 1)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module`, guarded: raises `ParseRefused` or `libcst.ParserSyntaxError`."""
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:  # libcst encodes the text to UTF-8 and raises UnicodeEncodeError
        line = text.count("\n", 0, surrogate.start()) + 1
        raise ParseRefused(f"the text holds a lone surrogate (U+{ord(surrogate.group()):04X}), which no Python "
                           "source can contain", line)
    pieces = split(text)  # a long file: parsed piece by piece to bound libcst's parser memory
    if pieces is None:
        check_depth(text)
    else:
        _check_pieces_depth(pieces)
    try:
        if pieces is not None:
            try:
                return parse_pieces(pieces, _parse_on_parser_thread)
            except Exception:  # noqa: BLE001 - the whole text's parse below gives the real error
                pass
        return _parse_on_parser_thread(text)
    except (cst.ParserSyntaxError, RecursionError, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - see below
        # libcst also validates while building nodes (CSTValidationError: `'a' b'b'`), and a panic of
        # its native parser is a BaseException: either way the file could not be parsed.
        if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
            raise _parser_failure(text, exc) from None
        raise


def _check_pieces_depth(pieces: list[str]) -> None:
    """`check_depth` of a text cut by `chunks.split`: every piece but the last already compiled, so
    only the last one, and those with long boolean chains, need the check (lines of the whole text)."""
    line = 0
    for index, piece in enumerate(pieces):
        if index == len(pieces) - 1 or len(_BOOL_WORDS.findall(piece)) > MAX_DEPTH:
            try:
                check_depth(piece)
            except ParseRefused as exc:
                exc.line += line
                raise
        line += piece.count("\n")


def _parse_on_parser_thread(text: str) -> cst.Module:
    reply: queue.SimpleQueue = queue.SimpleQueue()  # one per call: an interrupted caller's late reply is lost
    with _LOCK:
        requests = _parser_requests()
        if requests is None:  # the platform cannot give a thread a large stack: parse here
            return cst.parse_module(text)
        requests.put((text, reply))
    ok, value = reply.get()
    if ok:
        return value
    raise value


def _parser_failure(text: str, exc: BaseException) -> ParseRefused:
    """CPython's own syntax error for the text when it has one (with its line), else libcst's failure."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<checked file>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as err:
        return ParseRefused(f"syntax error: {err.msg}", err.lineno or 1)
    except Exception:  # noqa: BLE001 - no better message than libcst's own
        pass
    reason = " ".join(str(exc).split())
    return ParseRefused(f"the parser failed on this file ({type(exc).__name__}: {reason})")


# One long-lived parser thread per process: starting a thread per file costs 8% of a parse (measured),
# handing a text to a running one about 1.5%. It is stopped before a fork (worker pools fork) and
# started again on demand, so no process ever forks with it running.
_LOCK = threading.Lock()
_parser: "tuple[threading.Thread, queue.SimpleQueue] | None" = None


def _parser_requests() -> "queue.SimpleQueue | None":
    global _parser
    if _parser is not None and _parser[0].is_alive():
        return _parser[1]
    requests: queue.SimpleQueue = queue.SimpleQueue()
    try:
        previous = threading.stack_size(PARSE_STACK_BYTES)
    except (ValueError, RuntimeError):
        return None
    try:
        thread = threading.Thread(target=_serve, args=(requests,), name="tflint-gesture-parser", daemon=True)
        thread.start()
    except RuntimeError:  # no thread could be started (memory limits)
        return None
    finally:
        threading.stack_size(previous)
    _parser = (thread, requests)
    return requests


def _serve(requests: queue.SimpleQueue) -> None:
    while True:
        item = requests.get()
        if item is None:
            return
        text, reply = item
        try:
            reply.put((True, cst.parse_module(text)))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            reply.put((False, exc))
        del item, text, reply


def _stop_before_fork() -> None:
    global _parser
    with _LOCK:
        if _parser is not None:
            thread, requests = _parser
            requests.put(None)
            thread.join()
            _parser = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_stop_before_fork)


__all__ = ["MAX_DEPTH", "ParseRefused", "TooDeeplyNested", "check_depth", "parse_module"]
