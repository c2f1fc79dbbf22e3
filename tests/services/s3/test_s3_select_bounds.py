"""What keeps S3 Select's memory bounded whatever the object: decompression hands out at most a
block at a time (a small, very compressible object must not expand at once), and the whole
pipeline answers right across many such blocks, through a real server."""

from __future__ import annotations

import bz2
import gzip
import io
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq

from overcast.services.s3.select.source import BLOCK, _decompressed, _gzip

ROW = b"7,alpha,beta,gamma,delta\n"


def test_decompression_hands_out_at_most_a_block_at_a_time():
    plain = b"x" * (64 * BLOCK)
    for packed, new in ((gzip.compress(plain, 9), _gzip), (bz2.compress(plain, 9), bz2.BZ2Decompressor)):
        tracemalloc.start()
        try:
            sizes = [len(piece) for piece in _decompressed([packed], new)]
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert sum(sizes) == len(plain) and max(sizes) <= BLOCK
        assert peak < 4 * BLOCK  # not the 64 blocks the input expands to


def test_members_split_anywhere_still_decompress_whole():
    packed = gzip.compress(b"a\n" * 5000) + gzip.compress(b"b\n" * 7)
    for cut in (1, 9, len(packed) // 2, len(packed) - 3):
        pieces = [packed[:cut], packed[cut:]]
        assert b"".join(_decompressed(pieces, _gzip)) == b"a\n" * 5000 + b"b\n" * 7


def select(s3, bucket, body: bytes, expression: str, source: dict, output: dict | None = None) -> bytes:
    s3.put_object(Bucket=bucket, Key="data", Body=body)
    response = s3.select_object_content(Bucket=bucket, Key="data", Expression=expression, ExpressionType="SQL",
                                        InputSerialization=source, OutputSerialization=output or {"CSV": {}})
    return b"".join(e["Records"]["Payload"] for e in response["Payload"] if "Records" in e)


def test_a_small_object_expanding_to_many_blocks_is_read_whole(s3, bucket):
    rows = 12 * BLOCK // len(ROW)
    plain = ROW * rows
    for compression, packed in (("GZIP", gzip.compress(plain, 9)), ("BZIP2", bz2.compress(plain, 9))):
        assert len(packed) < BLOCK // 4
        out = select(s3, bucket, packed, "SELECT COUNT(*), MAX(s._2) FROM S3Object s",
                     {"CSV": {}, "CompressionType": compression})
        assert out == f"{rows},alpha\n".encode()


def test_select_star_of_a_parquet_row_group_larger_than_the_read_buffer(s3, bucket):
    count = 300_000
    table = pa.table({"id": pa.array(range(count)), "name": pa.array([f"n{i % 977}" for i in range(count)]),
                      "score": pa.array([i / 8 for i in range(count)])})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=count, compression="NONE")
    assert sink.tell() > 2 * 1024 * 1024  # one column chunk alone outgrows the 1 MiB buffer
    out = select(s3, bucket, sink.getvalue(), "SELECT * FROM S3Object", {"Parquet": {}})
    lines = out.split(b"\n")
    assert len(lines) == count + 1 and lines[0] == b"0,n0,0.0" and lines[count - 1] == b"299999,n60,37499.875"
