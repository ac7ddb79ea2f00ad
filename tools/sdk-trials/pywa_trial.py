#!/usr/bin/env python3
"""pywa (PyPI `pywa`, tested with 4.5.0) trial against the wacart sandbox.

SETUP (tools/sdk-trials/run.sh does it in target/sdk-trials):
    python3 -m venv venv && venv/bin/pip install "pywa[server]"      # server extra = starlette + uvicorn

ENVIRONMENT
    BASE_URL      sandbox root, e.g. http://127.0.0.1:8080   (http:// is fine; the /vNN.N prefix is added)
    API_VERSION   Graph version used in paths (default: pywa's default, 26.0 in pywa 4.5.0) -> /v26.0/...
    TOKEN         access token (sent as "Authorization: Bearer TOKEN")
    PHONE_ID      business phone-number id (path /{PHONE_ID}/messages, /{PHONE_ID}/media).
                  Webhooks whose value.metadata.phone_number_id differs are silently DROPPED by pywa
                  (filter_updates=True) unless FILTER_UPDATES=0.
    TO            customer number (wa_id) or BSUID ("US.123...") for the send actions
    APP_SECRET    app secret: X-Hub-Signature-256 is verified (validate_updates=True)
    VERIFY_TOKEN  webhook verify token for the GET handshake
    WEBHOOK_PORT  port of the webhook receiver on 127.0.0.1 (path "/", or WEBHOOK_PATH)
    CATALOG_ID    default catalog for send_product/send_products (optional)

USAGE
    venv/bin/python pywa_trial.py serve                       # webhook receiver (blocks); JSON lines on stdout
    venv/bin/python pywa_trial.py send_text [TEXT]
    venv/bin/python pywa_trial.py reply MSG_ID TEXT           # send with context.message_id
    venv/bin/python pywa_trial.py mark_read MSG_ID
    venv/bin/python pywa_trial.py typing MSG_ID               # mark read + typing_indicator {"type":"text"}
    venv/bin/python pywa_trial.py react MSG_ID EMOJI          # EMOJI "" removes the reaction
    venv/bin/python pywa_trial.py send_buttons
    venv/bin/python pywa_trial.py send_list
    venv/bin/python pywa_trial.py send_product CATALOG RETAILER_ID
    venv/bin/python pywa_trial.py send_products CATALOG RETAILER_ID [RETAILER_ID ...]
    venv/bin/python pywa_trial.py send_catalog [THUMBNAIL_RETAILER_ID]
    venv/bin/python pywa_trial.py upload_media FILE [MIME]
    venv/bin/python pywa_trial.py get_media_url MEDIA_ID
    venv/bin/python pywa_trial.py download_media URL [OUT_DIR]
    venv/bin/python pywa_trial.py delete_media MEDIA_ID [--phone]   # --phone adds ?phone_number_id=
    venv/bin/python pywa_trial.py send_image_by_id MEDIA_ID [CAPTION]
    venv/bin/python pywa_trial.py phone_info
    venv/bin/python pywa_trial.py selftest_webhook            # POST signed sample webhooks to the running `serve`

Every action prints JSON lines: {"event":"http",...} for each request/response on the wire, then
{"event":"result",...} or {"event":"error",...}.  `serve` prints {"event":"webhook",...} per parsed update,
{"event":"raw_update",...} per received body and {"event":"pywa_log",...} when pywa fails to parse an update
(pywa answers 200 BEFORE parsing, so parse failures are only visible in these log lines).

BASE URL: pywa 4.5.0 has NO base_url option. GraphAPI.__init__ hard-codes
    session.base_url = f"https://graph.facebook.com/v{api_version}"      (pywa/api.py:41)
so after constructing WhatsApp(...) this script re-points the httpx client:
    wa.api._session.base_url = f"{BASE_URL}/v{API_VERSION}"
Media download URLs (from GET /{media_id}) are absolute, fetched with the same session (Authorization
header included, redirects followed), so any host/scheme works.

GOTCHAS (see /tmp/research/sdks.md):
  * media ids must be all digits: pywa treats a non-digit string as a path / base64 / URL and
    (for base64-looking strings) re-UPLOADS it. send_image_by_id wraps non-digit ids in a Media object.
  * Only entry[0].changes[0].messages[0] / statuses[0] of a webhook body is dispatched.
  * Message/CallbackButton/CallbackSelection need value.contacts[0].user_id (BSUID);
    MessageStatus needs value.contacts[0] to exist (user_id optional).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import hmac
import json
import logging
import os
import pathlib
import sys
import time
import traceback

import httpx
import pywa
from pywa import WhatsApp, utils
from pywa.types import (
    Button,
    CallbackButton,
    CallbackSelection,
    Message,
    MessageStatus,
    ProductsSection,
    Section,
    SectionList,
    SectionRow,
)
from pywa.types.media import Media

# ------------------------------------------------------------------ helpers


def env(name: str, default: str | None = None, required: bool = True) -> str | None:
    v = os.environ.get(name, default)
    if required and not v:
        sys.exit(f"missing env var {name} (see header of {__file__})")
    return v


def jsonable(o, depth=0):
    """Best-effort conversion of pywa objects to JSON-friendly data."""
    if depth > 6:
        return repr(o)
    if o is None or isinstance(o, (str, int, float, bool)):
        return o
    if isinstance(o, bytes):
        return {"bytes": len(o), "head": o[:32].hex()}
    if isinstance(o, enum.Enum):
        return o.value
    if isinstance(o, (datetime.datetime, datetime.date)):
        return o.isoformat()
    if isinstance(o, pathlib.Path):
        return str(o)
    if isinstance(o, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in o.items()}
    if isinstance(o, (list, tuple, set)):
        return [jsonable(v, depth + 1) for v in o]
    if dataclasses.is_dataclass(o):
        out = {}
        for f in dataclasses.fields(o):
            if f.name.startswith("_") or f.name in ("raw",):
                continue
            out[f.name] = jsonable(getattr(o, f.name, None), depth + 1)
        return out
    if hasattr(o, "__dict__"):
        return {k: jsonable(v, depth + 1) for k, v in vars(o).items() if not k.startswith("_")}
    return repr(o)


def emit(event: str, **kw) -> None:
    print(json.dumps({"event": event, "ts": time.time(), **kw}, ensure_ascii=False, default=repr), flush=True)


def user_fields(u) -> dict:
    """All identity fields pywa exposes on a (webhook) user: BSUID etc."""
    if u is None:
        return {}
    return {
        "bsuid": getattr(u, "bsuid", None),  # contacts[0].user_id
        "wa_id": getattr(u, "wa_id", None),  # contacts[0].wa_id
        "username": getattr(u, "username", None),  # contacts[0].profile.username
        "parent_bsuid": getattr(u, "parent_bsuid", None),  # contacts[0].parent_user_id
        "name": getattr(u, "name", None),  # contacts[0].profile.name
        "identity_key_hash": getattr(u, "identity_key_hash", None),
    }


# ------------------------------------------------------------------ client


def http_hooks():
    def on_request(req: httpx.Request):
        ct = req.headers.get("content-type", "")
        body = None
        if "json" in ct:
            try:
                body = json.loads(req.content)
            except Exception:
                body = req.content[:500].decode("latin1")
        elif "multipart" in ct:
            try:
                body = req.content[:600].decode("latin1")  # not available for streamed bodies
            except httpx.RequestNotRead:
                body = "<streamed multipart>"
        emit(
            "http",
            dir="request",
            method=req.method,
            url=str(req.url),
            headers={k: v for k, v in req.headers.items() if k.lower() in ("authorization", "content-type", "user-agent")},
            body=body,
        )

    def on_response(res: httpx.Response):
        ct = res.headers.get("content-type", "")
        body = None
        if "json" in ct or "text" in ct:
            res.read()
            try:
                body = res.json()
            except Exception:
                body = res.text[:500]
        emit("http", dir="response", status=res.status_code, url=str(res.request.url), content_type=ct, body=body)

    return {"request": [on_request], "response": [on_response]}


def make_client(for_server: bool = False) -> WhatsApp:
    base_url = env("BASE_URL").rstrip("/")
    api_version = env("API_VERSION", str(utils.Version.GRAPH_API), required=False)
    kwargs = dict(
        phone_id=env("PHONE_ID"),
        token=env("TOKEN"),
        session=httpx.Client(event_hooks=http_hooks(), timeout=30),
        api_version=api_version,
        waba_id=os.environ.get("WABA_ID") or None,  # if set, webhooks for other WABAs (entry[0].id) are dropped
    )
    if for_server:
        kwargs.update(
            verify_token=env("VERIFY_TOKEN"),
            app_secret=env("APP_SECRET"),
            validate_updates=True,
            webhook_endpoint=os.environ.get("WEBHOOK_PATH", "/"),
            filter_updates=os.environ.get("FILTER_UPDATES", "1") != "0",
            skip_duplicate_updates=os.environ.get("SKIP_DUPLICATES", "1") != "0",
        )
    wa = WhatsApp(**kwargs)
    # ---- the base-URL patch (pywa has no option for it; see header) ----
    wa.api._session.base_url = f"{base_url}/v{float(api_version)}"
    return wa


# ------------------------------------------------------------------ webhook receiver


class JsonLogHandler(logging.Handler):
    """Turns pywa WARNING+ log records (e.g. 'Failed to construct update' + KeyError) into JSON lines."""

    def emit(self, record: logging.LogRecord) -> None:
        exc = None
        if record.exc_info and record.exc_info[1] is not None:
            exc = {
                "type": type(record.exc_info[1]).__name__,
                "message": str(record.exc_info[1]),
                "where": traceback.format_tb(record.exc_info[2])[-1].strip() if record.exc_info[2] else None,
            }
        emit("pywa_log", level=record.levelname, logger=record.name, message=record.getMessage(), exception=exc)


def serve() -> None:
    wa = make_client(for_server=True)
    port = int(env("WEBHOOK_PORT"))

    @wa.on_raw_update()
    def _raw(_: WhatsApp, u):
        try:
            value = u.value
            summary = {
                "field": u.field,
                "waba_id": u.id,
                "keys": list(value),
                "n_messages": len(value.get("messages", [])),
                "n_statuses": len(value.get("statuses", [])),
                "n_contacts": len(value.get("contacts", [])),
            }
        except Exception as e:  # noqa: BLE001
            summary = {"unparseable": repr(e)}
        emit("raw_update", hmac_header=u.hmac_header, summary=summary, body=dict(u))

    @wa.on_message()
    def _msg(_: WhatsApp, m: Message):
        emit(
            "webhook",
            kind="Message",
            type=jsonable(m.type),
            id=m.id,
            waba_id=m.waba_id,
            phone_number_id=m.metadata.phone_number_id,
            timestamp=jsonable(m.timestamp),
            chat_id=m.chat.id,
            from_user=user_fields(m.from_user),
            text=m.text,
            reply_to=jsonable(m.reply_to_message),
            order=jsonable(m.order),
            order_total=(m.order.total_price if m.order else None),
            reaction=jsonable(m.reaction),
            media=jsonable(m.media),
            location=jsonable(m.location),
            error=(str(m.error) if m.error else None),
            forwarded=m.forwarded,
        )

    @wa.on_message_status()
    def _status(_: WhatsApp, s: MessageStatus):
        emit(
            "webhook",
            kind="MessageStatus",
            id=s.id,
            status=jsonable(s.status),
            waba_id=s.waba_id,
            phone_number_id=s.metadata.phone_number_id,
            timestamp=jsonable(s.timestamp),
            from_user=user_fields(s.from_user),
            tracker=jsonable(s.tracker),
            pricing=jsonable(s.pricing),
            conversation=jsonable(s.conversation),
            error=({"code": s.error.code, "message": s.error.message, "details": s.error.details, "class": type(s.error).__name__} if s.error else None),
        )

    @wa.on_callback_button()
    def _btn(_: WhatsApp, b: CallbackButton):
        emit(
            "webhook",
            kind="CallbackButton",
            id=b.id,
            type=jsonable(b.type),
            data=jsonable(b.data),
            title=b.title,
            from_user=user_fields(b.from_user),
            reply_to=jsonable(b.reply_to_message),
            phone_number_id=b.metadata.phone_number_id,
        )

    @wa.on_callback_selection()
    def _sel(_: WhatsApp, s: CallbackSelection):
        emit(
            "webhook",
            kind="CallbackSelection",
            id=s.id,
            data=jsonable(s.data),
            title=s.title,
            description=s.description,
            from_user=user_fields(s.from_user),
            reply_to=jsonable(s.reply_to_message),
            phone_number_id=s.metadata.phone_number_id,
        )

    emit(
        "serve",
        pywa=pywa.__version__,
        listen=f"http://127.0.0.1:{port}{os.environ.get('WEBHOOK_PATH', '/')}",
        api_base=str(wa.api._session.base_url),
    )
    wa.run(host="127.0.0.1", port=port, log_level=os.environ.get("PYWA_LOG_LEVEL", "info"))


def install_json_logging() -> None:
    h = JsonLogHandler(level=logging.WARNING)
    logging.getLogger("pywa").addHandler(h)
    logging.getLogger("uvicorn.error").addHandler(h)


# ------------------------------------------------------------------ self test of the receiver


def selftest_webhook() -> None:
    """Sends signed Meta-shaped (2026 BSUID) webhooks to the running `serve` receiver."""
    port = int(env("WEBHOOK_PORT"))
    secret = env("APP_SECRET").encode()
    vt = env("VERIFY_TOKEN")
    phone = env("PHONE_ID")
    waba = os.environ.get("WABA_ID") or "WABA_TEST"
    url = f"http://127.0.0.1:{port}{os.environ.get('WEBHOOK_PATH', '/')}"
    bsuid, wa_id = "US.13491208655302741918", "15551234567"

    def envlp(value):
        return {"object": "whatsapp_business_account", "entry": [{"id": waba, "changes": [{"field": "messages", "value": value}]}]}

    meta = {"display_phone_number": "15550000000", "phone_number_id": phone}
    contact = {"profile": {"name": "Alice", "username": "alice"}, "wa_id": wa_id, "user_id": bsuid}

    def msg(typ, body, ctx=None):
        m = {"from": wa_id, "from_user_id": bsuid, "id": f"wamid.SELF{time.time_ns()}", "timestamp": str(int(time.time())), "type": typ, typ: body}
        if ctx:
            m["context"] = ctx
        return envlp({"messaging_product": "whatsapp", "metadata": meta, "contacts": [contact], "messages": [m]})

    ctx = {"from": "15550000000", "id": "wamid.OUT"}
    samples = {
        "text": msg("text", {"body": "héllo 👋"}),
        "button_reply": msg("interactive", {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}, ctx),
        "list_reply": msg("interactive", {"type": "list_reply", "list_reply": {"id": "r1", "title": "Row 1"}}, ctx),
        "order": msg("order", {"catalog_id": "CAT", "product_items": [{"product_retailer_id": "SKU1", "quantity": 2, "item_price": 12.99, "currency": "USD"}]}),
        "status_bsuid": envlp(
            {
                "messaging_product": "whatsapp",
                "metadata": meta,
                "contacts": [{"wa_id": wa_id, "user_id": bsuid}],
                "statuses": [{"id": "wamid.OUT", "status": "delivered", "timestamp": str(int(time.time())), "recipient_id": wa_id, "recipient_user_id": bsuid}],
            }
        ),
        "status_legacy_no_contacts (pywa fails: KeyError contacts)": envlp(
            {
                "messaging_product": "whatsapp",
                "metadata": meta,
                "statuses": [{"id": "wamid.OUT", "status": "read", "timestamp": str(int(time.time())), "recipient_id": wa_id}],
            }
        ),
    }
    with httpx.Client(timeout=10) as c:
        r = c.get(url, params={"hub.mode": "subscribe", "hub.verify_token": vt, "hub.challenge": "12345"})
        emit("selftest", step="GET handshake", status=r.status_code, body=r.text)
        r = c.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "12345"})
        emit("selftest", step="GET handshake wrong token", status=r.status_code, body=r.text)
        for name, payload in samples.items():
            # Meta escapes non-ASCII (\uXXXX); sign the exact bytes sent.
            body = json.dumps(payload, ensure_ascii=True).encode()
            sig = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
            r = c.post(url, content=body, headers={"content-type": "application/json", utils.HUB_SIG: sig})
            emit("selftest", step=f"POST {name}", status=r.status_code, body=r.text)
        body = json.dumps(samples["text"]).encode()
        r = c.post(url, content=body, headers={"content-type": "application/json", utils.HUB_SIG: "sha256=" + "0" * 64})
        emit("selftest", step="POST bad signature", status=r.status_code, body=r.text)
        r = c.post(url, content=body, headers={"content-type": "application/json"})
        emit("selftest", step="POST no signature", status=r.status_code, body=r.text)


# ------------------------------------------------------------------ actions


def run_action(action: str, args: list[str]) -> None:
    wa = make_client()
    to = os.environ.get("TO")

    def need_to():
        if not to:
            sys.exit("TO env var required for this action")
        return to

    def arg(i, name):
        if len(args) <= i:
            sys.exit(f"{action}: missing argument {name}")
        return args[i]

    if action == "send_text":
        return wa.send_message(to=need_to(), text=args[0] if args else "Hello from pywa trial")
    if action == "reply":
        return wa.send_message(to=need_to(), text=arg(1, "TEXT"), reply_to_message_id=arg(0, "MSG_ID"))
    if action == "mark_read":
        return wa.mark_message_as_read(arg(0, "MSG_ID"))
    if action == "typing":
        return wa.indicate_typing(arg(0, "MSG_ID"))
    if action == "react":
        emoji = arg(1, "EMOJI")
        if emoji == "":
            return wa.remove_reaction(to=need_to(), message_id=arg(0, "MSG_ID"))
        return wa.send_reaction(to=need_to(), emoji=emoji, message_id=arg(0, "MSG_ID"))
    if action == "send_buttons":
        return wa.send_message(
            to=need_to(),
            text="Pick one",
            header="pywa buttons",
            footer="footer",
            buttons=[Button(title="Yes", callback_data="btn_yes"), Button(title="No", callback_data="btn_no")],
        )
    if action == "send_list":
        return wa.send_message(
            to=need_to(),
            text="Choose from the list",
            header="pywa list",
            footer="footer",
            buttons=SectionList(
                button_title="Open menu",
                sections=[
                    Section(
                        title="Section 1",
                        rows=[
                            SectionRow(title="Row 1", callback_data="row_1", description="first row"),
                            SectionRow(title="Row 2", callback_data="row_2"),
                        ],
                    )
                ],
            ),
        )
    if action == "send_product":
        return wa.send_product(to=need_to(), catalog_id=arg(0, "CATALOG"), sku=arg(1, "RETAILER_ID"), body="Look at this product")
    if action == "send_products":
        skus = args[1:] or sys.exit("send_products CATALOG RETAILER_ID [RETAILER_ID ...]")
        return wa.send_products(
            to=need_to(),
            catalog_id=arg(0, "CATALOG"),
            product_sections=[ProductsSection(title="Products", skus=skus)],
            title="Our products",
            body="Pick something",
            footer="footer",
        )
    if action == "send_catalog":
        return wa.send_catalog(to=need_to(), body="Browse our catalog", footer="footer", thumbnail_product_sku=args[0] if args else None)
    if action == "upload_media":
        path = pathlib.Path(arg(0, "FILE"))
        return wa.upload_media(media=path, mime_type=args[1] if len(args) > 1 else None)
    if action == "get_media_url":
        return wa.get_media_url(arg(0, "MEDIA_ID"))
    if action == "download_media":
        out = pathlib.Path(args[1]) if len(args) > 1 else pathlib.Path("/tmp/pywa_downloads")
        out.mkdir(parents=True, exist_ok=True)
        p = wa.download_media(url=arg(0, "URL"), path=out)
        data = p.read_bytes()
        return {"path": str(p), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if action == "delete_media":
        if "--phone" in args:
            return wa.delete_media(arg(0, "MEDIA_ID"), phone_id=None)  # None => client's phone id => ?phone_number_id=
        return wa.delete_media(arg(0, "MEDIA_ID"))
    if action == "send_image_by_id":
        mid = arg(0, "MEDIA_ID")
        # pywa only recognises all-digit strings as media ids; wrap anything else in a Media object
        image = mid if mid.isdigit() else Media(_client=wa, _id=mid, filename=None, uploaded_to=wa.phone_id)
        return wa.send_image(to=need_to(), image=image, caption=args[1] if len(args) > 1 else "image by id")
    if action == "phone_info":
        return wa.get_business_phone_number()
    sys.exit(f"unknown action {action!r}; see the header of {__file__}")


def main() -> None:
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    action, args = sys.argv[1], sys.argv[2:]
    install_json_logging()
    if action == "serve":
        return serve()
    if action == "selftest_webhook":
        return selftest_webhook()
    try:
        res = run_action(action, args)
        emit("result", action=action, ok=True, type=type(res).__name__, result=jsonable(res))
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001
        extra = {}
        for attr in ("code", "subcode", "status_code", "details", "fbtrace_id", "raw"):
            if hasattr(e, attr):
                try:
                    extra[attr] = jsonable(getattr(e, attr))
                except Exception:  # noqa: BLE001
                    pass
        emit("error", action=action, ok=False, error_type=type(e).__name__, error=str(e), **extra, traceback=traceback.format_exc(limit=4))
        sys.exit(1)


if __name__ == "__main__":
    main()
