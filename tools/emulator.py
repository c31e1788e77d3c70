"""The AWS emulator the tests run: moto's server, with DynamoDB requests handled one at a time.

moto's server answers each request on its own thread, and its DynamoDB checks a
ConditionExpression and writes the item as two steps with no lock between them. Two
conditional PutItems on one key that arrive together can then both succeed, which DynamoDB
itself never allows (a conditional write is atomic per item; PutItem in the DynamoDB API
Reference). gofn's exactly-once claims rest on that guarantee, so the emulator must keep it.
Only DynamoDB is serialised: an SQS long poll holds its request open for seconds, and must not
hold every other service up with it.

Usage: python tools/emulator.py HOST PORT
"""

import sys
import threading

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


class DynamoDBOneAtATime:
    """WSGI middleware: DynamoDB requests reach the app one at a time, their answers included."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            # The body is read inside the lock: a lazy iterable would otherwise run the
            # backend's work after the lock was let go.
            return list(self.app(environ, start_response))


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, DynamoDBOneAtATime(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
