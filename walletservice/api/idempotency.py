"""The Idempotency-Key header of integrator POSTs, for every API at once (api.registry).

A POST that carries the header runs once per key: a retry with the same key and the
same request gets the first answer again (status, body, Location, Content-Type...)
with `Idempotent-Replayed: true`, for 24 hours. The rules and the storage are in
services.idempotency; this module reads the request and renders the answer.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request

from walletservice.services import idempotency

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Headers of the first answer that describe that moment or that connection, not the answer.
_FORM_MIMETYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_NOT_REPLAYED = frozenset({"date", "content-length", "set-cookie", "server", "connection"})


class IdempotentCall:
    """One POST that sent an Idempotency-Key, read before its body is parsed (which
    consumes the body) and run after, so a request refused by validation holds no key."""

    def __init__(self, organization_id: str, key: str) -> None:
        self.organization_id = organization_id
        self.key = idempotency.KeyDigests.of(idempotency.check_key(key), current_app.config["WALLET_SECRET_KEY"])
        self.request_digest = idempotency.fingerprint(
            request.method.encode(), request.path.encode(), request.query_string, *_body_parts())

    @classmethod
    def for_request(cls, organization_id: str | None) -> IdempotentCall | None:
        key = request.headers.get(HEADER)
        if key is None or organization_id is None:
            return None
        return cls(organization_id, key)

    def answer(self, view: Callable[[], Response]) -> Response:
        outcome = idempotency.claim(self.organization_id, request.endpoint or request.path, self.key,
                                    self.request_digest)
        if isinstance(outcome, idempotency.StoredAnswer):
            return _replay(outcome)
        try:
            response = _rendered(view)
        except BaseException:
            idempotency.release(outcome)  # a crash of the handler: the next try runs again
            raise
        if response.status_code >= 500:
            idempotency.release(outcome)
        else:  # 4xx answers are kept and replayed too, as Stripe does (docs/idempotency-and-etags.md)
            headers = {name: value for name, value in response.headers.items() if name.lower() not in _NOT_REPLAYED}
            idempotency.complete(outcome, response.status_code, headers, response.get_data())
        return response


def _body_parts() -> list[bytes]:
    """The body as compared between tries: a form by its fields and files, since a
    multipart boundary is new on every try; anything else by its bytes (get_data caches
    them, so the parsers that run next read the same bytes)."""
    if request.mimetype not in _FORM_MIMETYPES:
        return [request.get_data(cache=True)]
    parts = []
    # A multipart part may come without a name (None), and text with lone surrogates.
    for name, value in sorted(request.form.items(multi=True), key=lambda item: (item[0] or "", item[1] or "")):
        parts += [b"field", _utf8(name), _utf8(value)]
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0] or ""):
        parts += [b"file", _utf8(name), _utf8(upload.filename), upload.stream.read()]
        upload.stream.seek(0)  # the view reads it again
    return parts


def _utf8(text: str | None) -> bytes:
    return (text or "").encode("utf-8", "surrogatepass")


def _rendered(view: Callable[[], Response]) -> Response:
    """The view's answer, its domain and HTTP errors rendered by the API's own handlers,
    so a 4xx answer can be stored as the client sees it. Other exceptions propagate."""
    try:
        return view()
    except Exception as exc:  # noqa: BLE001 - handle_user_exception re-raises what no handler renders
        return current_app.make_response(current_app.handle_user_exception(exc))


def _replay(answer: idempotency.StoredAnswer) -> Response:
    response = Response(answer.body, status=answer.status)
    response.headers.clear()
    for name, value in answer.headers.items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response
