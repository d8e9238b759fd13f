"""What the app's last lines say: its last exception, and a service it could not reach."""

from __future__ import annotations

import pytest

from launcher.core.log_causes import last_exception_line, missing_service

TRACEBACK = """\
[2026-11-29 10:00:00,000] ERROR in app: Exception on / [GET]
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/flask/app.py", line 1511, in wsgi_app
    response = self.full_dispatch_request()
  File "/app/app.py", line 7, in index
    return str(1 / 0)
               ~~^~~
ZeroDivisionError: division by zero
127.0.0.1 - - [29/Nov/2026 10:00:00] "GET / HTTP/1.1" 500 -
""".splitlines()


def test_the_last_exception_is_the_end_of_the_last_traceback() -> None:
    assert last_exception_line(TRACEBACK) == "ZeroDivisionError: division by zero"
    assert last_exception_line(["Running on http://0.0.0.0:5000"]) is None


@pytest.mark.parametrize(("line", "what", "address"), [
    ("redis.exceptions.ConnectionError: Error -2 connecting to redis:6379. Name or service "
     "not known.", "redis", "redis:6379"),
    ('psycopg2.OperationalError: could not translate host name "db" to address: Name or '
     "service not known", "postgres", "db"),
    ('sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at '
     '"localhost" (127.0.0.1), port 5432 failed: Connection refused', "postgres", "localhost:5432"),
    ("pymysql.err.OperationalError: (2003, \"Can't connect to MySQL server on 'mysql' "
     "([Errno -2] Name or service not known)\")", "mysql", "mysql"),
])
def test_a_service_the_app_cannot_reach_is_named_with_its_address(
        line: str, what: str, address: str) -> None:
    found = missing_service(["Traceback (most recent call last):", "  ...", line])

    assert found is not None and (found.what, found.address) == (what, address)


def test_no_connection_error_names_no_service() -> None:
    assert missing_service(TRACEBACK) is None
