#!/usr/bin/env node
/*
 * whatsapp-api-js (npm, tested with 6.3.0) trial against the wacart sandbox.
 *
 * SETUP (tools/sdk-trials/run.sh does it in target/sdk-trials): npm install whatsapp-api-js in ./node
 * The package is resolved from ./node/node_modules beside this file.
 *
 * ENVIRONMENT
 *   BASE_URL      sandbox root, e.g. http://127.0.0.1:8080  (http:// fine)
 *   API_VERSION   e.g. v23.0 or 23.0 (default v24.0 = the library default) -> paths /v24.0/...
 *   TOKEN         access token ("Authorization: Bearer TOKEN")
 *   PHONE_ID      business phone-number id
 *   TO            customer wa_id, or a BSUID like US.1234 (sent as "recipient" instead of "to")
 *   APP_SECRET    app secret (X-Hub-Signature-256 verified; secure mode)
 *   VERIFY_TOKEN  webhook verify token (GET handshake)
 *   WEBHOOK_PORT  receiver port on 127.0.0.1 (any path is accepted)
 *
 * USAGE
 *   node wajs_trial.mjs serve                          # webhook receiver (blocks); JSON lines on stdout
 *   node wajs_trial.mjs send_text [TEXT]
 *   node wajs_trial.mjs reply MSG_ID TEXT              # context.message_id
 *   node wajs_trial.mjs mark_read MSG_ID
 *   node wajs_trial.mjs typing MSG_ID                  # mark read + typing_indicator {"type":"text"}
 *   node wajs_trial.mjs react MSG_ID EMOJI             # single Extended_Pictographic emoji, or "" to remove
 *   node wajs_trial.mjs send_buttons
 *   node wajs_trial.mjs send_list
 *   node wajs_trial.mjs send_product CATALOG RETAILER_ID
 *   node wajs_trial.mjs send_products CATALOG RETAILER_ID [RETAILER_ID ...]
 *   node wajs_trial.mjs send_catalog [THUMBNAIL_RETAILER_ID]
 *   node wajs_trial.mjs upload_media FILE [MIME] [--nocheck]   # multipart field "file" only (library docs)
 *   node wajs_trial.mjs get_media_url MEDIA_ID [--phone]       # --phone adds ?phone_number_id=
 *   node wajs_trial.mjs download_media URL [OUT_FILE]
 *   node wajs_trial.mjs delete_media MEDIA_ID [--phone]
 *   node wajs_trial.mjs send_image_by_id MEDIA_ID [CAPTION]
 *   node wajs_trial.mjs phone_info                     # not an SDK method: raw $$apiFetch$$ GET /{PHONE_ID}
 *   node wajs_trial.mjs selftest_webhook               # POST signed sample webhooks to the running `serve`
 *
 * BASE URL: whatsapp-api-js has NO host/base-URL option: every endpoint is a hard-coded template
 * literal `https://graph.facebook.com/${this.v}/...` (lib/index.js, e.g. line 154). The documented
 * hook used here is the constructor's `ponyfill.fetch`: all API calls go through
 * `$$apiFetch$$` -> `this.fetch(url, {...options, headers: {Authorization, ...}})`, so a wrapper fetch
 * rewrites the "https://graph.facebook.com" prefix to BASE_URL (and logs each request/response).
 * fetchMedia(url) passes a URL object with the absolute URL from retrieveMedia: left untouched.
 *
 * Note: API responses are NOT checked for HTTP status: getBody() just returns `await res.json()`,
 * so a Graph error comes back as a resolved {"error": {...}} object (printed as the result).
 */
import { createServer } from "node:http";
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, extname } from "node:path";

// Resolve the package from ./node/node_modules regardless of cwd (override with WAJS_PKG_DIR).
const pkgDir = process.env.WAJS_PKG_DIR
  ? new URL(`file://${process.env.WAJS_PKG_DIR.replace(/\/?$/, "/")}`)
  : new URL("./node/node_modules/whatsapp-api-js/", import.meta.url);
const { WhatsAppAPI: NodeHttpWhatsAppAPI } = await import(new URL("lib/middleware/node-http.js", pkgDir));
const M = await import(new URL("lib/messages/index.js", pkgDir));
const PKG = JSON.parse(readFileSync(new URL("package.json", pkgDir), "utf8"));

const {
  Text, Interactive, ActionButtons, Button, ActionList, ListSection, Row, Body, Header, Footer,
  ActionProduct, ActionProductList, ProductSection, Product, CatalogProduct, ActionCatalog, Reaction, Image
} = M;

// ------------------------------------------------------------------ helpers
const emit = (event, obj = {}) => console.log(JSON.stringify({ event, ts: Date.now() / 1000, ...obj }));
function env(name, def, required = true) {
  const v = process.env[name] ?? def;
  if (required && !v) { console.error(`missing env var ${name} (see header of wajs_trial.mjs)`); process.exit(2); }
  return v;
}
const GRAPH = "https://graph.facebook.com";

