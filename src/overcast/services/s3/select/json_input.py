"""JSON objects as batches of Python values for the engine: LINES (one document a line) and
DOCUMENT (whitespace-separated documents, each a record; the engine applies the FROM path)."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator

import orjson

from . import errors
from .csv_fields import MAX_RECORD_CHARS

_decoder = json.JSONDecoder()


def _loads(text: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise errors.json_parsing_error() from None


def json_lines(blocks: Iterable[bytes]) -> Iterator[list]:
    """One batch per block: the documents of the block's complete lines."""
    carry = b""
    for block in blocks:
        data = carry + block if carry else block
        cut = data.rfind(b"\n")
        if cut == -1:
            carry = data
            if len(carry) > MAX_RECORD_CHARS * 4:
                raise errors.over_max_record_size()
            continue
        carry = data[cut + 1:]
        yield _documents(data[:cut])
    if carry.strip():
        yield _documents(carry)


def _documents(data: bytes) -> list:
    """The documents of whole lines: parsed in one call as an array (orjson, in C), or line by
    line when that fails, to tell bad JSON and bad UTF-8 apart (and take integers beyond 64
    bits, which orjson refuses)."""
    lines = [line for line in data.split(b"\n") if line.strip()]
    try:
        return orjson.loads(b"[" + b",".join(lines) + b"]")
    except orjson.JSONDecodeError:
        pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.invalid_text_encoding() from None
    return [_loads(line) for line in text.split("\n") if line.strip()]


def json_documents(blocks: Iterable[bytes]) -> Iterator[list]:
    """The top-level documents of a DOCUMENT object, a batch per block read."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    buffer, batch = "", []
    blocks = iter(blocks)
    done = False
    while not done:
        block = next(blocks, None)
        try:
            if block is None:
                done = True
                buffer += decoder.decode(b"", final=True)
            else:
                buffer += decoder.decode(block)
        except UnicodeDecodeError:
            raise errors.invalid_text_encoding() from None
        position = 0
        while True:
            length = len(buffer)
            while position < length and buffer[position] in " \t\r\n":
                position += 1
            if position >= length:
                break
            try:
                value, end = _decoder.raw_decode(buffer, position)
            except (ValueError, RecursionError):
                if done:
                    raise errors.json_parsing_error() from None
                if length - position > MAX_RECORD_CHARS:
                    raise errors.over_max_record_size() from None
                break  # the document goes on in the next block
            if end >= length and not done and isinstance(value, (int, float)):
                break  # a number at the end of the buffer may have more digits to come
            batch.append(value)
            position = end
        buffer = buffer[position:]
        if batch:
            yield batch
            batch = []
