#!/usr/bin/env bash
# A local Spark Connect server for trying and testing the Lake source: `make spark-server` / `make spark-server-stop`.
# The server side (the `pyspark` package, whose wheel carries Spark's jars and the Spark Connect server) is installed
# from PyPI into .spark/, apart from the dashboard's venv, which holds only the thin client (`pyspark-client`).
# Java 17 comes from the OS (Debian: openjdk-17-jre-headless).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=$(sed -n 's/^pyspark==\([0-9.]*\).*/\1/p' requirements-spark-server.txt)
ROOT=.spark
TARGET="$ROOT/pyspark-$VERSION"
PID_FILE="$ROOT/connect-server.pid"
LOG="$ROOT/connect-server.log"
HOST=127.0.0.1
PORT=${SPARK_CONNECT_PORT:-15002}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}

running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

listening() { "$PYTHON" -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('$HOST',$PORT)))"; }

start() {
  if running; then echo "Spark Connect server already running (pid $(cat "$PID_FILE")) on sc://$HOST:$PORT"; return 0; fi
  command -v java >/dev/null 2>&1 || { echo "Java 17 is needed for the local Spark server: apt-get install openjdk-17-jre-headless"; exit 1; }
  if [ ! -x "$TARGET/pyspark/bin/spark-submit" ]; then
    echo "Installing the Spark server side (pyspark $VERSION, about 450 MB) into $TARGET"
    mkdir -p "$ROOT"
    "$PYTHON" -m pip install --quiet --no-deps --target "$TARGET.tmp" -r requirements-spark-server.txt
    rm -rf "$TARGET" && mv "$TARGET.tmp" "$TARGET"
  fi
  export SPARK_HOME="$PWD/$TARGET/pyspark" SPARK_LOCAL_IP=$HOST SPARK_PID_DIR="$PWD/$ROOT" SPARK_LOG_DIR="$PWD/$ROOT"
  # Bounded: two cores and one JVM of at most SPARK_DRIVER_MEMORY (driver and executors share it in local mode).
  # SPARK_SERVER_JAVA_OPTIONS adds JVM options: .ci/run gives -XX:TieredStopAtLevel=1, as the tests' many small queries
  # cost more in the JIT's optimising compiler than they gain from it (the default keeps it, for large lakes).
  setsid nohup "$SPARK_HOME/bin/spark-submit" \
    --class org.apache.spark.sql.connect.service.SparkConnectServer \
    --name "Spark Connect server (azure usage dashboard)" \
    --master 'local[2]' \
    --driver-memory "${SPARK_DRIVER_MEMORY:-2g}" \
    --conf spark.connect.grpc.binding.address=$HOST \
    --conf spark.connect.grpc.binding.port="$PORT" \
    --conf spark.ui.enabled=false \
    --conf spark.sql.shuffle.partitions=4 \
    --conf spark.sql.session.timeZone=UTC \
    --conf "spark.driver.extraJavaOptions=-Duser.timezone=UTC -Dderby.system.home=$PWD/$ROOT ${SPARK_SERVER_JAVA_OPTIONS:-}" \
    --conf spark.sql.warehouse.dir="$PWD/$ROOT/warehouse" \
    spark-internal >"$LOG" 2>&1 < /dev/null &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 180); do
    if listening; then echo "Spark Connect server listening on sc://$HOST:$PORT (pid $(cat "$PID_FILE"), log $LOG)"; return 0; fi
    if ! running; then echo "The Spark Connect server stopped while starting; last lines of $LOG:"; tail -20 "$LOG"; rm -f "$PID_FILE"; exit 1; fi
    sleep 1
  done
  echo "The Spark Connect server did not listen on $HOST:$PORT within 180 s; see $LOG"; exit 1
}

stop() {
  if ! running; then echo "No Spark Connect server of this project is running"; rm -f "$PID_FILE"; return 0; fi
  pid=$(cat "$PID_FILE")
  kill "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  rm -f "$PID_FILE"
  echo "Stopped the Spark Connect server (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop"; exit 2 ;;
esac