function rewritingFetch(baseUrl) {
  return async (input, init = {}) => {
    let url = input instanceof URL ? input.href : typeof input === "string" ? input : input.url;
    if (url.startsWith(GRAPH)) url = baseUrl + url.slice(GRAPH.length);
    let body;
    if (typeof init.body === "string") { try { body = JSON.parse(init.body); } catch { body = init.body; } }
    else if (init.body instanceof FormData) {
      body = {};
      for (const [k, v] of init.body.entries()) body[k] = typeof v === "string" ? v : `<file name=${v.name} type=${v.type} size=${v.size}>`;
    }
    emit("http", { dir: "request", method: init.method ?? "GET", url, headers: init.headers, body });
    let res;
    try { res = await fetch(url, init); }
    catch (e) { emit("http", { dir: "error", url, error: String(e), cause: String(e?.cause ?? "") }); throw e; }
    const ct = res.headers.get("content-type") ?? "";
    let rbody;
    if (ct.includes("json") || ct.includes("text")) {
      const t = await res.clone().text();
      try { rbody = JSON.parse(t); } catch { rbody = t.slice(0, 500); }
    }
    emit("http", { dir: "response", status: res.status, url, content_type: ct, body: rbody });
    return res;
  };
}

function apiVersion() {
  const v = process.env.API_VERSION ?? "v24.0";
  return v.startsWith("v") ? v : `v${v}`;
}

// Subclass: log why post() rejected a webhook (handle_post only returns a status code).
class TrialWhatsAppAPI extends NodeHttpWhatsAppAPI {
  async post(data, raw_body, signature) {
    emit("webhook_post", { bytes: raw_body?.length, signature, field: data?.entry?.[0]?.changes?.[0]?.field,
      value_keys: Object.keys(data?.entry?.[0]?.changes?.[0]?.value ?? {}) });
    try { return await super.post(data, raw_body, signature); }
    catch (e) {
      emit("webhook_post_error", { error_type: e?.constructor?.name, message: e?.message, httpStatus: e?.httpStatus });
      throw e;
    }
  }
}

function makeClient() {
  return new TrialWhatsAppAPI({
    token: env("TOKEN"),
    appSecret: process.env.APP_SECRET,            // secure=true (default): post() requires it
    webhookVerifyToken: process.env.VERIFY_TOKEN,
    v: apiVersion(),
    ponyfill: { fetch: rewritingFetch(env("BASE_URL").replace(/\/+$/, "")) }
  });
}

function recipient(to) {
  // Object form of the recipient (the string form is deprecated). BSUIDs look like "US.1234...".
  return /^[a-zA-Z]{2}\..+/.test(to) ? { bsuid: to } : { phone: to };
}

const MIME = { ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".mp4": "video/mp4",
  ".3gp": "video/3gp", ".pdf": "application/pdf", ".txt": "text/plain", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
  ".aac": "audio/aac", ".amr": "audio/amr", ".m4a": "audio/mp4" };

// ------------------------------------------------------------------ webhook receiver
function serve() {
  const wa = makeClient();
  env("APP_SECRET"); env("VERIFY_TOKEN");
  const port = Number(env("WEBHOOK_PORT"));
  wa.on.message = (a) => {
    emit("webhook", { kind: "message", phoneID: a.phoneID, from: a.from, name: a.name, contact: a.contact,
      recipient: a.recipient, message: a.message });
  };
  wa.on.status = (a) => {
    emit("webhook", { kind: "status", phoneID: a.phoneID, phone: a.phone, type: a.type, contact: a.contact,
      recipient: a.recipient, status: a.status, id: a.id, timestamp: a.timestamp, conversation: a.conversation,
      pricing: a.pricing, error: a.error, biz_opaque_callback_data: a.biz_opaque_callback_data });
  };
  const server = createServer(async (request, response) => {
    const hdr = { "content-length": request.headers["content-length"], "transfer-encoding": request.headers["transfer-encoding"],
      "x-hub-signature-256": request.headers["x-hub-signature-256"], "content-type": request.headers["content-type"] };
    if (request.method === "GET") {
      try {
        const challenge = wa.handle_get(request);
        response.statusCode = 200; response.end(String(challenge ?? ""));
        emit("http_in", { method: "GET", url: request.url, status: 200 });
      } catch (code) {
        response.statusCode = typeof code === "number" ? code : 500; response.end();
        emit("http_in", { method: "GET", url: request.url, status: response.statusCode });
      }
      return;
    }
    if (request.method === "POST") {
      const status = await wa.handle_post(request);
      response.statusCode = status; response.end();
      emit("http_in", { method: "POST", url: request.url, headers: hdr, status });
      return;
    }
    response.statusCode = 405; response.end();
  });
  server.listen(port, "127.0.0.1", () => emit("serve", { "whatsapp-api-js": PKG.version, node: process.version,
    listen: `http://127.0.0.1:${port}/`, api_version: apiVersion(), base_url: process.env.BASE_URL }));
}

