"""One local Spark session for every Spark test: starting one costs several seconds.

The session also serves Spark Connect on a free local port, so a test can run the
command in a separate process (a Spark Connect client needs no JVM) against it.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def spark_connect_port() -> int:
    return _free_port()


@pytest.fixture(scope="session")
def spark(spark_connect_port: int) -> Iterator[SparkSession]:
    """A real local[2] session, small and quiet; riskcheck's Spark engine reuses the active one."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark local mode needs a Java runtime (scripts/install-system-deps.sh installs one)")
    from riskcheck.fairness.spark import _quiet_pyspark

    remote = os.environ.pop("SPARK_REMOTE", None)
    with _quiet_pyspark():
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master("local[2]")
            .appName("riskcheck tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.driver.memory", "512m")
            .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
            .config("spark.connect.grpc.binding.address", "127.0.0.1")
            .config("spark.connect.grpc.binding.port", str(spark_connect_port))
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if remote is not None:
        os.environ["SPARK_REMOTE"] = remote
