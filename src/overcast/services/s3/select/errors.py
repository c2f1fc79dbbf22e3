"""The request errors of SelectObjectContent, with the texts of S3's list of SELECT Object
Content error codes (S3 API Reference, "Error responses")."""

from __future__ import annotations

from overcast.errors import AwsError


def select_error(code: str, message: str, status: int = 400) -> AwsError:
    return AwsError(code, message, status)


def missing_parameter() -> AwsError:
    return select_error("MissingRequiredParameter", "The SelectRequest entity is missing a required parameter. "
                                                    "Check the service documentation and try again.")


def invalid_parameter() -> AwsError:
    return select_error("InvalidRequestParameter", "The value of a parameter in SelectRequest element is invalid. "
                                                   "Check the service API documentation and try again.")


def invalid_expression_type() -> AwsError:
    return select_error("InvalidExpressionType",
                        "The ExpressionType is invalid. Only SQL expressions are supported at this time.")


def expression_too_long() -> AwsError:
    return select_error("ExpressionTooLong", "The SQL expression is too long: The maximum byte-length for the SQL "
                                             "expression is 256 KB.")


def serialization_conflict() -> AwsError:
    return select_error("ObjectSerializationConflict", "The SelectRequest entity can only contain one of CSV, JSON or "
                                                       "Parquet. Check the service documentation and try again.")


def invalid_compression() -> AwsError:
    return select_error("InvalidCompressionFormat", "The file is not in a supported compression format. Only GZIP "
                                                    "and BZIP2 are supported.")


def invalid_file_header_info() -> AwsError:
    return select_error("InvalidFileHeaderInfo",
                        "The FileHeaderInfo is invalid. Only NONE, USE, and IGNORE are supported.")


def invalid_json_type() -> AwsError:
    return select_error("InvalidJsonType", "The JsonType is invalid. Only DOCUMENT and LINES are supported at this "
                                           "time.")


def invalid_quote_fields() -> AwsError:
    return select_error("InvalidQuoteFields", "The QuoteFields is invalid. Only ALWAYS and ASNEEDED are supported.")


def unsupported_scan_range() -> AwsError:
    return select_error("UnsupportedScanRangeInput", "Scan range queries are not supported on this type of object.")


def invalid_scan_range() -> AwsError:
    return select_error("InvalidScanRange", "The provided scan range is invalid. Check the service documentation "
                                            "and try again.")


def csv_parsing_error() -> AwsError:
    return select_error("CSVParsingError", "Encountered an error parsing the CSV file. Check the file and try again.")


def json_parsing_error() -> AwsError:
    return select_error("JSONParsingError", "Encountered an error parsing the JSON file. Check the file and try "
                                            "again.")


def invalid_text_encoding() -> AwsError:
    return select_error("InvalidTextEncoding", "Invalid encoding type. Only UTF-8 encoding is supported at this time.")


def over_max_record_size() -> AwsError:
    return select_error("OverMaxRecordSize", "The length of a record in the input or result is greater than "
                                             "maxCharsPerRecord of 1 MB.")


def invalid_compression_data() -> AwsError:
    # a GZIP/BZIP2 request over bytes that are not: S3 cannot decompress them
    return select_error("InvalidCompressionFormat", "The file is not in a supported compression format. Only GZIP "
                                                    "and BZIP2 are supported.")


def parquet_error() -> AwsError:
    return select_error("ParquetParsingError", "Encountered an error parsing the Parquet file. Check the file and "
                                               "try again.")


def internal_error() -> AwsError:
    return AwsError("InternalError", "We encountered an internal error. Please try again.", 500, sender_fault=False)
