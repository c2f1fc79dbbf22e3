"""AWS X-Ray: trace ingestion (API and daemon), queries, groups, sampling."""
