"""One query over one object, from its stored bytes to the events of the response: the
request checked and compiled, the bytes read (``source.py``) and parsed by the reader of the
input format, the engine's records written in the output format (``events.py``). Shared by
SelectObjectContent (``operation.py``) and Glacier Select (``glacier.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from overcast.errors import AwsError

from .csv_input import CsvReader
from .events import record_events
from .json_input import json_documents, json_lines
from .output import writer_for
from .parquet_input import ObjectFile, parquet_batches
from .request import SelectRequest, parse_select
from .source import Counts, blocks as blocks_of, object_bytes, scan_bounds
from .sql import SelectError, compile_select


def prepare_select(params: dict) -> tuple[SelectRequest, object]:
    """The checked request and its compiled query; raises S3's error for either."""
    request = parse_select(params)
    try:
        query = compile_select(request.expression, request.input_kind)
    except SelectError as error:
        raise AwsError(error.code, error.message, error.status) from None
    return request, query


def select_results(request: SelectRequest, query, open_range: Callable[[int, int | None], Iterable[bytes]],
                   size: int, counts: Counts) -> Iterator[list]:
    """The engine's record lists over the object's batches (read as the generator advances)."""
    if request.input_kind == "parquet":
        scan = scan_bounds(size, request.scan_start, request.scan_end) if request.scanned_range else None
        if request.scanned_range and scan is None:
            return
        yield from query.run(parquet_batches(ObjectFile(open_range, size, counts), query, scan))
        return
    if request.input_kind == "json":
        blocks = object_bytes(open_range, size, request, counts, b"\n")
        batches = json_lines(blocks) if request.json_type == "LINES" else json_documents(blocks)
        yield from query.run(batches)
        return
    delimiter = request.csv.record_delimiter.encode("utf-8")
    blocks = object_bytes(open_range, size, request, counts, delimiter)
    if request.scanned_range and request.csv.header != "NONE":
        # every range reads the header from the object's first record (the range may not hold it)
        bounds = scan_bounds(size, request.scan_start, request.scan_end)
        reader = CsvReader(blocks, request.csv, query.columns_for, header_blocks=blocks_of(open_range(0, None)),
                           header_in_blocks=bounds is not None and bounds[0] == 0)
    else:
        reader = CsvReader(blocks, request.csv, query.columns_for)
    header = reader.header if request.csv.header == "USE" else None
    yield from query.run(reader.batches(), header=header)


def select_events(request: SelectRequest, query, open_range, size: int, counts: Counts) -> Iterator[dict]:
    """Every event of the response, computed as it is pulled."""
    results = select_results(request, query, open_range, size, counts)
    return record_events(results, writer_for(request.output), counts, request.progress)


def range_opener(store, version, key: bytes | None):
    """``open_range(offset, length)``: the object's decrypted bytes, closed when dropped."""
    def open_range(offset: int, length: int | None) -> Iterator[bytes]:
        reader = store.read(version, offset, length, key)
        try:
            yield from reader
        finally:
            reader.close()
    return open_range