// ------------------------------------------------------------------ self test of the receiver
async function selftestWebhook() {
  const port = Number(env("WEBHOOK_PORT")), secret = env("APP_SECRET"), vt = env("VERIFY_TOKEN"), phone = env("PHONE_ID");
  const url = `http://127.0.0.1:${port}/`;
  const bsuid = "US.13491208655302741918", waId = "15551234567", waba = process.env.WABA_ID ?? "WABA_TEST";
  const envl = (value) => ({ object: "whatsapp_business_account", entry: [{ id: waba, changes: [{ field: "messages", value }] }] });
  const metadata = { display_phone_number: "15550000000", phone_number_id: phone };
  const now = () => String(Math.floor(Date.now() / 1000));
  const msg = (type, body, context) => envl({ messaging_product: "whatsapp", metadata,
    contacts: [{ profile: { name: "Alice", username: "alice" }, wa_id: waId, user_id: bsuid }],
    messages: [{ from: waId, from_user_id: bsuid, id: `wamid.SELF${Date.now()}${Math.random()}`, timestamp: now(), type, [type]: body, ...(context ? { context } : {}) }] });
  const ctx = { from: "15550000000", id: "wamid.OUT" };
  const escape = (s) => s.replace(/[^\0-~]/g, (ch) => "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0"));
  const sign = (s) => "sha256=" + createHmac("sha256", secret).update(s).digest("hex");
  const post = async (name, raw, headers) => {
    const r = await fetch(url, { method: "POST", body: raw, headers: { "content-type": "application/json", ...headers } });
    emit("selftest", { step: `POST ${name}`, status: r.status });
  };
  let r = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(vt)}&hub.challenge=12345`);
  emit("selftest", { step: "GET handshake", status: r.status, body: await r.text() });
  r = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=12345`);
  emit("selftest", { step: "GET handshake wrong token", status: r.status });
  r = await fetch(`${url}?hub.verify_token=${encodeURIComponent(vt)}&hub.challenge=12345`);
  emit("selftest", { step: "GET handshake without hub.mode", status: r.status });
  const samples = {
    text: msg("text", { body: "héllo 👋" }),
    button_reply: msg("interactive", { type: "button_reply", button_reply: { id: "yes", title: "Yes" } }, ctx),
    list_reply: msg("interactive", { type: "list_reply", list_reply: { id: "r1", title: "Row 1" } }, ctx),
    order: msg("order", { catalog_id: "CAT", product_items: [{ product_retailer_id: "SKU1", quantity: 2, item_price: 12.99, currency: "USD" }] }),
    status_bsuid: envl({ messaging_product: "whatsapp", metadata, contacts: [{ wa_id: waId, user_id: bsuid }],
      statuses: [{ id: "wamid.OUT", status: "delivered", timestamp: now(), recipient_id: waId, recipient_user_id: bsuid }] }),
    status_legacy_no_contacts: envl({ messaging_product: "whatsapp", metadata,
      statuses: [{ id: "wamid.OUT", status: "read", timestamp: now(), recipient_id: waId }] })
  };
  for (const [name, p] of Object.entries(samples)) {
    const raw = escape(JSON.stringify(p));            // Meta-style: non-ASCII as \uXXXX, sign exact bytes
    await post(name, raw, { "x-hub-signature-256": sign(raw) });
  }
  const utf8 = JSON.stringify(samples.text);          // raw UTF-8 body signed over its bytes
  await post("raw UTF-8 body (non-ASCII not escaped) -> library re-escapes before HMAC, expect 401", utf8, { "x-hub-signature-256": sign(utf8) });
  const raw = escape(JSON.stringify(samples.text));
  await post("bad signature (expect 401)", raw, { "x-hub-signature-256": "sha256=" + "0".repeat(64) });
  await post("no signature (node-http adapter: `throw 400` -> 500)", raw, {});
  // chunked body, no Content-Length: the node-http adapter rejects it (400)
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(raw)); c.close(); } });
  r = await fetch(url, { method: "POST", body: stream, duplex: "half", headers: { "content-type": "application/json", "x-hub-signature-256": sign(raw) } });
  emit("selftest", { step: "POST chunked without Content-Length (expect 400)", status: r.status });
}

