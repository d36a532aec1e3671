#!/bin/sh
# Compiles and runs the conformance tool against Kafka Streams 4.3.1 (see README.md). Arguments: case names.
set -e
cd "$(dirname "$0")"
mkdir -p target/classes
[ -f target/classpath.txt ] || mvn -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP="$(cat target/classpath.txt)"
javac -nowarn -d target/classes -cp "$CP" src/main/java/conformance/*.java
exec java -cp "target/classes:$CP" conformance.Main "$@"
