"""S3 Select (SelectObjectContent) and Glacier Select (RestoreObject of type SELECT).

``sql/`` is the engine (the S3 Select dialect over batches of records). Around it:
``request.py`` checks a request as S3 does, ``source.py`` reads the object (decrypted,
decompressed, cut to a ScanRange), ``csv_input.py`` / ``json_input.py`` / ``parquet_input.py``
turn its bytes into batches, ``output.py`` writes the records back as CSV or JSON,
``events.py`` frames them as the response's event stream, ``pipeline.py`` joins these for
one query, ``operation.py`` is the S3 operation and ``glacier.py`` the restore that runs a
query.
"""
