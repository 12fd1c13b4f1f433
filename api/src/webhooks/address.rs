//! Which webhook URLs are acceptable, and the resolver that checks every address the
//! delivery worker connects to.
//!
//! A URL is checked when it is registered, and every attempt checks the addresses its host
//! resolves to then (a name that pointed at a public address may later point inside:
//! DNS rebinding). The HTTP client connects only to addresses this resolver handed it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::config::WebhookSettings;

/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// The rules a URL and its addresses must meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// `http://` and loopback addresses allowed.
    pub allow_insecure: bool,
    /// Private, link-local, metadata (and, unless insecure, loopback) addresses refused.
    pub public_only: bool,
}

impl Policy {
    /// The policy the settings ask for.
    pub fn of(settings: &WebhookSettings) -> Self {
        Self { allow_insecure: settings.allow_insecure, public_only: settings.public_addresses_only }
    }

    /// Why `ip` may not be connected to, if it may not.
    pub fn refuses(self, ip: IpAddr) -> Option<&'static str> {
        let ip = ip.to_canonical();
        if ip.is_loopback() {
            return (!self.allow_insecure)
                .then_some("a loopback address is only allowed with MEDTOUR_WEBHOOK_ALLOW_INSECURE");
        }
        if !self.public_only {
            return None;
        }
        if is_metadata(ip) {
            return Some("a cloud metadata address is not allowed");
        }
        if is_internal(ip) {
            return Some("a private, link-local or reserved address is not allowed");
        }
        None
    }

    /// Checks a URL's form (scheme, host, no credentials) and, when its host is an address,
    /// that address. Names are checked again on every attempt.
    pub fn check_url(self, text: &str) -> Result<Url, String> {
        if text.len() > MAX_URL_LEN {
            return Err(format!("at most {MAX_URL_LEN} characters"));
        }
        let url = Url::parse(text.trim()).map_err(|_| "not a valid absolute URL".to_owned())?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_insecure => {}
            "http" => return Err("must use https".into()),
            _ => return Err("must be an https URL".into()),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry credentials".into());
        }
        match url.host() {
            None => return Err("must name a host".into()),
            Some(url::Host::Ipv4(ip)) => self.refuses(IpAddr::V4(ip)).map_or(Ok(()), |why| Err(why.to_owned()))?,
            Some(url::Host::Ipv6(ip)) => self.refuses(IpAddr::V6(ip)).map_or(Ok(()), |why| Err(why.to_owned()))?,
            Some(url::Host::Domain(_)) => {}
        }
        Ok(url)
    }

    /// Checks a URL as [`check_url`](Self::check_url) does, and the addresses its name
    /// resolves to now (a name that does not resolve yet is accepted: attempts check again).
    pub async fn check_registration(self, text: &str) -> Result<Url, String> {
        let url = self.check_url(text)?;
        if let Some(url::Host::Domain(name)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            if let Ok(addrs) = tokio::net::lookup_host((name, port)).await {
                for addr in addrs {
                    if let Some(why) = self.refuses(addr.ip()) {
                        return Err(format!("{name} resolves to {}: {why}", addr.ip()));
                    }
                }
            }
        }
        Ok(url)
    }

    /// The resolver the delivery client uses: it fails a name with any refused address.
    pub fn resolver(self) -> Arc<CheckedResolver> {
        Arc::new(CheckedResolver(self))
    }
}

fn is_metadata(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4 == Ipv4Addr::new(169, 254, 169, 254) || v4 == Ipv4Addr::new(100, 100, 100, 200),
        IpAddr::V6(v6) => v6 == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254),
    }
}

fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
        }
    }
}

/// Resolves a name and refuses it when any of its addresses is refused, so the client never
/// connects to an address that was not checked.
pub struct CheckedResolver(Policy);

/// A name whose addresses the policy refuses.
#[derive(Debug, thiserror::Error)]
#[error("{name} resolves to {ip}: {why}")]
pub struct RefusedAddress {
    name: String,
    ip: IpAddr,
    why: &'static str,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for addr in &addrs {
                if let Some(why) = policy.refuses(addr.ip()) {
                    return Err(Box::new(RefusedAddress { name: host, ip: addr.ip(), why }) as _);
                }
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTION: Policy = Policy { allow_insecure: false, public_only: true };
    const DEVELOPMENT: Policy = Policy { allow_insecure: true, public_only: false };

    #[test]
    fn production_accepts_only_public_https_urls() {
        let cases = [
            ("https://93.184.216.34/hooks", true),
            ("https://hooks.example.com/medtour", true),
            ("http://hooks.example.com/medtour", false),
            ("ftp://hooks.example.com/", false),
            ("https://user:pw@hooks.example.com/", false),
            ("https://127.0.0.1/", false),
            ("https://[::1]/", false),
            ("https://10.0.0.8/", false),
            ("https://172.16.3.1/", false),
            ("https://192.168.1.1/", false),
            ("https://169.254.169.254/latest/meta-data", false),
            ("https://169.254.1.1/", false),
            ("https://[fe80::1]/", false),
            ("https://[fd00:ec2::254]/", false),
            ("https://[::ffff:10.0.0.1]/", false),
            ("https://0.0.0.0/", false),
            ("not a url", false),
        ];
        for (url, ok) in cases {
            assert_eq!(PRODUCTION.check_url(url).is_ok(), ok, "{url}");
        }
    }

    #[test]
    fn development_accepts_http_and_loopback() {
        for url in ["http://127.0.0.1:9000/hook", "http://localhost/hook", "https://10.0.0.8/"] {
            assert!(DEVELOPMENT.check_url(url).is_ok(), "{url}");
        }
    }
}
