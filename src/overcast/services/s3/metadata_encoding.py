"""User metadata (``x-amz-meta-*``) values on the wire, as S3 encodes them.

"When using non US-ASCII characters in your metadata values, the provided unicode string is
examined for non US-ASCII characters. Values of such headers are character decoded as per
RFC 2047 before storing and encoded as per RFC 2047 to make them mail-safe before returning.
If the string contains only US-ASCII characters, it is presented as is." (S3 User Guide,
"Working with object metadata").

Input: a header value arrives as latin-1 text (the raw bytes); non-ASCII bytes that form
UTF-8 are read as UTF-8 (what every SDK sends), and RFC 2047 encoded words are decoded.
Output: a value with a character outside printable ASCII becomes ``=?UTF-8?Q?...?=``
words, or ``=?UTF-8?B?...?=`` words when it holds a character no header can show (a
control, format, private-use or unassigned character, or U+FFFD, the mark of bytes that
were not text: what S3 answers in Base64, as observed against S3), or when such characters
outnumber the others (the rule of ``MimeUtility.encodeText``, which S3's answers follow
otherwise); a word holds at most 75 characters, so longer values are split into several
words joined by a space.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from email.header import decode_header, make_header

from overcast.errors import AwsError

_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=")
_PREFIX = "=?UTF-8?"
# 75 characters per encoded word (RFC 2047 section 2) less "=?UTF-8?Q?" and "?=".
_WORD_ROOM = 68 - len("UTF-8")
_Q_SPECIALS = frozenset(b"=_?")


def decode_metadata_value(text: str, from_header: bool = True) -> str:
    """The stored form of one metadata value read from a header (latin-1 text), or from a
    form field (already text: ``from_header`` False)."""
    if from_header and not text.isascii():
        try:
            text = text.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass  # not UTF-8 bytes: kept as the ISO-8859-1 text they are
    if "=?" in text and _ENCODED_WORD.search(text):
        try:
            text = str(make_header(decode_header(text)))
        except (LookupError, UnicodeDecodeError, ValueError):
            pass  # an encoded word S3 cannot read is kept as written
    return text


def decode_user_metadata(metadata: dict | None) -> dict:
    """Lower-cased names, decoded values: the metadata a write stores."""
    return {name.lower(): decode_metadata_value(value) for name, value in (metadata or {}).items()}


def _is_plain(char: str) -> bool:
    code = ord(char)
    return 0x20 <= code < 0x7F or char in "\t\r\n"


def _is_unprintable(char: str) -> bool:
    """A character S3 never writes in Q form: a control (other than tab), format, surrogate,
    private-use or unassigned character (Unicode category C), or U+FFFD."""
    return char != "\t" and (unicodedata.category(char)[0] == "C" or char == "\ufffd")


def encode_metadata_value(text: str) -> str:
    """One stored metadata value as S3 returns it in an ``x-amz-meta-*`` header."""
    if text.isascii() and text.isprintable():
        return text
    plain = sum(1 for char in text if _is_plain(char))
    if plain == len(text):
        return text
    use_base64 = len(text) - plain > plain or any(_is_unprintable(char) for char in text)
    words: list[str] = []
    _encode_words(text, use_base64, words)
    return " ".join(words)


def encode_user_metadata(metadata: dict) -> dict:
    """The metadata of a GET/HEAD answer: ASCII values as they are (the common case, cheap)."""
    for value in metadata.values():
        if not (value.isascii() and value.isprintable()):
            return {name: encode_metadata_value(value) for name, value in metadata.items()}
    return dict(metadata)


def _q_length(data: bytes) -> int:
    return sum(3 if (byte < 0x20 or byte >= 0x7F or byte in _Q_SPECIALS) and byte != 0x20 else 1 for byte in data)


def _encode_words(text: str, use_base64: bool, words: list[str]) -> None:
    """Encoded words for ``text``, halving it until each word fits (as MimeUtility does)."""
    data = text.encode("utf-8", "surrogatepass")
    length = (len(data) + 2) // 3 * 4 if use_base64 else _q_length(data)
    if length > _WORD_ROOM and len(text) > 1:
        half = len(text) // 2
        _encode_words(text[:half], use_base64, words)
        _encode_words(text[half:], use_base64, words)
        return
    if use_base64:
        words.append(f"{_PREFIX}B?{base64.b64encode(data).decode()}?=")
        return
    out = []
    for byte in data:
        if byte == 0x20:
            out.append("_")
        elif byte < 0x20 or byte >= 0x7F or byte in _Q_SPECIALS:
            out.append(f"={byte:02X}")
        else:
            out.append(chr(byte))
    words.append(f"{_PREFIX}Q?{''.join(out)}?=")


_OVERRIDE_ARGUMENTS = {"ResponseContentType": "response-content-type",
                       "ResponseCacheControl": "response-cache-control",
                       "ResponseContentDisposition": "response-content-disposition",
                       "ResponseContentEncoding": "response-content-encoding",
                       "ResponseContentLanguage": "response-content-language"}


def check_override_values(params: dict) -> None:
    """400 InvalidArgument for a ``response-*`` override S3 cannot put in a header: its
    value must be ISO-8859-1 text."""
    for member, argument in _OVERRIDE_ARGUMENTS.items():
        value = params.get(member)
        if value is not None and not value.isascii():
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                raise AwsError("InvalidArgument", "Header value cannot be represented using ISO-8859-1.", 400,
                               fields={"ArgumentName": argument, "ArgumentValue": value}) from None
