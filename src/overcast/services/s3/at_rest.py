"""Object bytes encrypted at rest: every blob written since this module exists is AES-256-CTR
ciphertext under a data key of its own.

Why CTR: a Range GET of the last byte of a 5 GiB object decrypts that byte only (the counter
of any offset is computed, no earlier byte is read), writes stream in chunks of any size with
no padding (the ciphertext is exactly as long as the object, so sizes, ranges and part
offsets stay what they were), and a multipart upload's parts, each encrypted on its own,
are still hard-linked into the object at Complete. CTR gives no integrity: S3's own ETag and
checksums cover the plaintext, and the blobs live in the developer's own data dir.

Keys:
- each blob gets a random 256-bit data key and a random 128-bit initial counter;
- the data key is stored wrapped (AES-256-GCM) by a *wrapping key*: for SSE-S3 the service
  key, 32 random bytes in ``<data-dir>/s3-service.key`` created once with mode 0600; for SSE-C
  the customer's key, which is never stored (``customer_keys.py`` keeps only a salted HMAC to
  check it); for SSE-KMS a data key KMS generated (``kms_encryption.py``), of which only KMS's
  ciphertext blob is stored, in the envelope: ``"k:" + base64(KMS blob) + "|" + envelope``,
  so reading the blob takes a KMS Decrypt (the key's state and the caller's permissions);
- what a blob needs to be read is its *envelope*: ``"1:" + base64(nonce | wrapped key | tag |
  counter)``, kept with the row that references the blob (``attrs["enc"]`` of a one-blob
  object, the 5th member of each ``attrs["parts"]`` entry, the ``enc`` column of a part in
  progress). A copy to another mode re-wraps the data key only: the bytes are never
  re-encrypted, so CopyObject stays a hard link.

Blobs written before this module (no envelope) read as the plain bytes they are.
"""

from __future__ import annotations

import base64
import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from overcast.storage.blobs import ChunkStream

KEY_FILE = "s3-service.key"
_VERSION = "1:"
_KMS_KIND = "k:"  # an envelope wrapped by a KMS data key, KMS's blob of that key in front
_KEY, _NONCE, _TAG, _COUNTER = 32, 12, 16, 16
_BLOCK = 16
_ENVELOPE_BYTES = _NONCE + _KEY + _TAG + _COUNTER


class KeyMismatch(Exception):
    """The wrapping key given does not open the envelope (a wrong SSE-C key)."""


