//! Content negotiation for GraphQL over HTTP: which media type the response uses, and
//! whether the request body is one we read.

use axum::http::{HeaderMap, header};

/// The response media types of the GraphQL-over-HTTP specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphqlResponse,
    /// `application/json`: the legacy type, 200 for every well-formed GraphQL response.
    Json,
}

impl Media {
    /// The `Content-Type` of a response in this media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// The media type to answer in, from `Accept`: the most preferred one we produce. `None`
/// when the client accepts neither (answer 406). No `Accept` at all means JSON.
pub fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let mut best: Option<(f32, u8, Media)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let kind = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q =
            parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        // Ties go to the more specific type, and graphql-response+json over json.
        let candidate = match kind.as_str() {
            "application/graphql-response+json" => (3, Media::GraphqlResponse),
            "application/json" => (2, Media::Json),
            "application/*" | "*/*" => (1, Media::Json),
            _ => continue,
        };
        if best.is_none_or(|(bq, bs, _)| q > bq || (q == bq && candidate.0 > bs)) {
            best = Some((q, candidate.0, candidate.1));
        }
    }
    best.map(|(_, _, media)| media)
}

/// True when a POST body is declared as JSON in UTF-8 (the only encoding JSON has).
pub fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = value.split(';');
    let kind = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset_ok = parts.all(|p| {
        let p = p.trim().to_ascii_lowercase();
        !p.starts_with("charset=") || p == "charset=utf-8" || p == "charset=\"utf-8\""
    });
    (kind == "application/json" || kind == "application/graphql-response+json") && charset_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<Media> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        negotiate(&headers)
    }

    #[test]
    fn accept_headers_choose_the_response_type() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(accept("application/graphql-response+json"), Some(Media::GraphqlResponse));
        assert_eq!(accept("application/json"), Some(Media::Json));
        assert_eq!(accept("*/*"), Some(Media::Json));
        assert_eq!(accept("application/json, application/graphql-response+json"), Some(Media::GraphqlResponse));
        assert_eq!(accept("application/graphql-response+json;q=0.5, application/json"), Some(Media::Json));
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }
}
