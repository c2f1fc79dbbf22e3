"""botocore's service models, loaded once, and a small catalog of every service's metadata.

The catalog (signing name, target prefix, protocols... of all ~400 services) lets the gateway
name a service Overcast does not implement without loading every model on the hot path. It is
built from botocore's data once per botocore version and cached on disk.
"""

from __future__ import annotations

import functools
import json
import os
import threading

import botocore
import botocore.session
from botocore.model import ServiceModel

_session_lock = threading.Lock()
# Bump when the catalog's fields change, so an old cache file is not read.
_CATALOG_FORMAT = 2


@functools.lru_cache(maxsize=1)
def _session():
    return botocore.session.get_session()


@functools.lru_cache(maxsize=None)
def service_model(name: str) -> ServiceModel:
    """botocore's model of service ``name`` ("sqs", "s3"...), loaded once."""
    with _session_lock:
        return _session().get_service_model(name)


def available_services() -> list[str]:
    return _session().get_component("data_loader").list_available_services("service-2")


def _catalog_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "overcast", f"catalog-v{_CATALOG_FORMAT}-botocore-{botocore.__version__}.json")


def _build_catalog() -> dict[str, dict]:
    loader = _session().get_component("data_loader")
    catalog = {}
    for name in available_services():
        md = loader.load_service_model(name, "service-2")["metadata"]
        catalog[name] = {
            "signingName": md.get("signingName") or md.get("endpointPrefix") or name,
            "endpointPrefix": md.get("endpointPrefix", name),
            "targetPrefix": md.get("targetPrefix"),
            "protocols": md.get("protocols") or [md["protocol"]],
            "serviceId": md.get("serviceId", name),
            "jsonVersion": md.get("jsonVersion"),
            "apiVersion": md.get("apiVersion"),
        }
    return catalog


_catalog: dict[str, dict] | None = None
_catalog_lock = threading.Lock()


def catalog() -> dict[str, dict]:
    """Metadata of every service botocore knows, by service name (cached on disk)."""
    global _catalog
    if _catalog is not None:
        return _catalog
    with _catalog_lock:
        if _catalog is None:
            path = _catalog_path()
            try:
                with open(path) as f:
                    _catalog = json.load(f)
            except (OSError, ValueError):
                _catalog = _build_catalog()
                try:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    tmp = f"{path}.{os.getpid()}.tmp"
                    with open(tmp, "w") as f:
                        json.dump(_catalog, f)
                    os.replace(tmp, path)
                except OSError:
                    pass  # a read-only home only costs the rebuild next time
    return _catalog
