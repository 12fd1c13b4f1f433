//! The accept loop every listener runs: bounded connections, a deadline on request headers,
//! HTTP upgrades for websockets, and a graceful stop.
//!
//! It is written out here because `axum::serve` has no header-read timeout and no connection
//! limit, so a client that opens connections and sends its headers a byte at a time (or never)
//! holds them for as long as it likes, and enough such clients exhaust the process's file
//! descriptors. Here:
//! - each connection holds one of `MEDTOUR_MAX_CONNECTIONS` permits until its socket closes
//!   (a websocket's included). With none left the loop **waits to accept** rather than
//!   accepting and closing: newcomers wait in the kernel's backlog and are served in turn as
//!   connections close, instead of being refused;
//! - hyper's HTTP/1 `header_read_timeout` (`MEDTOUR_HEADER_TIMEOUT_SECS`) closes a connection
//!   whose request headers have not arrived in time, counted from its start or from the end of
//!   its previous response, so an idle keep-alive connection is closed after as long. Request
//!   bodies have their own deadline, in [`body_deadline`](super::body_deadline).
//!
//! It speaks HTTP/1.1 only, as `axum::serve` did here. hyper-util's `auto::Builder` (HTTP/1 or
//! HTTP/2 by the first bytes) is not used: it reads those bytes before hyper's header timeout
//! starts, with no deadline of its own, so a connection that sends nothing, or the first bytes
//! of the HTTP/2 preface, is never closed. The graceful stop is hyper-util's
//! `GracefulShutdown` written out (a watch channel whose receivers the connections hold),
//! because `GracefulShutdown` can watch an HTTP/1 connection only without upgrades, and an
//! `auto` one only with HTTP/2 compiled in.

use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

use crate::config::ServerSettings;

/// Serves `router` on `listener` until `stop` completes; then closes the listener, lets every
/// connection finish the request it is serving, and returns once the last one has closed.
/// Websockets, handed over to tasks of their own, are not waited for (nor were they before).
pub async fn serve(listener: TcpListener, router: Router, settings: &ServerSettings, stop: impl Future<Output = ()>) {
    let permits = Arc::new(Semaphore::new(settings.max_connections));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(settings.header_timeout);
    // Connections hold a receiver each; a send asks them to finish, and `closed` resolves when
    // the last has dropped its receiver.
    let (finish, _) = watch::channel(());
    let mut stop = pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // never closed; stopping is the only sensible answer
            },
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) if backoff(&error, &mut stop).await => break,
                Err(_) => continue,
            },
            () = &mut stop => break,
        };
        tokio::spawn(serve_connection(http.clone(), stream, peer, router.clone(), permit, finish.subscribe()));
    }
    drop(listener);
    let _ = finish.send(());
    finish.closed().await;
}

/// One connection: the router with the peer's address as `ConnectInfo`, until it closes or
/// is asked to finish.
async fn serve_connection(
    http: http1::Builder,
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    permit: OwnedSemaphorePermit,
    mut finish: watch::Receiver<()>,
) {
    // Without TCP_NODELAY the tail of a large response waits for the client's delayed ACK
    // (Nagle), adding milliseconds to exactly the catalogue pages partners fetch most.
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "could not set TCP_NODELAY");
    }
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    });
    let io = TokioIo::new(Counted { stream, _permit: permit });
    let mut connection = pin!(http.serve_connection(io, service).with_upgrades());
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = finish.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        // Header timeouts, resets and malformed requests: the client's doing, not ours.
        tracing::debug!(%error, %peer, "connection ended with an error");
    }
}

/// A connection's socket with its permit, so the slot is free once the socket is closed: for a
/// websocket that is when the socket ends, long after hyper has handed it over.
struct Counted {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Counted {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// After a failed accept: go on at once when only that connection failed; otherwise (out of
/// file descriptors, say) wait a moment so the loop does not spin. True when `stop` completed
/// meanwhile.
async fn backoff(error: &io::Error, stop: &mut (impl Future<Output = ()> + Unpin)) -> bool {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(error.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return false;
    }
    tracing::error!(%error, "could not accept a connection");
    tokio::select! {
        () = tokio::time::sleep(Duration::from_secs(1)) => false,
        () = stop => true,
    }
}
