"""One package per AWS service; each has a ``provider.py`` with a ``Provider`` class."""

# botocore service name -> package under overcast.services holding provider.py
IMPLEMENTED = {
    "cloudwatch": "cloudwatch",
    "ec2": "ec2",
    "events": "events",
    "iam": "iam",
    "kms": "kms",
    "lambda": "awslambda",
    "logs": "logs",
    "s3": "s3",
    "scheduler": "scheduler",
    "sns": "sns",
    "sqs": "sqs",
    "sts": "sts",
    "xray": "xray",
}
