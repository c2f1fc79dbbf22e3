"""The X-Ray daemon's two doors on one port: UDP for segment documents (``udp.py``) and TCP
for the SDKs' centralized sampling calls (``sampling_proxy.py``); ``listener.py`` runs both."""
