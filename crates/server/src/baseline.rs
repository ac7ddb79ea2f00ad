//! `wacart bench-baseline`: the ceiling for `cargo xtask loadtest` — a bare axum handler that
//! parses the JSON body and answers a fixed 200, with the same runtime as `serve`.

use std::net::SocketAddr;
use std::process::ExitCode;

const ANSWER: &str = r#"{"messaging_product":"whatsapp","contacts":[{"input":"15551230001","wa_id":"15551230001"}],"messages":[{"id":"wamid.HBgLMTU1NTEyMzAwMDEVAgARGBI1"}]}"#;

async fn handler(
    axum::Json(body): axum::Json<serde_json::Value>,
) -> ([(&'static str, &'static str); 1], &'static str) {
    std::hint::black_box(body);
    ([("content-type", "application/json")], ANSWER)
}

pub(crate) fn run(listen: SocketAddr) -> ExitCode {
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    else {
        return ExitCode::from(2);
    };
    runtime.block_on(async {
        let Ok(listener) = tokio::net::TcpListener::bind(listen).await else {
            eprintln!("wacart bench-baseline: cannot listen on {listen}");
            return ExitCode::from(2);
        };
        let app =
            axum::Router::new().route("/{version}/{node}/messages", axum::routing::post(handler));
        println!("baseline listening on http://{listen}");
        match axum::serve(listener, app).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(1),
        }
    })
}
