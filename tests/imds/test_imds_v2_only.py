"""A server started with ``--imds-v2-only`` (or OVERCAST_IMDS_V1=false) refuses tokenless GETs."""

from __future__ import annotations

import pytest
from imds_helpers import TOKEN, imds, text, token
from serverproc import ServerProcess


@pytest.fixture(scope="module", params=["flag", "env"])
def v2_server(request, tmp_path_factory):
    data = str(tmp_path_factory.mktemp("imds-v2"))
    if request.param == "flag":
        proc = ServerProcess(data, "--imds-v2-only")
    else:
        proc = ServerProcess(data, env={"OVERCAST_IMDS_V1": "false"})
    proc.start()
    yield proc
    proc.stop()


def test_tokenless_get_is_401(v2_server):
    assert imds(v2_server, "/latest/meta-data/instance-id")[0] == 401
    assert text(v2_server, "/latest/meta-data/instance-id", headers={TOKEN: token(v2_server)}) == "i-00000000000000000"


def test_port_zero_disables_imds(tmp_path):
    proc = ServerProcess(str(tmp_path), "--imds-port", "0").start()
    try:
        assert "instance metadata on" not in "".join(proc.output)
        with pytest.raises(OSError):
            imds(proc, "/latest/meta-data/")
    finally:
        proc.stop()
