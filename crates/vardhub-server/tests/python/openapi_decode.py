"""Decode a compressed HTTP body: openapi_decode.py ENCODING IN OUT (gzip, br or zstd).

The stream decoders of pyarrow (gzip, brotli, zstd), independent of the server's encoders;
writes the decoded bytes to OUT and prints their length.
"""

import sys

import pyarrow as pa

CODECS = {"gzip": "gzip", "br": "brotli", "zstd": "zstd"}


def main() -> None:
    encoding, src, dst = sys.argv[1:4]
    with open(src, "rb") as f:
        body = f.read()
    decoded = pa.CompressedInputStream(pa.BufferReader(body), CODECS[encoding]).read()
    with open(dst, "wb") as f:
        f.write(decoded)
    print(len(decoded))


if __name__ == "__main__":
    main()
