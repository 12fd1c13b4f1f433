//! A request body has `MEDTOUR_BODY_TIMEOUT_SECS` to arrive in full, counted from the end of
//! its headers. A client that sends its body slowly (a few bytes, then nothing) would otherwise
//! hold its connection, and a handler's task, for as long as it likes.
//!
//! The deadline is for the whole body, not for each chunk of it as tower-http's
//! `RequestBodyTimeoutLayer` has it: with a per-chunk timeout a byte every few seconds keeps
//! a request alive indefinitely. When the deadline passes, reading the body fails, and
//! whatever the handler made of that failure (the POST handler's 413, a form extractor's 400)
//! is replaced by 408 with a `REQUEST_TIMEOUT` error, and the connection is closed.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use super::graphql::error_reply;
use super::graphql::media::Media;
use crate::error::Code;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

/// Middleware: gives the request's body `within` to arrive, and answers 408 when it did not.
pub async fn limit(State(within): State<Duration>, request: Request, next: Next) -> Response {
    if request.body().is_end_stream() {
        // No body to wait for (most GETs, websocket upgrades).
        return next.run(request).await;
    }
    let expired = Arc::new(AtomicBool::new(false));
    let flag = expired.clone();
    let request = request
        .map(|inner| Body::new(DeadlineBody { inner, deadline: Box::pin(tokio::time::sleep(within)), expired: flag }));
    let response = next.run(request).await;
    if expired.load(Ordering::Acquire) { timed_out(within) } else { response }
}

/// 408 with a GraphQL-shaped error, closing the connection: the rest of the body may still
/// be on its way, and is not worth waiting for.
fn timed_out(within: Duration) -> Response {
    let message = format!("the request body did not arrive within {} s", within.as_secs());
    let mut response = error_reply(Media::Json, StatusCode::REQUEST_TIMEOUT, Code::RequestTimeout, &message);
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The error a body gives once its deadline has passed.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTimedOut;

/// A body that fails once its deadline has passed, and says so in `expired`.
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<Sleep>>,
    expired: Arc<AtomicBool>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        // What has already arrived is used even when the deadline has just passed.
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.expired.store(true, Ordering::Release);
            return Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use futures::StreamExt;

    #[tokio::test]
    async fn a_body_that_stalls_fails_at_its_deadline_and_says_so() {
        let (sender, receiver) = futures::channel::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
        let mut sender = sender;
        futures::SinkExt::send(&mut sender, Ok(Bytes::from_static(b"{\"qu"))).await.expect("a chunk is sent");
        let expired = Arc::new(AtomicBool::new(false));
        let body = DeadlineBody {
            inner: Body::from_stream(receiver),
            deadline: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
            expired: expired.clone(),
        };
        let mut stream = Body::new(body).into_data_stream();
        assert_eq!(stream.next().await.and_then(Result::ok), Some(Bytes::from_static(b"{\"qu")));
        let error = stream.next().await.expect("an error, not the end");
        assert!(error.is_err(), "the stalled body fails");
        assert!(expired.load(Ordering::Acquire));
        drop(sender);
    }
}
