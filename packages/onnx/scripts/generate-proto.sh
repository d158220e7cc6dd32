#!/usr/bin/env bash
# Regenerate src/gen/onnx_pb.ts from proto/onnx.proto (ONNX 1.12, IR version 8, opsets up to 17+).
# proto/onnx.proto is upstream's file as Debian ships it in libonnx-dev 1.12.0 (apt-get download
# libonnx-dev; dpkg-deb -x; usr/include/onnx/onnx.proto). `buf` comes from the @bufbuild/buf npm
# package and runs the local protoc-gen-es plugin: no protoc and no network needed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
rm -rf src/gen
buf generate
echo "generated: $(ls src/gen)"
