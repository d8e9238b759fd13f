"""The log-flood benchmark's app: GET / answers at once; GET /flood?lines=N&tag=T answers,
then prints N numbered lines to stdout as fast as Python can write them."""

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FILLER = "lorem ipsum dolor sit amet, consectetur adipiscing elit"
BATCH = 1000


def line(tag, number, count):
    return f"{tag} line {number:06d} of {count}: {FILLER}"


def flood(tag, count):
    write = sys.stdout.write
    for start in range(0, count, BATCH):
        write("".join(line(tag, i, count) + "\n" for i in range(start, min(start + BATCH, count))))
    sys.stdout.flush()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        body = b"flood ready\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if url.path == "/flood":
            query = parse_qs(url.query)
            flood(query["tag"][0], int(query["lines"][0]))

    def log_message(self, *args):
        pass  # only the flood goes to the log


if __name__ == "__main__":
    print("flood app listening on 0.0.0.0:5000", flush=True)
    ThreadingHTTPServer(("0.0.0.0", 5000), Handler).serve_forever()
