"""What a container listens on, from its /proc/net/tcp and tcp6, and what the launcher says
when the app does not answer through the published port."""

from __future__ import annotations

from launcher.core.listening import ListeningSocket, parse_proc_net_tcp, reason
from launcher.core.project_warning import ProjectWarning
from launcher.core.readiness import ProbeFailure

# `cat /proc/net/tcp /proc/net/tcp6` in a container whose app runs `app.run()` (127.0.0.1
# port 5000), with one connection to it and a second server on [::]:8000.
TABLES = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
   1: 0100007F:1388 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 2 1
  sl  local_address                         remote_address                        st tx_queue
   0: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 0:0 0 0
   1: 00000000000000000000000001000000:1389 00000000000000000000000000000000:0000 0A 0:0 0 0
"""
RUN_LOCALHOST = ProjectWarning("run-localhost", "app.run() without host=\"0.0.0.0\" …",
                               "hello.py", 7)


def test_the_listening_sockets_are_read_from_both_tables():
    assert parse_proc_net_tcp(TABLES) == [ListeningSocket("127.0.0.1", 5000),
                                          ListeningSocket("::", 8000),
                                          ListeningSocket("::1", 5001)]


def test_an_app_on_127_0_0_1_is_told_so_whether_the_engine_refused_closed_or_dropped():
    sockets = parse_proc_net_tcp(TABLES)
    for failure in (ProbeFailure.REFUSED, ProbeFailure.CLOSED, ProbeFailure.UNANSWERED):
        said = reason(failure, 5000, sockets, RUN_LOCALHOST, None)
        assert said.why == ("it listens on 127.0.0.1 port 5000 inside the container, an "
                            "address only the container itself can reach")
        assert said.hint == ('Make it listen on 0.0.0.0 (every address) instead: '
                             'app.run(host="0.0.0.0") at hello.py:7.')


def test_an_app_on_another_port_is_told_which():
    said = reason(ProbeFailure.REFUSED, 5002, [ListeningSocket("0.0.0.0", 8000)], None,
                  "FLASK_RUN_PORT in .env")
    assert said.why == "nothing in the container listens on port 5002; it listens on 8000"
    assert said.hint == ("Make it listen on 0.0.0.0 port 5002 (the port from FLASK_RUN_PORT "
                         "in .env).")


def test_without_a_look_inside_the_sentence_is_true_on_either_engine():
    refused = reason(ProbeFailure.REFUSED, 5000, None, None, None)
    assert refused.why == ("the published port refuses connections: nothing in the container "
                           "takes them on port 5000")
    assert refused.hint == ("Check that it listens on 0.0.0.0 port 5000, the port the "
                            "Dockerfile EXPOSEs.")
    closed = reason(ProbeFailure.CLOSED, 5000, [], None, None)
    assert closed.why.startswith("the engine accepted each connection and closed it")
