"""The EC2 instance metadata service (IMDS), served on its own port beside the AWS endpoint."""
