#!/usr/bin/env python3
"""A minimal OTLP/HTTP receiver for bench/run.sh: keeps one histogram's data points from MailIngest's metric exports.

    otlp.py PORT_FILE OUT METRIC   listen on a free loopback port (written to PORT_FILE), answer every POST with
                                   200, and append each data point of METRIC to OUT as a line
                                   "TIME_UNIX_NANO MAILBOX STATUS TEMPORALITY COUNT SUM" (temporality 1 delta,
                                   2 cumulative), until killed

MailIngest exports OTLP over HTTP with protobuf bodies (docs/operations.md, "Telemetry"); this decodes just the
path to histogram data points (ExportMetricsServiceRequest > ResourceMetrics > ScopeMetrics > Metric > Histogram >
HistogramDataPoint) with the protobuf wire format, so the bench needs no collector and no Python package.
"""
import gzip
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def varint(buf, i):
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def fields(buf):
    """(field number, value) of each field of one message: ints, 8- or 4-byte strings, or nested bytes."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            length, i = varint(buf, i)
            value, i = buf[i:i + length], i + length
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"protobuf wire type {wire} is not expected in OTLP")
        yield number, value


def children(buf, number):
    return [value for n, value in fields(buf) if n == number]


def attributes(point):
    found = {}
    for pair in children(point, 9):                      # HistogramDataPoint.attributes: KeyValue
        key = children(pair, 1)[0].decode()
        strings = [s for any_value in children(pair, 2) for s in children(any_value, 1)]  # AnyValue.string_value
        found[key] = strings[0].decode() if strings else ""
    return found


def points(body, metric):
    for resource in children(body, 1):                   # ResourceMetrics
        for scope in children(resource, 2):              # ScopeMetrics
            for item in children(scope, 2):              # Metric
                if children(item, 1)[0].decode() != metric:
                    continue
                for histogram in children(item, 9):      # Histogram
                    temporality = (children(histogram, 2) or [0])[0]
                    for point in children(histogram, 1):  # HistogramDataPoint
                        tags = attributes(point)
                        (time,) = struct.unpack("<Q", children(point, 3)[0])
                        (count,) = struct.unpack("<Q", children(point, 4)[0])
                        (total,) = struct.unpack("<d", (children(point, 5) or [b"\0" * 8])[0])
                        yield time, tags.get("mailbox", ""), tags.get("status", ""), temporality, count, total


def main():
    port_file, out, metric = sys.argv[1:4]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path.endswith("/v1/metrics"):
                with open(out, "a") as f:
                    for point in points(body, metric):
                        f.write("\t".join(str(v) for v in point) + "\n")
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
