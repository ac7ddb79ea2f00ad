//! The conversation around the cart, end to end: a customer greets, the business marks the
//! greeting read with a typing indicator, offers reply buttons and a list, the customer taps and
//! picks, a multi-product message leads to a cart and an order, and the business confirms
//! quoting the order. Every webhook is signed, verified and parsed by `wacart-schema`, BSUID
//! fields included.
//!
//! The second run is a customer with a username: Meta hides their phone number, so the business
//! knows them only by their BSUID and reaches them only through `recipient`.

use serde_json::{Value, json};
use wacart_sandbox::Config;
use wacart_schema::{
    Event, InboundContent, InboundMessage, MessageId, OutboundMessage, Status, StatusKind, UserId,
    WaId,
};
use wacart_server::demo;
use wacart_tests::{Received, Receiver, start_server};
use wacart_transport::{Client, Door, Error, RetryPolicy};

const ALICE: &str = "15551230001";
const BOB: &str = "15551230002";

fn meta(base: &str) -> Client {
    Client::builder(Door::meta(demo::PHONE_NUMBER_ID, demo::TOKEN))
        .base_url(base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A call to the customer API; answers the status and the JSON body.
async fn call(method: reqwest::Method, url: String, body: Value) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, &url);
    if !body.is_null() {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_slice(&r.bytes().await.unwrap()).unwrap(),
    )
}

async fn ok(method: reqwest::Method, url: String, body: Value) -> Value {
    let (status, v) = call(method, url.clone(), body).await;
    assert_eq!(status, 200, "{url}: {v}");
    v
}

