//! GraphiQL for browsers, served from this binary: `GET /graphql` with `Accept: text/html`
//! answers the page and `/graphiql/<file>` the scripts and stylesheets it loads. Nothing comes
//! from a third party, and the page's Content-Security-Policy holds it to that: scripts from
//! this origin only (the page's own set-up is the served `init.js`, not an inline script),
//! connections to this origin and its websocket endpoint only, no framing, no forms.
//! `MEDTOUR_GRAPHIQL=false` turns the page and its files off.
//!
//! The vendored files, their versions and where they come from:
//! `api/assets/graphiql/README.md`.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One file the page loads, embedded in the binary.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// Vendored at the version in its name: a new version is a new URL, so browsers may keep
    /// it for a year. Our own files change with the server and are revalidated.
    pinned: bool,
}

macro_rules! asset {
    ($name:literal, $content_type:expr, $pinned:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("../../assets/graphiql/", $name)),
            pinned: $pinned,
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

const ASSETS: &[Asset] = &[
    asset!("react-18.3.1.production.min.js", JS, true),
    asset!("react-dom-18.3.1.production.min.js", JS, true),
    asset!("graphiql-3.9.0.min.js", JS, true),
    asset!("graphiql-3.9.0.min.css", CSS, true),
    asset!("init.js", JS, false),
    asset!("page.css", CSS, false),
];

const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// `style-src` allows inline styles because GraphiQL's dialogs (settings, shortcuts) lock
/// scrolling with a `<style>` element they create at run time, and the UMD build offers no way
/// to give it a nonce. Scripts get no such exception.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                      img-src 'self' data:; font-src 'self' data:; object-src 'none'; \
                      frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// `/graphiql/{file}`: one of the page's files, or 404.
pub async fn asset(Path(name): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if asset.pinned { "public, max-age=31536000, immutable" } else { "no-cache" };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        asset.body,
    )
        .into_response()
}

/// The GraphiQL page, under its Content-Security-Policy.
pub fn page(headers: &HeaderMap) -> Response {
    let policy = format!("{POLICY}; connect-src {}", connect_sources(headers));
    let mut response = (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response();
    let h = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        h.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // The same URL answers JSON to API clients.
    h.insert(header::VARY, HeaderValue::from_static("accept"));
    response
}

/// `'self'` and the subscription endpoint on this host. Browsers have long disagreed on
/// whether `'self'` covers `ws:`/`wss:`, so the endpoint is named; a `Host` that is not a plain
/// host name or address (and port) names nothing, leaving `'self'` alone.
fn connect_sources(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).filter(|host| {
        !host.is_empty()
            && host.len() <= 255
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    });
    match host {
        Some(host) => format!("'self' ws://{host}/graphql/ws wss://{host}/graphql/ws"),
        None => "'self'".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(value).expect("a header value"));
        headers
    }

    #[test]
    fn the_websocket_endpoint_is_named_for_plain_hosts_only() {
        assert_eq!(
            connect_sources(&host("127.0.0.1:8080")),
            "'self' ws://127.0.0.1:8080/graphql/ws wss://127.0.0.1:8080/graphql/ws"
        );
        assert_eq!(connect_sources(&host("[::1]:80")), "'self' ws://[::1]:80/graphql/ws wss://[::1]:80/graphql/ws");
        for odd in ["evil.example; script-src *", "a b", "x/y", ""] {
            assert_eq!(connect_sources(&host(odd)), "'self'", "{odd:?}");
        }
        assert_eq!(connect_sources(&HeaderMap::new()), "'self'");
    }

    #[test]
    fn every_file_the_page_names_is_embedded() {
        for src in PAGE.split("=\"/graphiql/").skip(1) {
            let name = src.split('"').next().unwrap_or_default();
            assert!(ASSETS.iter().any(|a| a.name == name), "{name} is not served");
        }
    }
}
