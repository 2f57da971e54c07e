"""braid's S3 storage against a real S3 server (S3Proxy 4.1.0, SigV4 enforced): the FileSystem
operations through test/tools/s3_tool, a wrong secret, a server restart during a write, and
`braid join` into an s3:// warehouse read back by pyiceberg."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from braid_cli import REPO, EmbeddedBroker, binary, run
from s3_fixture import S3Proxy, s3proxy_libs

BUCKET = "braid-it"
ROW_COLUMNS = ["user_id", "session_id", "action_type", "page_url", "purchase_amount", "product_id",
               "device_type", "event_timestamp"]


def tool_path() -> str:
    return str(Path(binary()).parent / "tests" / "s3_tool")


@pytest.fixture(scope="module")
def s3():
    if not (s3proxy_libs() / "s3proxy-4.1.0.jar").exists():
        pytest.fail(f"no S3Proxy jars in {s3proxy_libs()}: run test/peers/setup.sh")
    with S3Proxy() as server:
        server.create_bucket(BUCKET)
        yield server


def tool(server: S3Proxy, *args: str, check: bool = True, env: dict | None = None, timeout: float = 120):
    proc = subprocess.run([tool_path(), *args], capture_output=True, timeout=timeout,
                          env=env or server.env())
    if check and proc.returncode != 0:
        raise AssertionError(f"s3_tool {args} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


def loc(*parts: str) -> str:
    return "/".join([f"s3://{BUCKET}", *parts])


def test_put_get_range_size_exists_delete(s3):
    base = f"ops-{uuid.uuid4().hex[:8]}"
    tool(s3, "put", loc(base, "dir", "a b+c.txt"), "hello, object store")
    assert tool(s3, "get", loc(base, "dir", "a b+c.txt")).stdout == b"hello, object store"
    # s3a:// reads as s3://.
    assert tool(s3, "range", f"s3a://{BUCKET}/{base}/dir/a b+c.txt", "7", "6").stdout == b"object"
    assert tool(s3, "size", loc(base, "dir", "a b+c.txt")).stdout == b"19\n"
    assert tool(s3, "exists", loc(base, "dir", "a b+c.txt")).stdout == b"true\n"
    assert tool(s3, "exists", loc(base, "dir")).stdout == b"true\n"  # a prefix with objects
    assert tool(s3, "exists", loc(base, "nothing")).stdout == b"false\n"
    body = s3.client().get_object(Bucket=BUCKET, Key=f"{base}/dir/a b+c.txt")["Body"].read()
    assert body == b"hello, object store"
    listing = tool(s3, "list", loc(base)).stdout.decode().splitlines()
    assert listing == ["dir\tdir\t0"]
    missing = tool(s3, "get", loc(base, "missing"), check=False)
    assert missing.returncode == 1 and b"not found" in missing.stderr
    tool(s3, "delete", loc(base, "dir", "a b+c.txt"))
    tool(s3, "delete", loc(base, "dir", "a b+c.txt"))  # deleting a missing object is fine
    assert tool(s3, "exists", loc(base, "dir", "a b+c.txt")).stdout == b"false\n"


def test_list_pages_past_1000_keys_and_deletes_recursively(s3):
    base = f"many-{uuid.uuid4().hex[:8]}"
    tool(s3, "put-many", loc(base), "1005", timeout=600)
    tool(s3, "put", loc(base, "sub", "x"), "1")
    lines = tool(s3, "list", loc(base)).stdout.decode().splitlines()
    assert len(lines) == 1006
    assert lines[0] == "k00000\tfile\t1" and lines[1004] == "k01004\tfile\t1" and lines[-1] == "sub\tdir\t0"
    tool(s3, "rmr", loc(base), timeout=600)
    assert s3.client().list_objects_v2(Bucket=BUCKET, Prefix=base + "/")["KeyCount"] == 0


def test_multipart_upload_of_a_40_mib_file(s3, tmp_path):
    data = os.urandom(40 << 20)
    local = tmp_path / "big.bin"
    local.write_bytes(data)
    key = f"big-{uuid.uuid4().hex[:8]}/big.bin"
    proc = tool(s3, "upload", loc(key), str(local))
    assert b"retries=0" in proc.stderr
    head = s3.client().head_object(Bucket=BUCKET, Key=key)
    assert head["ContentLength"] == len(data)
    assert head["ETag"].strip('"').endswith("-5"), head["ETag"]  # 5 parts of 8 MiB
    got = s3.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    assert tool(s3, "size", loc(key)).stdout == f"{len(data)}\n".encode()
    # No multipart upload is left open.
    assert not s3.client().list_multipart_uploads(Bucket=BUCKET).get("Uploads")


def test_exclusive_create_and_probe(s3):
    target = loc(f"excl-{uuid.uuid4().hex[:8]}", "v1.metadata.json")
    assert tool(s3, "create", target, "first").stdout == b"created\n"
    second = tool(s3, "create", target, "second", check=False)
    assert second.returncode == 1 and b"already exists" in second.stderr
    assert tool(s3, "get", target).stdout == b"first"
    # S3Proxy 4.1.0 honours If-None-Match: the probe says so and leaves nothing behind.
    assert tool(s3, "probe", loc("probe-dir")).stdout == b"true\n"
    assert s3.client().list_objects_v2(Bucket=BUCKET, Prefix="probe-dir/")["KeyCount"] == 0


def test_wrong_secret_is_one_line_naming_the_bucket_without_the_secret(s3):
    wrong = "WrongSecret-" + uuid.uuid4().hex
    env = {**s3.env(), "AWS_SECRET_ACCESS_KEY": wrong}
    proc = tool(s3, "put", loc("denied.txt"), "x", check=False, env=env)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 1
    assert (f"access denied to s3 bucket {BUCKET} at {s3.endpoint} "
            "(check s3.access-key-id / s3.secret-access-key)") in out
    assert "retries=0" in out  # a 403 is not retried
    assert wrong not in out and s3.secret_key not in out
    # The same through braid itself.
    res = run("join", "--bootstrap", "127.0.0.1:1", "--catalog-property", f"warehouse=s3://{BUCKET}/wh",
              "--catalog-property", f"s3.endpoint={s3.endpoint}",
              "--catalog-property", f"s3.access-key-id={s3.access_key}",
              "--catalog-property", f"s3.secret-access-key={wrong}", check=False, timeout=60)
    assert res.returncode != 0
    assert f"access denied to s3 bucket {BUCKET}" in res.stderr
    assert wrong not in res.stdout + res.stderr


def test_write_survives_a_server_restart_while_retrying(tmp_path):
    with S3Proxy() as server:
        server.create_bucket(BUCKET)
        server.stop()
        proc = subprocess.Popen([tool_path(), "--attempts", "12", "--base-delay-ms", "300",
                                 "--max-delay-ms", "1500", "put", loc("restart.txt"), "after restart"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=server.env())
        time.sleep(2.0)
        assert proc.poll() is None, "the write gave up while the server was down"
        server.start()
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        retries = int(err.decode().split("retries=")[1].split()[0])
        assert retries >= 1
        body = server.client().get_object(Bucket=BUCKET, Key="restart.txt")["Body"].read()
        assert body == b"after restart"
        # With the server gone for good, the write fails with one retriable line naming it.
        server.stop()
        gone = subprocess.run([tool_path(), "--attempts", "3", "--base-delay-ms", "10", "put",
                               loc("never.txt"), "x"], capture_output=True, env=server.env(), timeout=60)
        assert gone.returncode == 1
        line = gone.stderr.decode().strip().splitlines()[-1]
        assert f"cannot reach the S3 endpoint {server.endpoint} after 3 attempts" in line


def s3_catalog_args(server: S3Proxy, prefix: str) -> list[str]:
    args = []
    for k, v in server.properties(BUCKET, prefix).items():
        args += ["--catalog-property", f"{k}={v}"]
    return args


def read_with_pyiceberg(metadata_location: str, props: dict) -> list[tuple]:
    from pyiceberg.table import StaticTable
    table = StaticTable.from_metadata(metadata_location, properties=props)
    arrow = table.scan(selected_fields=tuple(ROW_COLUMNS)).to_arrow()
    rows = arrow.to_pylist()
    return sorted(tuple(str(r[c]) for c in ROW_COLUMNS) for r in rows)


def test_braid_join_into_an_s3_warehouse_reads_back_with_pyiceberg(s3, tmp_path):
    prefix = f"wh-{uuid.uuid4().hex[:8]}"
    broker = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", broker.bootstrap, "--events", "300", "--seed", "7",
            "--malformed-fraction", "0.02")
        out = run("join", "--bootstrap", broker.bootstrap, *s3_catalog_args(s3, prefix),
                  "--until-caught-up", "--pipeline-id", "s3", cwd=tmp_path).stdout
        assert "rows committed" in out
        # The same input into a local warehouse: the reference.
        run("join", "--bootstrap", broker.bootstrap, "--warehouse", str(tmp_path / "local"),
            "--until-caught-up", "--pipeline-id", "local", cwd=tmp_path)
    finally:
        broker.stop()
    assert not (tmp_path / "s3:").exists() and not (tmp_path / "s3").exists()
    assert not (REPO / "s3:").exists()

    keys = [o["Key"] for o in s3.client().list_objects_v2(
        Bucket=BUCKET, Prefix=f"{prefix}/demo/unified_activity/")["Contents"]]
    assert any(k.endswith(".parquet") and "/data/" in k for k in keys)
    hint = s3.client().get_object(Bucket=BUCKET, Key=f"{prefix}/demo/unified_activity/metadata/version-hint.text")
    version = hint["Body"].read().decode().strip()
    meta = f"s3://{BUCKET}/{prefix}/demo/unified_activity/metadata/v{version}.metadata.json"
    props = {k: v for k, v in s3.properties(BUCKET, prefix).items() if k != "warehouse"}
    props["py-io-impl"] = "pyiceberg.io.pyarrow.PyArrowFileIO"
    s3_rows = read_with_pyiceberg(meta, props)
    local_meta = tmp_path / "local" / "demo" / "unified_activity" / "metadata"
    local_version = (local_meta / "version-hint.text").read_text().strip()
    local_rows = read_with_pyiceberg(str(local_meta / f"v{local_version}.metadata.json"), {})
    assert len(s3_rows) > 50
    assert s3_rows == local_rows


def test_mistyped_s3_warehouse_is_refused_and_never_local(s3, tmp_path):
    res = run("join", "--bootstrap", "127.0.0.1:1", "--catalog-property", f"warehouse=s3:/{BUCKET}/wh",
              check=False, cwd=tmp_path, timeout=60)
    assert res.returncode != 0
    assert f"s3:/{BUCKET}/wh" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())


def test_braid_sql_reads_s3_tables_directly_and_by_download(s3, tmp_path):
    prefix = f"sql-{uuid.uuid4().hex[:8]}"
    args = s3_catalog_args(s3, prefix)
    broker = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", broker.bootstrap, "--events", "300", "--seed", "11")
        run("join", "--bootstrap", broker.bootstrap, *args, "--until-caught-up", cwd=tmp_path)
        run("join", "--bootstrap", broker.bootstrap, "--warehouse", str(tmp_path / "local"),
            "--until-caught-up", cwd=tmp_path)
    finally:
        broker.stop()
    query = ("SELECT count(*) AS n, count(DISTINCT user_id) AS users, round(sum(purchase_amount), 2) AS total "
             "FROM demo.unified_activity")
    expected = json.loads(run("sql", "--warehouse", str(tmp_path / "local"), "--format", "json", query).stdout)
    assert expected[0]["n"] > 50
    for mode in ("direct", "download", "auto"):
        res = run("sql", *args, "--remote-read", mode, "--format", "json", query)
        assert json.loads(res.stdout) == expected, mode
        assert s3.secret_key not in res.stdout + res.stderr
    # Direct reads need DuckDB's httpfs extension: without it, one line saying what to run.
    env = {**os.environ, "BRAID_DUCKDB_EXTENSION_DIR": str(tmp_path / "no-extensions")}
    missing = run("sql", *args, "--remote-read", "direct", "SELECT * FROM demo.unified_activity", check=False,
                  env=env)
    assert missing.returncode != 0
    assert "httpfs extension is missing" in missing.stderr and "scripts/setup.sh" in missing.stderr
    # auto falls back to downloading.
    fallback = run("sql", *args, "--format", "json", query, env=env)
    assert json.loads(fallback.stdout) == expected


def test_moto_also_honours_if_none_match():
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {**os.environ, "AWS_ENDPOINT_URL_S3": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "motokey",
               "AWS_SECRET_ACCESS_KEY": "motosecret", "AWS_REGION": "us-east-1"}
        import boto3
        boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL_S3"], aws_access_key_id="motokey",
                     aws_secret_access_key="motosecret", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        probe = subprocess.run([tool_path(), "probe", loc("wh")], capture_output=True, env=env, timeout=60)
        assert probe.returncode == 0, probe.stderr.decode()
        assert probe.stdout == b"true\n"
        first = subprocess.run([tool_path(), "create", loc("wh", "v1.metadata.json"), "a"], capture_output=True,
                               env=env, timeout=60)
        again = subprocess.run([tool_path(), "create", loc("wh", "v1.metadata.json"), "b"], capture_output=True,
                               env=env, timeout=60)
        assert first.returncode == 0 and again.returncode == 1 and b"already exists" in again.stderr
    finally:
        server.stop()