/// Every inbound message that arrived, with the contact it came with.
fn inbound(r: &Received) -> Vec<(InboundMessage, wacart_schema::Contact)> {
    r.payloads
        .iter()
        .flat_map(|p| {
            p.events()
                .filter_map(|e| match e {
                    Event::Message {
                        contact, message, ..
                    } => Some((message.clone(), contact.cloned().expect("a contact"))),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The inbound message with this id, once it arrived.
async fn message(receiver: &Receiver, id: &str) -> (InboundMessage, wacart_schema::Contact) {
    receiver
        .wait_for(id, |r| inbound(r).iter().any(|(m, _)| m.id == id))
        .await;
    receiver.with(|r| {
        inbound(r)
            .into_iter()
            .find(|(m, _)| m.id == id)
            .expect("arrived")
    })
}

/// The `status` webhook of message `id`, with the `contacts` of its payload.
async fn status(
    receiver: &Receiver,
    id: &MessageId,
    kind: StatusKind,
) -> (Status, Vec<wacart_schema::Contact>) {
    let find = |r: &Received| {
        r.payloads.iter().find_map(|p| {
            let value = &p.entry.first()?.changes.first()?.value;
            let s = value
                .statuses
                .iter()
                .find(|s| s.id == *id && s.status == kind)?;
            Some((s.clone(), value.contacts.clone()))
        })
    };
    receiver
        .wait_for(&format!("{kind:?} of {id}"), |r| find(r).is_some())
        .await;
    receiver.with(|r| find(r).expect("arrived"))
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

fn graph_code(e: &Error) -> u32 {
    match e {
        Error::Graph { error, .. } => error.code,
        other => panic!("expected a Graph error, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conversation_around_the_cart() {
    let receiver = Receiver::start().await;
    let server = start_server(Config::default(), Some(&receiver.url)).await;
    let base = &server.base;
    let number = demo::PHONE_NUMBER_ID;
    let customer = |path: &str| format!("{base}/sandbox/customers/{ALICE}{path}");
    let thread = || customer(&format!("/threads/{number}"));
    let business = meta(base);
    let post = reqwest::Method::POST;

    // 1. The customer greets.
    let hello = ok(
        post.clone(),
        customer("/messages"),
        json!({"phone_number_id": number, "text": "Hi! What's fresh?"}),
    )
    .await;
    let (greeting, contact) = message(&receiver, &id_of(&hello)).await;
    let bsuid = contact
        .user_id
        .clone()
        .expect("every webhook names the BSUID");
    assert!(bsuid.as_str().starts_with("US."), "{bsuid}");
    assert_eq!(contact.wa_id.as_ref().map(WaId::as_str), Some(ALICE));
    assert_eq!(greeting.from.as_ref().map(WaId::as_str), Some(ALICE));
    assert_eq!(greeting.from_user_id.as_ref(), Some(&bsuid));
    assert_eq!(
        contact.profile.as_ref().and_then(|p| p.username.clone()),
        None
    );

    // 2. The business marks it read and shows "typing…".
    business.mark_read(&greeting.id, true).await.unwrap();
    let view = ok(reqwest::Method::GET, thread(), Value::Null).await;
    assert_eq!(view["typing"], true);
    assert_eq!(view["messages"][0]["status"], "read");

    // 3. Reply buttons; the typing indicator ends with them.
    let menu = OutboundMessage::buttons(
        ALICE,
        "What would you like?",
        [("fruit", "Fruit"), ("greens", "Greens")],
    )
    .reply_to(greeting.id.clone())
    .build()
    .unwrap();
    let menu = business.send(&menu).await.unwrap();
    let view = ok(reqwest::Method::GET, thread(), Value::Null).await;
    assert_eq!(view["typing"], false);

    // 4. The customer taps "Fruit".
    let tapped = ok(
        post.clone(),
        customer(&format!("/messages/{}/tap", menu.message_id)),
        json!({"id": "fruit"}),
    )
    .await;
    let (tap, _) = message(&receiver, &id_of(&tapped)).await;
    let InboundContent::Interactive(reply) = &tap.content else {
        panic!("a tap is interactive: {tap:?}")
    };
    let button = reply.button_reply.as_ref().expect("button_reply");
    assert_eq!(
        (button.id.as_str(), button.title.as_str()),
        ("fruit", "Fruit")
    );
    let context = tap
        .context
        .as_ref()
        .expect("a tap names the message tapped");
    assert_eq!(context.id.as_ref(), Some(&menu.message_id));
    assert_eq!(context.from.as_deref(), Some(demo::DISPLAY_NUMBER));

    // 5. A list of categories; the customer picks a row.
    let list = OutboundMessage::list(ALICE, "Which fruit?", "Choose")
        .section(
            "Fruit",
            [("apples", "Apples", "Crisp"), ("pears", "Pears", "")],
        )
        .build()
        .unwrap();
    let list = business.send(&list).await.unwrap();
    let picked = ok(
        post.clone(),
        customer(&format!("/messages/{}/tap", list.message_id)),
        json!({"id": "apples"}),
    )
    .await;
    let (pick, _) = message(&receiver, &id_of(&picked)).await;
    let InboundContent::Interactive(reply) = &pick.content else {
        panic!("a pick is interactive: {pick:?}")
    };
    let row = reply.list_reply.as_ref().expect("list_reply");
    assert_eq!(row.id, "apples");
    assert_eq!(row.description.as_deref(), Some("Crisp"));
    assert_eq!(
        pick.context.as_ref().and_then(|c| c.id.as_ref()),
        Some(&list.message_id)
    );

    // 6. A multi-product message, a cart, an order.
    let mpm = OutboundMessage::product_list(ALICE, demo::CATALOG_ID, "Apples", "Fresh today")
        .section("Apples", ["apple-1kg"])
        .build()
        .unwrap();
    business.send(&mpm).await.unwrap();
    ok(
        reqwest::Method::PUT,
        customer(&format!("/devices/phone/carts/{number}/items/apple-1kg")),
        json!({"quantity": 2}),
    )
    .await;
    let sent = ok(
        post.clone(),
        customer(&format!("/devices/phone/carts/{number}/send")),
        json!({"text": "Two please"}),
    )
    .await;
    let (order, order_contact) = message(&receiver, &id_of(&sent)).await;
    assert!(matches!(order.content, InboundContent::Order(_)));
    assert_eq!(order_contact.user_id.as_ref(), Some(&bsuid));

    // 7. The confirmation quotes the order; the customer sees the quote.
    let confirm = OutboundMessage::text(ALICE, "Thanks! Your apples are on their way.")
        .reply_to(order.id.clone())
        .build()
        .unwrap();
    let confirm = business.send(&confirm).await.unwrap();
    let view = ok(reqwest::Method::GET, thread(), Value::Null).await;
    let last = view["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["id"], confirm.message_id.as_str());
    assert_eq!(last["reply_to"], order.id.as_str());

    // The customer sends a photo: the business fetches it with the media API, as from Meta.
    let photo = ok(
        post.clone(),
        customer("/messages"),
        json!({"phone_number_id": number, "image": {"caption": "This one?"}}),
    )
    .await;
    let (photo, _) = message(&receiver, &id_of(&photo)).await;
    let InboundContent::Image(image) = &photo.content else {
        panic!("an image: {photo:?}")
    };
    assert_eq!(image.caption.as_deref(), Some("This one?"));
    let url = business.media_url(&image.id).await.unwrap();
    let downloaded = business.download_media(&url.url).await.unwrap();
    assert_eq!(downloaded.bytes.len() as u64, url.file_size);
    assert!(downloaded.bytes.starts_with(b"\x89PNG"));
    assert_eq!(Some(url.sha256.as_str()), image.sha256.as_deref());

    // Statuses name the customer both ways: number (it was sent to) and BSUID.
    let (delivered, contacts) = status(&receiver, &confirm.message_id, StatusKind::Delivered).await;
    assert_eq!(
        delivered.recipient_id.as_ref().map(WaId::as_str),
        Some(ALICE)
    );
    assert_eq!(delivered.recipient_user_id.as_ref(), Some(&bsuid));
    assert_eq!(contacts[0].user_id.as_ref(), Some(&bsuid));

    // Bad input changes nothing: unknown ids and buttons, a malformed recipient.
    let unknown = business
        .mark_read(&MessageId::new("wamid.nope"), false)
        .await
        .unwrap_err();
    assert_eq!(graph_code(&unknown), 131_009);
    let own = business
        .mark_read(&menu.message_id, false)
        .await
        .unwrap_err();
    assert_eq!(
        graph_code(&own),
        131_009,
        "a business message is not read by its business"
    );
    let (status_code, v) = call(
        post.clone(),
        customer(&format!("/messages/{}/tap", menu.message_id)),
        json!({"id": "meat"}),
    )
    .await;
    assert_eq!(status_code, 409, "no such button: {v}");
    let (status_code, _) = call(
        post.clone(),
        format!(
            "{base}/sandbox/customers/{BOB}/messages/{}/tap",
            menu.message_id
        ),
        json!({"id": "fruit"}),
    )
    .await;
    assert_eq!(status_code, 404, "another customer's message is not found");
    let before = receiver.with(|r| r.payloads.len());
    let bad = reqwest::Client::new()
        .post(format!("{base}/v23.0/{number}/messages"))
        .bearer_auth(demo::TOKEN)
        .header("content-type", "application/json")
        .body(r#"{"messaging_product":"whatsapp","recipient":"15551230001","type":"text","text":{"body":"x"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let bad: Value = serde_json::from_slice(&bad.bytes().await.unwrap()).unwrap();
    assert_eq!(bad["error"]["code"], 131_009, "{bad}");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        receiver.with(|r| r.payloads.len()),
        before,
        "nothing happened"
    );
    assert_eq!(receiver.with(|r| r.bad_signatures), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_with_a_username_is_reached_by_bsuid_only() {
    let receiver = Receiver::start().await;
    let server = start_server(Config::default(), Some(&receiver.url)).await;
    let base = &server.base;
    let number = demo::PHONE_NUMBER_ID;
    let customer = |path: &str| format!("{base}/sandbox/customers/{BOB}{path}");
    let business = meta(base);

    ok(
        reqwest::Method::PUT,
        customer(""),
        json!({"username": "bob.buys"}),
    )
    .await;
    let hello = ok(
        reqwest::Method::POST,
        customer("/messages"),
        json!({"phone_number_id": number, "text": "hi, it's bob"}),
    )
    .await;
    let (greeting, contact) = message(&receiver, &id_of(&hello)).await;
    assert_eq!(
        greeting.from, None,
        "Meta hides the number of a username user"
    );
    assert_eq!(contact.wa_id, None);
    assert_eq!(
        contact.profile.as_ref().and_then(|p| p.username.as_deref()),
        Some("bob.buys")
    );
    let bsuid: UserId = greeting.from_user_id.clone().expect("the BSUID");
    assert_eq!(contact.user_id.as_ref(), Some(&bsuid));

    // The business can only answer through `recipient`.
    business.mark_read(&greeting.id, true).await.unwrap();
    let mpm = OutboundMessage::product_list(bsuid.clone(), demo::CATALOG_ID, "Picks", "For you")
        .section("Fruit", ["apple-1kg", "pear-1kg"])
        .build()
        .unwrap();
    let receipt = business.send(&mpm).await.unwrap();
    assert_eq!(receipt.wa_id, None);
    assert_eq!(receipt.user_id.as_ref(), Some(&bsuid));
    let (sent, sent_contacts) = status(&receiver, &receipt.message_id, StatusKind::Sent).await;
    assert_eq!(sent.recipient_id, None);
    assert_eq!(sent.recipient_user_id.as_ref(), Some(&bsuid));
    assert_eq!(sent_contacts[0].wa_id, None);
    assert_eq!(
        sent_contacts[0]
            .profile
            .as_ref()
            .and_then(|p| p.username.clone()),
        None,
        "no username on sent"
    );
    let (_, delivered_contacts) =
        status(&receiver, &receipt.message_id, StatusKind::Delivered).await;
    assert_eq!(
        delivered_contacts[0]
            .profile
            .as_ref()
            .and_then(|p| p.username.as_deref()),
        Some("bob.buys")
    );

    // The cart and the order, still by BSUID only.
    ok(
        reqwest::Method::PUT,
        customer(&format!("/devices/phone/carts/{number}/items/apple-1kg")),
        json!({"quantity": 3}),
    )
    .await;
    let sent = ok(
        reqwest::Method::POST,
        customer(&format!("/devices/phone/carts/{number}/send")),
        json!({}),
    )
    .await;
    let (order, order_contact) = message(&receiver, &id_of(&sent)).await;
    assert!(matches!(order.content, InboundContent::Order(_)));
    assert_eq!(
        (order.from.clone(), order_contact.wa_id.clone()),
        (None, None)
    );
    assert_eq!(order.from_user_id.as_ref(), Some(&bsuid));

    // Both `to` and `recipient`: the number wins, the answer names it only, and from then on
    // Meta shares the number with this business number.
    let both = reqwest::Client::new()
        .post(format!("{base}/v23.0/{number}/messages"))
        .bearer_auth(demo::TOKEN)
        .header("content-type", "application/json")
        .body(
            json!({"messaging_product": "whatsapp", "to": format!("+{BOB}"), "recipient": bsuid,
                   "type": "text", "text": {"body": "Order received"}})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let both: Value = serde_json::from_slice(&both.bytes().await.unwrap()).unwrap();
    assert_eq!(
        both["contacts"],
        json!([{"input": format!("+{BOB}"), "wa_id": BOB}])
    );
    let again = ok(
        reqwest::Method::POST,
        customer("/messages"),
        json!({"phone_number_id": number, "text": "thanks"}),
    )
    .await;
    let (thanks, contact) = message(&receiver, &id_of(&again)).await;
    assert_eq!(thanks.from.as_ref().map(WaId::as_str), Some(BOB));
    assert_eq!(contact.wa_id.as_ref().map(WaId::as_str), Some(BOB));

    // Another business's BSUID, or no BSUID at all, reaches nobody.
    let alien = OutboundMessage::text(UserId::new("US.12345"), "hello?")
        .build()
        .unwrap();
    assert_eq!(
        graph_code(&business.send(&alien).await.unwrap_err()),
        131_009
    );
    assert_eq!(receiver.with(|r| r.bad_signatures), 0);
}
