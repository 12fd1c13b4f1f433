//! How many websockets and subscriptions each client holds open in this process.
//!
//! A slot is taken when a socket is acknowledged or a subscription starts, and given back
//! when its [`Slot`] is dropped, however the socket or stream ends. The counts are per
//! process, like the cost buckets: with N replicas a client may hold up to N times as many.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a slot counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Socket,
    Subscription,
}

/// Open websockets and subscriptions per client, with their bounds.
#[derive(Debug)]
pub struct Sessions {
    max_sockets: usize,
    max_subscriptions: usize,
    open: Mutex<HashMap<(Kind, String), usize>>,
}

/// One open socket or subscription; dropping it gives the slot back.
#[derive(Debug)]
pub struct Slot {
    sessions: Arc<Sessions>,
    kind: Kind,
    client: String,
}

impl Sessions {
    /// At most `max_sockets` websockets and `max_subscriptions` subscriptions per client.
    pub fn new(max_sockets: usize, max_subscriptions: usize) -> Arc<Self> {
        Arc::new(Self { max_sockets, max_subscriptions, open: Mutex::default() })
    }

    fn take(self: &Arc<Self>, kind: Kind, client: &str, max: usize) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry((kind, client.to_owned())).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Slot { sessions: Arc::clone(self), kind, client: client.to_owned() })
    }

    /// A socket slot for `client`, or `None` when it has as many open as allowed.
    pub fn open_socket(self: &Arc<Self>, client: &str) -> Option<Slot> {
        self.take(Kind::Socket, client, self.max_sockets)
    }

    /// A subscription slot for `client`, or `None` when it has as many running as allowed.
    pub fn start_subscription(self: &Arc<Self>, client: &str) -> Option<Slot> {
        self.take(Kind::Subscription, client, self.max_subscriptions)
    }

    /// The most sockets a client may hold open.
    pub fn max_sockets(&self) -> usize {
        self.max_sockets
    }

    /// The most subscriptions a client may run at once.
    pub fn max_subscriptions(&self) -> usize {
        self.max_subscriptions
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.sessions.open.lock().unwrap_or_else(|p| p.into_inner());
        let key = (self.kind, std::mem::take(&mut self.client));
        if let Some(count) = open.get_mut(&key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_per_client_and_come_back_when_dropped() {
        let sessions = Sessions::new(2, 1);
        let a = sessions.open_socket("a");
        let b = sessions.open_socket("a");
        assert!(a.is_some() && b.is_some());
        assert!(sessions.open_socket("a").is_none());
        assert!(sessions.open_socket("other").is_some(), "another client is not affected");
        drop(a);
        assert!(sessions.open_socket("a").is_some());
        let sub = sessions.start_subscription("a");
        assert!(sub.is_some() && sessions.start_subscription("a").is_none());
        drop(sub);
        assert!(sessions.start_subscription("a").is_some());
    }
}
