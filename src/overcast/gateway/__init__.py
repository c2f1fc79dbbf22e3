"""The HTTP edge: one ASGI app that routes every request to its service and protocol."""
