//! The client's address, for limits that count per address.
//!
//! It is the TCP peer, unless the peer is one of the configured trusted proxies
//! (`MEDTOUR_TRUSTED_PROXIES`). Then, and only then, the proxies' own record of the chain is
//! read: `Forwarded` (RFC 7239, its `for=` parameters) when present, `X-Forwarded-For`
//! otherwise, and no other header. The chain is walked from the right, skipping trusted
//! proxies, and the first address that is not one is the client: everything to its left was
//! written by a party we do not trust. A malformed header, or a hop that hides its address
//! (`for=unknown`, `for=_hidden`), leaves the peer as the client address; a chain made only
//! of trusted proxies gives its left-most hop.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use axum::http::header::{FORWARDED, HeaderMap, HeaderName};
use ipnet::IpNet;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// One hop of a forwarding chain.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Hop {
    Address(IpAddr),
    /// `unknown`, an obfuscated identifier, or an element without `for=`.
    Hidden,
}

/// The address of the client behind `peer`, read from the forwarding headers only when
/// `peer` is in `trusted`.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(&ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops = if headers.contains_key(FORWARDED) {
        forwarded(headers)
    } else if headers.contains_key(X_FORWARDED_FOR) {
        x_forwarded_for(headers)
    } else {
        return peer;
    };
    let Some(hops) = hops else { return peer };
    let mut leftmost = peer;
    for hop in hops.iter().rev() {
        match *hop {
            Hop::Address(ip) if is_trusted(ip) => leftmost = ip,
            Hop::Address(ip) => return ip,
            Hop::Hidden => return peer,
        }
    }
    leftmost
}

/// The hops of every `Forwarded` header, in order; `None` when any of it is malformed.
fn forwarded(headers: &HeaderMap) -> Option<Vec<Hop>> {
    let mut hops = Vec::new();
    for value in headers.get_all(FORWARDED) {
        for element in split_unquoted(value.to_str().ok()?, ',')? {
            if element.trim().is_empty() {
                continue;
            }
            let mut node = None;
            for pair in split_unquoted(element, ';')? {
                let (name, value) = pair.trim().split_once('=')?;
                if !is_token(name) {
                    return None;
                }
                let value = unquote(value)?;
                if name.eq_ignore_ascii_case("for") && node.replace(forwarded_node(&value)?).is_some() {
                    return None;
                }
            }
            hops.push(node.unwrap_or(Hop::Hidden));
        }
    }
    (!hops.is_empty()).then_some(hops)
}

/// An RFC 7239 node: `IPv4[:port]`, `"[IPv6][:port]"`, `unknown` or `_obfuscated`.
fn forwarded_node(node: &str) -> Option<Hop> {
    if node.eq_ignore_ascii_case("unknown") || (node.starts_with('_') && is_obfuscated(node)) {
        return Some(Hop::Hidden);
    }
    let (host, port) = match node.strip_prefix('[') {
        Some(rest) => {
            let (v6, after) = rest.split_once(']')?;
            (IpAddr::V6(v6.parse::<Ipv6Addr>().ok()?), after)
        }
        None => {
            let (v4, after) = node.find(':').map_or((node, ""), |i| node.split_at(i));
            (IpAddr::V4(v4.parse::<Ipv4Addr>().ok()?), after)
        }
    };
    match port.strip_prefix(':') {
        None if port.is_empty() => Some(Hop::Address(host.to_canonical())),
        Some(port) if is_port(port) => Some(Hop::Address(host.to_canonical())),
        _ => None,
    }
}

/// The hops of every `X-Forwarded-For` header, in order; `None` when any of it is malformed.
fn x_forwarded_for(headers: &HeaderMap) -> Option<Vec<Hop>> {
    let mut hops = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        for entry in value.to_str().ok()?.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let hop = if entry.eq_ignore_ascii_case("unknown") {
                Hop::Hidden
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                Hop::Address(ip.to_canonical())
            } else {
                // `[IPv6]:port` and `IPv4:port`, as some proxies write them.
                match forwarded_node(entry)? {
                    Hop::Address(ip) => Hop::Address(ip),
                    Hop::Hidden => return None,
                }
            };
            hops.push(hop);
        }
    }
    (!hops.is_empty()).then_some(hops)
}

/// `text` split at each `separator` outside a quoted string; `None` if a quote is unclosed.
fn split_unquoted(text: &str, separator: char) -> Option<Vec<&str>> {
    let (mut parts, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    (!quoted).then_some(parts)
}

/// A token or a quoted string (RFC 7230 §3.2.6), unquoted.
fn unquote(value: &str) -> Option<String> {
    let Some(inner) = value.strip_prefix('"') else { return is_token(value).then(|| value.to_owned()) };
    let inner = inner.strip_suffix('"')?;
    let (mut out, mut chars) = (String::new(), inner.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

fn is_token(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn is_obfuscated(text: &str) -> bool {
    text.len() > 1 && text.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

fn is_port(text: &str) -> bool {
    (!text.is_empty() && text.len() <= 5 && text.chars().all(|c| c.is_ascii_digit()) && text.parse::<u16>().is_ok())
        || (text.starts_with('_') && is_obfuscated(text))
}

#[cfg(test)]
#[path = "client_ip_tests.rs"]
mod tests;
