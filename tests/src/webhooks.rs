//! A webhook receiver for tests and the benchmark: an axum server on an ephemeral port that
//! records every request and answers as told, and an independent implementation of the
//! Standard Webhooks verification (HMAC-SHA256 built here from SHA-256, not the server's
//! code) that checks what it received.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    pub at: Instant,
    /// The wall-clock time it arrived.
    pub wall: chrono::DateTime<chrono::Utc>,
    /// The status the receiver answered (0: no answer).
    pub answered: u16,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// How the receiver answers one request.
#[derive(Clone, Debug)]
pub enum Reply {
    Status(u16),
    /// A redirect to this URL (which must not be followed).
    Redirect(String),
    /// No answer at all.
    Hang,
}

#[derive(Default)]
struct Shared {
    got: Mutex<Vec<Received>>,
    plan: Mutex<VecDeque<Reply>>,
    hang: AtomicBool,
    /// Fail this many requests in every thousand (the benchmark's failure share).
    fail_per_mille: AtomicU64,
    counter: AtomicU64,
}

/// A running receiver.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
}

async fn hook(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let planned = shared.plan.lock().expect("not poisoned").pop_front();
    let reply = match planned {
        Some(reply) => reply,
        None if shared.hang.load(Ordering::Relaxed) => Reply::Hang,
        None => {
            let n = shared.counter.fetch_add(1, Ordering::Relaxed);
            let fail = shared.fail_per_mille.load(Ordering::Relaxed);
            // Spread the failures evenly rather than randomly, so a run is reproducible.
            if fail > 0 && (n * fail) % 1000 + fail >= 1000 { Reply::Status(503) } else { Reply::Status(200) }
        }
    };
    let answered = match &reply {
        Reply::Status(code) => *code,
        Reply::Redirect(_) => 302,
        Reply::Hang => 0,
    };
    shared.got.lock().expect("not poisoned").push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
        wall: chrono::Utc::now(),
        answered,
    });
    match reply {
        Reply::Status(code) => (StatusCode::from_u16(code).unwrap_or(StatusCode::OK), "ok").into_response(),
        Reply::Redirect(to) => (StatusCode::FOUND, [("location", to)], "moved").into_response(),
        Reply::Hang => std::future::pending().await,
    }
}

impl Receiver {
    /// Starts a receiver on 127.0.0.1 (any path is the hook).
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = axum::Router::new().fallback(hook).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().expect("bound").port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url: format!("http://127.0.0.1:{port}/hooks"), shared }
    }

    /// The receiver's port.
    pub fn port(&self) -> u16 {
        self.url.rsplit(':').next().and_then(|p| p.split('/').next()).and_then(|p| p.parse().ok()).unwrap_or(0)
    }

    /// Answers the next requests as listed (then 200, or as set below).
    pub fn plan(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.plan.lock().expect("not poisoned").extend(replies);
    }

    /// Never answers from now on.
    pub fn hang(&self) {
        self.shared.hang.store(true, Ordering::Relaxed);
    }

    /// Fails `per_mille` of every thousand requests with 503.
    pub fn fail_share(&self, per_mille: u64) {
        self.shared.fail_per_mille.store(per_mille, Ordering::Relaxed);
    }

    /// Everything received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.got.lock().expect("not poisoned").clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.shared.got.lock().expect("not poisoned").len()
    }
}

/// HMAC-SHA256 (RFC 2104), written out so the check does not share the server's code.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// Verifies a received request with `secret` per the Standard Webhooks specification: one of
/// the space-separated `v1,` signatures must be the HMAC of `id.timestamp.body`.
pub fn verify(secret: &str, got: &Received) -> bool {
    let Some(key) = secret.strip_prefix("whsec_").and_then(|k| STANDARD.decode(k).ok()) else { return false };
    let signed = format!("{}.{}.{}", got.id, got.timestamp, got.body);
    let expected = STANDARD.encode(hmac_sha256(&key, signed.as_bytes()));
    got.signature.split(' ').any(|entry| entry.strip_prefix("v1,") == Some(expected.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_independent_hmac_matches_rfc_4231() {
        // RFC 4231, test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
