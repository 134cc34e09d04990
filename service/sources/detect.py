"""Decoding bytes to text and telling the two input formats apart."""

from __future__ import annotations

from .errors import SourceError

SOURCE_FORMATS = ("text", "hf-json")


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is allowed); binary or undecodable input is an error naming the line."""
    if not data.strip():
        raise SourceError("the input is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise SourceError(f"binary content (a NUL byte at offset {nul}); expected UTF-8 text",
                          f"line {line}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                          f"line {line}") from None


def detect_format(content: str) -> str:
    """JSON when the first non-blank character opens an array or object, else a text capture."""
    stripped = content.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise SourceError("the input is empty")
    return "hf-json" if stripped[0] in "[{" else "text"
