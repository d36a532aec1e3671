#!/usr/bin/env bash
# Builds the schema registry (Apicurio Registry, see pom.xml) into $KASKADE_CACHE/apicurio-registry-<version>-<hash>
# (idempotent) and prints that directory; its runner jar is kaskade-schema-registry-1-runner.jar beside lib/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=$(sed -n 's:.*<apicurio.version>\(.*\)</apicurio.version>.*:\1:p' "$here/pom.xml")
cache="${KASKADE_CACHE:-$HOME/.cache/kaskade}"
# Keyed by the recipe's content, so that a changed pom or producer is built afresh.
hash=$(cat "$here/pom.xml" $(find "$here/src" -type f | sort) | sha256sum | cut -c1-8)
dir="$cache/apicurio-registry-$version-$hash"
mkdir -p "$cache"
# Two first runs at once (parallel test workers, setup beside a test run) must not build into the same directory.
exec 9>"$cache/.apicurio-registry-$version.lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
  command -v mvn >/dev/null || { echo "[schema-registry] Maven (mvn) is required to build Apicurio Registry $version" >&2; exit 1; }
  command -v java >/dev/null || { echo "[schema-registry] Java 17+ is required to run Apicurio Registry $version" >&2; exit 1; }
  echo "[schema-registry] building Apicurio Registry $version from Maven Central into $dir (first run: a few minutes)" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -r "$here/pom.xml" "$here/src" "$work/"
  mvn -q -B -f "$work/pom.xml" package -DskipTests >&2
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -r "$work/target/kaskade-schema-registry-1-runner.jar" "$work/target/lib" "$dir/"
  echo "$version" > "$dir/version"
  touch "$dir/.complete"
fi
echo "$dir"