def load_service_key(data_dir: str, name: str = KEY_FILE) -> bytes:
    """The service key file ``name`` of ``data_dir``, created on first use (0600, written whole
    then linked into place, so a crash never leaves a short key and two starts never make two).
    KMS keeps its master key the same way, in a file of its own."""
    path = os.path.join(data_dir, name)
    try:
        with open(path, "rb") as f:
            key = f.read()
    except FileNotFoundError:
        key = os.urandom(_KEY)
        temp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, key)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)  # fails if another start made it first: use that one
        except FileExistsError:
            with open(path, "rb") as f:
                key = f.read()
        except OSError:  # a filesystem without hard links: one process per data dir anyway
            os.replace(temp, path)
        if os.path.exists(temp):
            os.unlink(temp)
        dir_fd = os.open(data_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    if len(key) != _KEY:
        raise RuntimeError(f"{path} is not a 32-byte key; restore it from a backup (what it encrypts needs it)")
    return key


def kms_blob(envelope: str | None) -> bytes | None:
    """The KMS ciphertext blob of an SSE-KMS envelope (None for the other kinds)."""
    if envelope is None or not envelope.startswith(_KMS_KIND):
        return None
    return base64.b64decode(envelope[len(_KMS_KIND):envelope.index("|")])


def _inner(envelope: str) -> str:
    """The wrapped data key part of an envelope of any kind."""
    return envelope[envelope.index("|") + 1:] if envelope.startswith(_KMS_KIND) else envelope


def _with_blob(inner: str, blob: bytes | None) -> str:
    return inner if blob is None else _KMS_KIND + base64.b64encode(blob).decode() + "|" + inner


# Opened envelopes of the service key, remembered: a GET of a small object spends more time
# building the key objects than decrypting (measured: unwrapping plus AES()/CTR() cost about
# three times the decryption of 1 KiB), and objects are read again and again. A data key in
# memory is no weaker than the service key already there. SSE-C keys are never remembered; an
# SSE-KMS envelope is opened only once KMS decrypted its blob for this very request (the key's
# state and the caller's permissions checked), so remembering what it opens skips no check.
_REMEMBERED = 4096


def _ctr(algorithm, counter: bytes, at_start: Cipher | None, offset: int):
    """A CTR context positioned at byte ``offset`` of the stream (``at_start``: the cipher at
    its first block, built once per opened envelope: a read from the start, as nearly every
    GET is, skips building it again)."""
    if offset >= _BLOCK:
        start = (int.from_bytes(counter, "big") + offset // _BLOCK) % (1 << 128)
        context = Cipher(algorithm, modes.CTR(start.to_bytes(_BLOCK, "big"))).decryptor()
    else:
        context = (at_start or Cipher(algorithm, modes.CTR(counter))).decryptor()
    skip = offset % _BLOCK
    if skip:
        context.update(bytes(skip))  # into the block: drop its first keystream bytes
    return context


# The initial counter block of a new blob: 96 random bits, then 2 in the low 32 bits. That is
# the first counter block AES-GCM encrypts with under a 96-bit nonce (NIST SP 800-38D: inc32
# of IV || 1), so AES-GCM's ciphertext without its tag *is* the AES-CTR stream from this
# counter, for as long as the low 32 bits do not wrap (64 GiB, past any one chunk). The first
# chunk of a blob sealed or read from its start (a small object's only one) is one AES-GCM
# call (CTR is its own inverse); building a CTR cipher object costs about twenty times the
# encryption of 1 KiB. The key is the blob's own random data key, so the fixed low bits take
# nothing from CTR's security. Blobs written before keep their random counters: CTR only.
_GCM_FIRST_COUNTER = (2).to_bytes(4, "big")


class _CtrStream:
    """AES-256-CTR of one blob from byte ``position`` on, chunk after chunk (a call
    encrypts or decrypts: the same operation)."""

    __slots__ = ("_key", "_counter", "_position", "_gcm", "_at_start", "_context")

    def __init__(self, key: bytes, counter: bytes, position: int = 0, gcm: AESGCM | None = None,
                 at_start: Cipher | None = None):
        self._key, self._counter, self._position = key, counter, position
        self._gcm, self._at_start = gcm, at_start  # what an opened envelope remembers
        self._context = None

    def __call__(self, chunk) -> bytes:
        if self._context is not None:
            return self._context.update(chunk)
        if not chunk:
            return b""
        if self._position == 0 and self._counter[_NONCE:] == _GCM_FIRST_COUNTER:
            self._position = len(chunk)
            gcm = self._gcm or AESGCM(self._key)
            return gcm.encrypt(self._counter[:_NONCE], chunk, None)[:-_TAG]
        # the stream from where the first chunk ended (or from a read's offset)
        self._context = _ctr(algorithms.AES(self._key), self._counter, self._at_start, self._position)
        return self._context.update(chunk)


class Sealer(_CtrStream):
    """The data key of a blob being written: a call (or ``update``) encrypts the next chunk,
    in order; ``envelope`` is what the row keeps; ``wrapping_key`` the key that wrapped it
    (None: the service key)."""

    __slots__ = ("envelope", "wrapping_key")

    def __init__(self, envelope: str, data_key: bytes, counter: bytes, wrapping_key: bytes | None = None):
        super().__init__(data_key, counter)
        self.envelope = envelope
        self.wrapping_key = wrapping_key

    def update(self, chunk) -> bytes:
        return self(chunk)


class AtRest:
    """Seals new blobs and opens stored ones, under the service key or a customer's key."""

    def __init__(self, data_dir: str):
        self._service = AESGCM(load_service_key(data_dir))
        self._opened: dict[str, tuple] = {}  # envelope -> (data key, counter, AESGCM, Cipher at 0), service key only

    def _wrapper(self, customer_key: bytes | None) -> AESGCM:
        return self._service if customer_key is None else AESGCM(customer_key)

    def sealer(self, customer_key: bytes | None = None, kms_blob: bytes | None = None) -> Sealer:
        """A fresh data key and counter for one new blob (``customer_key``: the SSE-C key, or
        the plaintext of the KMS data key whose blob is ``kms_blob``)."""
        fresh = os.urandom(_KEY + _NONCE + _NONCE)  # one system call for the three
        data_key, nonce = fresh[:_KEY], fresh[_KEY:_KEY + _NONCE]
        counter = fresh[_KEY + _NONCE:] + _GCM_FIRST_COUNTER  # see _GCM_FIRST_COUNTER
        wrapped = self._wrapper(customer_key).encrypt(nonce, data_key, None)
        envelope = _with_blob(_VERSION + base64.b64encode(nonce + wrapped + counter).decode(), kms_blob)
        return Sealer(envelope, data_key, counter, customer_key)

    def _open(self, envelope: str, customer_key: bytes | None) -> tuple[bytes, bytes]:
        envelope = _inner(envelope)
        if not envelope.startswith(_VERSION):
            raise ValueError("not an envelope this server wrote")
        raw = base64.b64decode(envelope[len(_VERSION):])
        if len(raw) != _ENVELOPE_BYTES:
            raise ValueError("not an envelope this server wrote")
        nonce, wrapped, counter = raw[:_NONCE], raw[_NONCE:_NONCE + _KEY + _TAG], raw[-_COUNTER:]
        try:
            return self._wrapper(customer_key).decrypt(nonce, wrapped, None), counter
        except InvalidTag:
            raise KeyMismatch() from None

    def decryptor(self, envelope: str, customer_key: bytes | None, offset: int = 0):
        """A function decrypting the blob's bytes from ``offset`` on, chunk after chunk."""
        remember = customer_key is None or envelope.startswith(_KMS_KIND)
        opened = self._opened.get(envelope) if remember else None
        if opened is None:
            data_key, counter = self._open(envelope, customer_key)
            if counter[_NONCE:] == _GCM_FIRST_COUNTER:  # a read from the start is one AES-GCM call
                opened = (data_key, counter, AESGCM(data_key), None)
            else:
                opened = (data_key, counter, None, Cipher(algorithms.AES(data_key), modes.CTR(counter)))
            if remember:
                if len(self._opened) >= _REMEMBERED:
                    self._opened.clear()  # (rarely: simpler than an LRU, and as safe across threads)
                self._opened[envelope] = opened
        data_key, counter, gcm, at_start = opened
        return _CtrStream(data_key, counter, offset, gcm, at_start)

    def rewrap(self, envelope: str, old_key: bytes | None, new_key: bytes | None,
               new_blob: bytes | None = None) -> str:
        """The envelope of the same data key under another wrapping key (a copy that changes
        the mode or the KMS data key, ``new_blob`` its KMS blob: the blob is hard-linked,
        never re-encrypted)."""
        if old_key == new_key and kms_blob(envelope) == new_blob:
            return envelope
        data_key, counter = self._open(envelope, old_key)
        nonce = os.urandom(_NONCE)
        wrapped = self._wrapper(new_key).encrypt(nonce, data_key, None)
        return _with_blob(_VERSION + base64.b64encode(nonce + wrapped + counter).decode(), new_blob)


class DecryptingReader(ChunkStream):
    """A blob reader (``overcast.storage.blobs``) whose chunks come out decrypted: the same
    interface (``read_chunk``, sync and async iteration, ``length``, ``close``)."""

    __slots__ = ("_reader", "_decrypt", "length", "size")

    def __init__(self, reader, decrypt):
        self._reader, self._decrypt = reader, decrypt
        self.length, self.size = reader.length, reader.size

    def read_chunk(self) -> bytes:
        data = self._reader.read_chunk()
        return self._decrypt(data) if data else b""


    def close(self) -> None:
        self._reader.close()

    async def aclose(self) -> None:
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


async def sealed(source, seal):
    """An async iterable of ``source``'s chunks encrypted by ``seal`` (a ``Sealer``)."""
    async for chunk in source:
        yield seal(chunk)
