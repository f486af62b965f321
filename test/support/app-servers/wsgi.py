"""The smallest WSGI application: `ok` to every request (gunicorn's compatibility test)."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
