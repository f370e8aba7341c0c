"""Turn a file's bytes into text the parser can take, or a clear reason why not."""

from __future__ import annotations

import codecs
import io
import tokenize
import warnings


class SourceError(Exception):
    """The bytes are not Python source text (binary file, undecodable encoding); `line`: where, 1-based."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def decode_source(data: bytes) -> str:
    """Decode like Python does: BOM first, then a PEP 263 coding cookie, else UTF-8."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceError(f"undecodable UTF-16 text: {exc.reason}") from None
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (NUL bytes), not Python source; nothing in it was checked")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" not in str(exc):
            raise SourceError(f"bad encoding declaration: {exc}") from None
        encoding = "utf-8"  # no declaration and the first lines are not UTF-8: say where decoding fails
    try:
        with warnings.catch_warnings():  # unicode_escape & co. warn about the file's escapes: not ours to print
            warnings.simplefilter("ignore")
            text = data.decode(encoding)
    except (UnicodeError, LookupError, ValueError, TypeError) as exc:  # the cookie's codec may fail its own way
        reason = (getattr(exc, "reason", None) or str(exc)).replace("\r", "\\r").replace("\n", "\\n")  # one line
        line = data.count(b"\n", 0, exc.start) + 1 if isinstance(exc, UnicodeDecodeError) else 1
        raise SourceError(f"cannot decode the file as {encoding}: {reason}; nothing in it was checked", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text
