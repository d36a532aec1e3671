#!/usr/bin/env bash
# Resolves the Kafka broker's jars into $KASKADE_CACHE/kafka-<version>-<pom hash>/libs (idempotent) and prints that directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
cache="${KASKADE_CACHE:-$HOME/.cache/kaskade}"
# The directory is keyed by the pom's content too, so that a changed dependency list is resolved afresh.
pomhash=$(sha256sum "$here/pom.xml" | cut -c1-8)
dir="$cache/kafka-$version-$pomhash"
mkdir -p "$cache"
# Two first runs at once (parallel test workers, the CLI beside a test run) must not fetch into the same directory.
exec 9>"$cache/.kafka-$version.lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
  command -v mvn >/dev/null || { echo "[kafka] Maven (mvn) is required to fetch Apache Kafka $version" >&2; exit 1; }
  command -v java >/dev/null || { echo "[kafka] Java 17+ is required to run Apache Kafka $version" >&2; exit 1; }
  echo "[kafka] resolving Apache Kafka $version from Maven Central into $dir (first run: about a minute)" >&2
  rm -rf "$dir"
  mkdir -p "$dir/libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/libs" >&2
  echo "$version" > "$dir/version"
  touch "$dir/.complete"
fi
echo "$dir"
