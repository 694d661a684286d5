"""The browser tests' static server: quiet about a connection the browser closed, loud about the rest."""

import http.server

from browser_support import QuietServer


def _report(server, error):
    try:
        raise error
    except type(error):
        server.handle_error(None, ("127.0.0.1", 1))


def test_a_closed_connection_prints_nothing_and_a_real_error_its_traceback(capsys):
    server = QuietServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    try:
        _report(server, BrokenPipeError(32, "Broken pipe"))
        _report(server, ConnectionResetError(104, "Connection reset by peer"))
        assert capsys.readouterr().err == ""
        _report(server, ValueError("a real bug"))
        assert "ValueError: a real bug" in capsys.readouterr().err
    finally:
        server.server_close()
