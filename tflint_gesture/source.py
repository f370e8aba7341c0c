"""Turn a file's bytes into text the parser can take, or a clear reason why not."""

from __future__ import annotations

import codecs
import io
import tokenize


class SourceError(Exception):
    """The bytes are not Python source text (binary file, undecodable encoding)."""


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
        raise SourceError(f"bad encoding declaration: {exc}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        reason = getattr(exc, "reason", str(exc))
        raise SourceError(f"cannot decode the file as {encoding}: {reason}; nothing in it was checked") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text
