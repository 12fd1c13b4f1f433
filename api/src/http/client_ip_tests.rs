//! Which address each forwarding chain yields, from trusted and untrusted peers.

use axum::http::HeaderValue;

use super::*;

const PROXY: &str = "10.0.0.5";
const PROXY_V6: &str = "2001:db8:ffff::5";
const STRANGER: &str = "198.51.100.1";

fn trusted() -> Vec<IpNet> {
    ["10.0.0.0/8", "127.0.0.1/32", "2001:db8:ffff::/48"].iter().map(|n| n.parse().expect("a test network")).collect()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("a header name");
        map.append(name, HeaderValue::from_bytes(value.as_bytes()).expect("a header value"));
    }
    map
}

#[test]
fn the_client_address_is_read_only_from_trusted_proxies() {
    // (why, TCP peer, headers, expected client address)
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str);
    let xff = "x-forwarded-for";
    let fwd = "forwarded";
    let cases: Vec<Case<'_>> = vec![
        // The peer itself.
        ("no headers from a stranger", STRANGER, vec![], STRANGER),
        ("no headers from a proxy", PROXY, vec![], PROXY),
        ("X-Forwarded-For from an untrusted peer is ignored", STRANGER, vec![(xff, "192.0.2.9")], STRANGER),
        ("Forwarded from an untrusted peer is ignored", STRANGER, vec![(fwd, "for=192.0.2.9")], STRANGER),
        (
            "a spoofed chain ending in a proxy address is ignored",
            STRANGER,
            vec![(xff, "192.0.2.9, 10.0.0.7")],
            STRANGER,
        ),
        (
            "other headers are never read",
            PROXY,
            vec![("x-real-ip", "192.0.2.9"), ("true-client-ip", "192.0.2.9")],
            PROXY,
        ),
        // X-Forwarded-For.
        ("one hop", PROXY, vec![(xff, "192.0.2.9")], "192.0.2.9"),
        ("the right-most untrusted hop wins", PROXY, vec![(xff, "203.0.113.4, 192.0.2.9")], "192.0.2.9"),
        ("trusted hops are skipped", PROXY, vec![(xff, "203.0.113.4, 192.0.2.9, 10.1.1.1, 10.2.2.2")], "192.0.2.9"),
        ("an all-trusted chain gives its left-most hop", PROXY, vec![(xff, "10.3.3.3, 10.1.1.1")], "10.3.3.3"),
        ("a spoofed left part is ignored", PROXY, vec![(xff, "127.0.0.1, 192.0.2.9")], "192.0.2.9"),
        ("IPv6", PROXY, vec![(xff, "2001:db8:1::9")], "2001:db8:1::9"),
        ("IPv6 in brackets with a port", PROXY, vec![(xff, "[2001:db8:1::9]:4711")], "2001:db8:1::9"),
        ("IPv4 with a port", PROXY, vec![(xff, "192.0.2.9:4711")], "192.0.2.9"),
        ("IPv4-mapped IPv6 is IPv4", PROXY, vec![(xff, "::ffff:192.0.2.9")], "192.0.2.9"),
        ("a trusted IPv6 peer", PROXY_V6, vec![(xff, "192.0.2.9")], "192.0.2.9"),
        (
            "repeated headers form one chain",
            PROXY,
            vec![(xff, "192.0.2.9"), (xff, "203.0.113.4, 10.1.1.1")],
            "203.0.113.4",
        ),
        ("empty elements are skipped", PROXY, vec![(xff, "192.0.2.9, ,")], "192.0.2.9"),
        ("an unknown hop leaves the peer", PROXY, vec![(xff, "192.0.2.9, unknown")], PROXY),
        ("garbage leaves the peer", PROXY, vec![(xff, "not-an-address")], PROXY),
        ("garbage anywhere leaves the peer", PROXY, vec![(xff, "garbage, 192.0.2.9")], PROXY),
        ("an empty header leaves the peer", PROXY, vec![(xff, "")], PROXY),
        ("a CIDR is not an address", PROXY, vec![(xff, "192.0.2.0/24")], PROXY),
        ("an obfuscated identifier is not X-Forwarded-For", PROXY, vec![(xff, "_hidden")], PROXY),
        ("a bad port leaves the peer", PROXY, vec![(xff, "192.0.2.9:99999")], PROXY),
        ("non-ASCII leaves the peer", PROXY, vec![(xff, "192.0.2.9\u{e9}")], PROXY),
        // Forwarded.
        ("for=", PROXY, vec![(fwd, "for=192.0.2.9")], "192.0.2.9"),
        ("quoted", PROXY, vec![(fwd, "for=\"192.0.2.9\"")], "192.0.2.9"),
        ("quoted with a port", PROXY, vec![(fwd, "for=\"192.0.2.9:4711\"")], "192.0.2.9"),
        ("IPv6 in brackets", PROXY, vec![(fwd, "for=\"[2001:db8:1::9]\"")], "2001:db8:1::9"),
        ("IPv6 in brackets with a port", PROXY, vec![(fwd, "For=\"[2001:db8:1::9]:4711\"")], "2001:db8:1::9"),
        ("an obfuscated port", PROXY, vec![(fwd, "for=\"[2001:db8:1::9]:_p1\"")], "2001:db8:1::9"),
        ("other parameters", PROXY, vec![(fwd, "proto=https;for=192.0.2.9;by=10.0.0.5;host=\"a;b,c\"")], "192.0.2.9"),
        ("spaces around separators", PROXY, vec![(fwd, "for=203.0.113.4 , for=192.0.2.9 ; proto=https")], "192.0.2.9"),
        ("multiple hops", PROXY, vec![(fwd, "for=203.0.113.4, for=192.0.2.9, for=10.1.1.1")], "192.0.2.9"),
        ("a trusted IPv6 hop", PROXY, vec![(fwd, "for=192.0.2.9, for=\"[2001:db8:ffff::1]\"")], "192.0.2.9"),
        ("repeated Forwarded headers", PROXY, vec![(fwd, "for=192.0.2.9"), (fwd, "for=203.0.113.4")], "203.0.113.4"),
        ("Forwarded is preferred", PROXY, vec![(xff, "203.0.113.4"), (fwd, "for=192.0.2.9")], "192.0.2.9"),
        (
            "a malformed Forwarded does not fall to X-Forwarded-For",
            PROXY,
            vec![(xff, "203.0.113.4"), (fwd, "for")],
            PROXY,
        ),
        ("for=unknown leaves the peer", PROXY, vec![(fwd, "for=unknown")], PROXY),
        ("for=_hidden leaves the peer", PROXY, vec![(fwd, "for=_hidden")], PROXY),
        ("a hidden right-most hop hides what is left of it", PROXY, vec![(fwd, "for=192.0.2.9, for=_hidden")], PROXY),
        (
            "a hidden hop left of the client is irrelevant",
            PROXY,
            vec![(fwd, "for=_hidden, for=192.0.2.9")],
            "192.0.2.9",
        ),
        ("an element without for= leaves the peer", PROXY, vec![(fwd, "for=192.0.2.9, proto=https")], PROXY),
        ("unquoted IPv6 is malformed", PROXY, vec![(fwd, "for=2001:db8:1::9")], PROXY),
        ("unquoted brackets are malformed", PROXY, vec![(fwd, "for=[2001:db8:1::9]")], PROXY),
        ("unquoted with a port is malformed", PROXY, vec![(fwd, "for=192.0.2.9:80")], PROXY),
        ("IPv6 without brackets is malformed", PROXY, vec![(fwd, "for=\"2001:db8:1::9\"")], PROXY),
        ("an unclosed bracket", PROXY, vec![(fwd, "for=\"[2001:db8:1::9\"")], PROXY),
        ("an unclosed quote", PROXY, vec![(fwd, "for=\"192.0.2.9")], PROXY),
        ("for= twice in one element", PROXY, vec![(fwd, "for=192.0.2.9;for=203.0.113.4")], PROXY),
        ("an empty for=", PROXY, vec![(fwd, "for=")], PROXY),
        ("a pair without =", PROXY, vec![(fwd, "192.0.2.9")], PROXY),
        ("garbage after the address", PROXY, vec![(fwd, "for=\"192.0.2.9]\"")], PROXY),
        ("an empty Forwarded", PROXY, vec![(fwd, "")], PROXY),
        ("a spoofed Forwarded from an untrusted peer", STRANGER, vec![(fwd, "for=\"[2001:db8:1::9]:1\"")], STRANGER),
    ];
    let trusted = trusted();
    for (why, peer, pairs, expected) in &cases {
        let peer: IpAddr = peer.parse().expect("a test peer");
        let expected: IpAddr = expected.parse().expect("a test address");
        assert_eq!(client_address(peer, &headers(pairs), &trusted), expected, "{why}: {pairs:?}");
    }
}

#[test]
fn without_trusted_proxies_the_peer_is_the_client() {
    let peer: IpAddr = "127.0.0.1".parse().expect("an address");
    let spoofed = headers(&[("x-forwarded-for", "192.0.2.9"), ("forwarded", "for=192.0.2.9")]);
    assert_eq!(client_address(peer, &spoofed, &[]), peer);
}

#[test]
fn an_ipv4_mapped_peer_is_matched_as_ipv4() {
    let peer: IpAddr = "::ffff:10.0.0.5".parse().expect("an address");
    let forwarded = headers(&[("x-forwarded-for", "192.0.2.9")]);
    assert_eq!(client_address(peer, &forwarded, &trusted()), "192.0.2.9".parse::<IpAddr>().expect("an address"));
}