// ------------------------------------------------------------------ actions
async function runAction(action, args) {
  const wa = makeClient();
  const PHONE = env("PHONE_ID");
  const to = () => recipient(env("TO"));
  const arg = (i, name) => { if (args[i] === undefined) throw new Error(`${action}: missing argument ${name}`); return args[i]; };
  switch (action) {
    case "send_text": return wa.sendMessage(PHONE, to(), new Text(args[0] ?? "Hello from whatsapp-api-js trial"));
    case "reply": return wa.sendMessage(PHONE, to(), new Text(arg(1, "TEXT")), arg(0, "MSG_ID"));
    case "mark_read": return wa.markAsRead(PHONE, arg(0, "MSG_ID"));
    case "typing": return wa.markAsRead(PHONE, arg(0, "MSG_ID"), "text");
    case "react": return wa.sendMessage(PHONE, to(), new Reaction(arg(0, "MSG_ID"), args[1] ?? ""));
    case "send_buttons":
      return wa.sendMessage(PHONE, to(), new Interactive(
        new ActionButtons(new Button("btn_yes", "Yes"), new Button("btn_no", "No")),
        new Body("Pick one"), new Header("wajs buttons"), new Footer("footer")));
    case "send_list":
      return wa.sendMessage(PHONE, to(), new Interactive(
        new ActionList("Open menu", new ListSection("Section 1", new Row("row_1", "Row 1", "first row"), new Row("row_2", "Row 2"))),
        new Body("Choose from the list"), new Header("wajs list"), new Footer("footer")));
    case "send_product":
      return wa.sendMessage(PHONE, to(), new Interactive(
        new ActionProduct(new CatalogProduct(arg(1, "RETAILER_ID"), arg(0, "CATALOG"))), new Body("Look at this product")));
    case "send_products": {
      const skus = args.slice(1);
      if (!skus.length) throw new Error("send_products CATALOG RETAILER_ID [RETAILER_ID ...]");
      return wa.sendMessage(PHONE, to(), new Interactive(
        new ActionProductList(arg(0, "CATALOG"), new ProductSection("Products", ...skus.map((s) => new Product(s)))),
        new Body("Pick something"), new Header("Our products"), new Footer("footer")));
    }
    case "send_catalog":
      return wa.sendMessage(PHONE, to(), new Interactive(
        new ActionCatalog(args[0] ? new Product(args[0]) : undefined), new Body("Browse our catalog"), undefined, new Footer("footer")));
    case "upload_media": {
      const file = arg(0, "FILE");
      const mime = (args[1] && !args[1].startsWith("--")) ? args[1] : (MIME[extname(file).toLowerCase()] ?? "application/octet-stream");
      const form = new FormData();
      // As in the library docs: form.set("file", blob). With no filename the part is named "blob";
      // pass the real name unless UPLOAD_NO_FILENAME=1.
      const blob = new Blob([readFileSync(file)], { type: mime });
      if (process.env.UPLOAD_NO_FILENAME === "1") form.set("file", blob); else form.set("file", blob, basename(file));
      return wa.uploadMedia(PHONE, form, !args.includes("--nocheck"));
    }
    case "get_media_url": return wa.retrieveMedia(arg(0, "MEDIA_ID"), args.includes("--phone") ? PHONE : undefined);
    case "download_media": {
      const res = await wa.fetchMedia(arg(0, "URL"));
      const buf = Buffer.from(await res.arrayBuffer());
      const out = args[1] ?? "/tmp/wajs_download.bin";
      writeFileSync(out, buf);
      const { createHash } = await import("node:crypto");
      return { status: res.status, content_type: res.headers.get("content-type"), bytes: buf.length,
        sha256: createHash("sha256").update(buf).digest("hex"), saved_to: out };
    }
    case "delete_media": return wa.deleteMedia(arg(0, "MEDIA_ID"), args.includes("--phone") ? PHONE : undefined);
    case "send_image_by_id": return wa.sendMessage(PHONE, to(), new Image(arg(0, "MEDIA_ID"), true, args[1] ?? "image by id"));
    case "phone_info": {
      const res = await wa.$$apiFetch$$(`${GRAPH}/${wa.v}/${PHONE}`);
      return { status: res.status, body: await res.json() };
    }
    default: throw new Error(`unknown action ${action}; see the header of wajs_trial.mjs`);
  }
}

// ------------------------------------------------------------------ main
const [action, ...args] = process.argv.slice(2);
if (!action) {
  console.log(readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]);
  process.exit(2);
}
if (action === "serve") serve();
else if (action === "selftest_webhook") await selftestWebhook();
else {
  try {
    const result = await runAction(action, args);
    emit("result", { action, ok: !(result && typeof result === "object" && "error" in result), result });
  } catch (e) {
    emit("error", { action, ok: false, error_type: e?.constructor?.name, error: e?.message, stack: e?.stack?.split("\n").slice(0, 4) });
    process.exitCode = 1;
  }
}
