"""AWS Lambda (package named awslambda: ``lambda`` is a Python keyword)."""
