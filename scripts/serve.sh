#!/usr/bin/env bash
# Builds the server if needed and starts it on the bundled model, models/captcha-resnet-int8.onnx
# (the float models/captcha-resnet.onnx on x86 CPUs without 8-bit dot-product instructions)
# (port 50051 unless --port is given; --model models/captcha-resnet.onnx serves the float file).
# Extra arguments go to the server: scripts/serve.sh --help lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=server/target/captcha-server.jar
if [[ ! -f $jar || -n $(find server/src proto/src server/pom.xml pom.xml -newer "$jar" -print -quit) ]]; then
  ./mvnw -B -ntp -q -DskipTests -pl server -am install
fi
exec java -jar "$jar" "$@"
