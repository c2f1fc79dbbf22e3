"""A SelectObjectContent request (or a Glacier Select's SelectParameters) checked as S3 checks
it: the expression first, then the input serialization, the output serialization, then the
scan range; each with the error code S3 answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import errors

MAX_EXPRESSION_BYTES = 256 * 1024  # "The maximum byte-length for the SQL expression is 256 KB"
COMPRESSIONS = ("NONE", "GZIP", "BZIP2")


@dataclass
class CsvInput:
    header: str = "NONE"  # FileHeaderInfo
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    quote_escape: str = '"'
    comments: str | None = "#"  # "The default character is #" (CSVInput.Comments)
    quoted_record_delimiter: bool = False


@dataclass
class CsvOutput:
    quote_fields: str = "ASNEEDED"
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    quote_escape: str = '"'


@dataclass
class JsonOutput:
    record_delimiter: str = "\n"


@dataclass
class SelectRequest:
    expression: str
    input_kind: str  # csv | json | parquet
    compression: str = "NONE"
    csv: CsvInput = field(default_factory=CsvInput)
    json_type: str = "DOCUMENT"
    output: CsvOutput | JsonOutput = field(default_factory=CsvOutput)
    progress: bool = False
    scan_start: int | None = None
    scan_end: int | None = None

    @property
    def scanned_range(self) -> bool:
        return self.scan_start is not None or self.scan_end is not None


def _char(value, limit: int = 1) -> str:
    """A delimiter / quote option: one character (a record delimiter may be two: CRLF)."""
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        raise errors.invalid_parameter()
    return value


def _one_format(serialization: dict, names: tuple[str, ...]) -> str:
    given = [name for name in names if serialization.get(name) is not None]
    if not given:
        raise errors.missing_parameter()
    if len(given) > 1:
        raise errors.serialization_conflict()
    return given[0]


def _csv_input(options: dict) -> CsvInput:
    csv = CsvInput()
    header = options.get("FileHeaderInfo")
    if header is not None:
        if str(header).upper() not in ("USE", "IGNORE", "NONE"):
            raise errors.invalid_file_header_info()
        csv.header = str(header).upper()
    if options.get("RecordDelimiter") is not None:
        csv.record_delimiter = _char(options["RecordDelimiter"], 2)
    if options.get("FieldDelimiter") is not None:
        csv.field_delimiter = _char(options["FieldDelimiter"])
    if options.get("QuoteCharacter") is not None:
        csv.quote = _char(options["QuoteCharacter"])
        csv.quote_escape = csv.quote
    if options.get("QuoteEscapeCharacter") is not None:
        csv.quote_escape = _char(options["QuoteEscapeCharacter"])
    if options.get("Comments") is not None:
        csv.comments = _char(options["Comments"])
    csv.quoted_record_delimiter = bool(options.get("AllowQuotedRecordDelimiter"))
    return csv


def _output(serialization: dict) -> CsvOutput | JsonOutput:
    kind = _one_format(serialization, ("CSV", "JSON"))
    options = serialization[kind] or {}
    if kind == "JSON":
        out = JsonOutput()
        if options.get("RecordDelimiter") is not None:
            out.record_delimiter = _char(options["RecordDelimiter"], 2)
        return out
    out = CsvOutput()
    if options.get("QuoteFields") is not None:
        if str(options["QuoteFields"]).upper() not in ("ALWAYS", "ASNEEDED"):
            raise errors.invalid_quote_fields()
        out.quote_fields = str(options["QuoteFields"]).upper()
    if options.get("RecordDelimiter") is not None:
        out.record_delimiter = _char(options["RecordDelimiter"], 2)
    if options.get("FieldDelimiter") is not None:
        out.field_delimiter = _char(options["FieldDelimiter"])
    if options.get("QuoteCharacter") is not None:
        out.quote = _char(options["QuoteCharacter"])
        out.quote_escape = out.quote
    if options.get("QuoteEscapeCharacter") is not None:
        out.quote_escape = _char(options["QuoteEscapeCharacter"])
    return out


def _scan_range(request: SelectRequest, scan: dict) -> None:
    """ScanRange: uncompressed CSV (without quoted record delimiters), JSON LINES, and Parquet
    (by row group), as the S3 User Guide lists; a given range must name a start or an end."""
    start, end = scan.get("Start"), scan.get("End")
    if start is None and end is None:
        raise errors.invalid_scan_range()
    unsupported = (request.compression != "NONE"
                   or (request.input_kind == "json" and request.json_type != "LINES")
                   or (request.input_kind == "csv" and request.csv.quoted_record_delimiter))
    if unsupported:
        raise errors.unsupported_scan_range()
    try:
        start = None if start is None else int(start)
        end = None if end is None else int(end)
    except (TypeError, ValueError):
        raise errors.invalid_scan_range() from None
    if (start is not None and start < 0) or (end is not None and end < 0) or (
            start is not None and end is not None and start > end):
        raise errors.invalid_scan_range()
    request.scan_start, request.scan_end = start, end


def parse_select(params: dict) -> SelectRequest:
    """The request's SelectRequest members (``Expression``, ``ExpressionType``,
    ``InputSerialization``, ``OutputSerialization``, ``RequestProgress``, ``ScanRange``)."""
    expression = params.get("Expression")
    if not expression:
        raise errors.missing_parameter()
    expression_type = params.get("ExpressionType")
    if not expression_type:
        raise errors.missing_parameter()
    if str(expression_type).upper() != "SQL":
        raise errors.invalid_expression_type()
    if len(expression.encode("utf-8", "surrogatepass")) > MAX_EXPRESSION_BYTES:
        raise errors.expression_too_long()
    source = params.get("InputSerialization")
    if not isinstance(source, dict):
        raise errors.missing_parameter()
    kind = _one_format(source, ("CSV", "JSON", "Parquet"))
    request = SelectRequest(expression=expression, input_kind=kind.lower())
    compression = str(source.get("CompressionType") or "NONE").upper()
    if compression not in COMPRESSIONS or (kind == "Parquet" and compression != "NONE"):
        # Parquet compresses its columns itself; S3 Select takes no whole-object compression for it
        raise errors.invalid_compression()
    request.compression = compression
    options = source[kind] or {}
    if kind == "CSV":
        request.csv = _csv_input(options)
    elif kind == "JSON":
        json_type = str(options.get("Type") or "DOCUMENT").upper()
        if json_type not in ("DOCUMENT", "LINES"):
            raise errors.invalid_json_type()
        request.json_type = json_type
    destination = params.get("OutputSerialization")
    if not isinstance(destination, dict):
        raise errors.missing_parameter()
    request.output = _output(destination)
    request.progress = bool((params.get("RequestProgress") or {}).get("Enabled"))
    if params.get("ScanRange") is not None:
        _scan_range(request, params["ScanRange"] or {})
    return request
