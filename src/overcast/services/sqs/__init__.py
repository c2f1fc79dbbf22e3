"""Amazon SQS: standard and FIFO queues, over the JSON and the query protocols."""
