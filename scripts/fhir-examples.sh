#!/usr/bin/env bash
# Fetches HL7's official FHIR R4 examples (npm package hl7.fhir.r4.examples) into
# target/fhir-examples/package for the FHIR reader's robustness test, once; prints the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=target/fhir-examples
if [ ! -d "$DIR/package" ]; then
  mkdir -p "$DIR"
  ( cd "$DIR" && npm pack --silent hl7.fhir.r4.examples@4.0.1 >/dev/null && tar xzf hl7.fhir.r4.examples-4.0.1.tgz && rm hl7.fhir.r4.examples-4.0.1.tgz )
fi
echo "$PWD/$DIR/package"
