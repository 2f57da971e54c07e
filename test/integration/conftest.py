"""Shared pytest fixtures for braid's integration tests.

Prerequisite: test/peers/setup.sh (Kafka jars + venv); run pytest with
``${BRAID_CACHE:-.cache}/venv/bin/pytest test/integration``.
"""

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kafka_fixture import KafkaBroker, kafka_libs  # noqa: E402


@pytest.fixture(scope="session")
def kafka():
    """One real single-node KRaft broker for the whole test session."""
    if not list(kafka_libs().glob("kafka_2.13-*.jar")):
        pytest.fail(f"no Kafka jars in {kafka_libs()}: run test/peers/setup.sh")
    broker = KafkaBroker()
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def new_topic(kafka):
    """Factory: new_topic(partitions=3, prefix="t") -> name of a fresh topic."""

    def make(partitions: int = 3, prefix: str = "t", config: dict | None = None) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        return kafka.create_topic(name, partitions=partitions, config=config)

    return make


def pytest_configure(config):
    config.addinivalue_line("markers", "spark: needs PySpark and the Iceberg Spark runtime (make test-spark)")
    # kafka-python 3.0 loads its protocol schemas through the deprecated
    # importlib.resources.read_text/open_text: ~200 warnings per run.
    config.addinivalue_line(
        "filterwarnings",
        r"ignore:(read_text|open_text) is deprecated:DeprecationWarning")
