//! Where a channel's calls go: URL validation, and the token endpoint a channel uses.
//!
//! Login with Amazon is not the SP-API host, and eBay's OAuth endpoint has a path of its own,
//! so "the token endpoint follows the API endpoint" is only true for a simulator. The rule,
//! pure so it is tested as a table ([`token_url`]):
//! 1. an auth endpoint given by the user wins (a URL with no path gets the channel's token
//!    path, so `--auth-endpoint http://127.0.0.1:9000` names a simulator);
//! 2. a real API host implies its real auth host (Amazon's SP-API regions and sandboxes:
//!    `https://api.amazon.com/auth/o2/token`; eBay's production and sandbox hosts: their own
//!    `/identity/v1/oauth2/token`);
//! 3. anything else (a simulator on loopback, a proxy) follows the API endpoint.

use reqwest::Url;

use crate::{ChannelError, ChannelKind};

/// Longest URL accepted: real ones are under 100 characters; this catches a pasted blob.
pub const MAX_URL_LEN: usize = 300;

/// Login with Amazon's token endpoint, the same for every SP-API region.
pub const AMAZON_LWA_TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";
pub const EBAY_TOKEN_URL: &str = "https://api.ebay.com/identity/v1/oauth2/token";
pub const EBAY_SANDBOX_TOKEN_URL: &str = "https://api.sandbox.ebay.com/identity/v1/oauth2/token";

/// The token path on a host that serves the channel's OAuth (the simulator's, a proxy's).
pub fn token_path(kind: ChannelKind) -> Option<&'static str> {
    match kind {
        ChannelKind::Shopify => None,
        ChannelKind::Amazon => Some("/auth/o2/token"),
        ChannelKind::Ebay => Some("/identity/v1/oauth2/token"),
    }
}

/// SP-API hosts (regions and their sandboxes), whose tokens come from Login with Amazon.
const AMAZON_API_HOSTS: [&str; 6] = [
    "sellingpartnerapi-na.amazon.com",
    "sellingpartnerapi-eu.amazon.com",
    "sellingpartnerapi-fe.amazon.com",
    "sandbox.sellingpartnerapi-na.amazon.com",
    "sandbox.sellingpartnerapi-eu.amazon.com",
    "sandbox.sellingpartnerapi-fe.amazon.com",
];

/// An `http(s)://host[:port][/path]` URL with nothing else in it (no user, query or fragment),
/// or what is wrong with it (the caller names the URL and the flag).
pub fn check_url(raw: &str) -> Result<Url, String> {
    let bad = |why: &str| Err(why.to_string());
    if raw.is_empty() {
        return bad("it is empty");
    }
    if raw.len() > MAX_URL_LEN {
        return bad(&format!("longer than {MAX_URL_LEN} characters"));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it contains spaces or control characters");
    }
    let url = match Url::parse(raw) {
        Ok(url) => url,
        Err(e) => return bad(&format!("{e}; expected http(s)://host[:port]")),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return bad("expected http(s)://host[:port]");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return bad("it names no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return bad("credentials do not belong in a URL");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return bad("a query or fragment does not belong in an endpoint");
    }
    Ok(url)
}

/// A URL as the clients join paths to it: no trailing slash.
fn base(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_string()
}

/// The token URL a channel of `kind` uses with API endpoint `api` and, when the user gave one,
/// auth endpoint `auth` (see the module docs for the rule).
pub fn token_url(kind: ChannelKind, api: &str, auth: Option<&str>) -> Result<String, ChannelError> {
    let Some(path) = token_path(kind) else {
        return match auth {
            Some(_) => Err(ChannelError::Config("shopify channels take no auth endpoint".into())),
            None => Err(ChannelError::Config("shopify channels have no token endpoint".into())),
        };
    };
    if let Some(auth) = auth {
        let url = check_url(auth)
            .map_err(|e| ChannelError::Config(format!("invalid auth endpoint '{auth}': {e}")))?;
        return Ok(if url.path() == "/" { format!("{}{path}", base(&url)) } else { base(&url) });
    }
    let api_url =
        check_url(api).map_err(|e| ChannelError::Config(format!("invalid endpoint '{api}': {e}")))?;
    let host = api_url.host_str().unwrap_or_default().to_ascii_lowercase();
    let default_port = api_url.port().is_none_or(|p| p == 443);
    let real = match kind {
        ChannelKind::Amazon if default_port && AMAZON_API_HOSTS.contains(&host.as_str()) => {
            Some(AMAZON_LWA_TOKEN_URL)
        }
        ChannelKind::Ebay if default_port && host == "api.ebay.com" => Some(EBAY_TOKEN_URL),
        ChannelKind::Ebay if default_port && host == "api.sandbox.ebay.com" => Some(EBAY_SANDBOX_TOKEN_URL),
        _ => None,
    };
    Ok(real.map_or_else(|| format!("{}{path}", base(&api_url)), str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_follow_the_rule() {
        use ChannelKind::{Amazon, Ebay};
        let cases: &[(ChannelKind, &str, Option<&str>, &str)] = &[
            // Real SP-API hosts: Login with Amazon, whatever the region or sandbox.
            (Amazon, "https://sellingpartnerapi-na.amazon.com", None, AMAZON_LWA_TOKEN_URL),
            (Amazon, "https://sellingpartnerapi-eu.amazon.com/", None, AMAZON_LWA_TOKEN_URL),
            (Amazon, "https://SellingPartnerAPI-FE.amazon.com", None, AMAZON_LWA_TOKEN_URL),
            (Amazon, "https://sandbox.sellingpartnerapi-na.amazon.com", None, AMAZON_LWA_TOKEN_URL),
            (Amazon, "https://sandbox.sellingpartnerapi-eu.amazon.com", None, AMAZON_LWA_TOKEN_URL),
            (Amazon, "https://sandbox.sellingpartnerapi-fe.amazon.com", None, AMAZON_LWA_TOKEN_URL),
            // A simulator, a look-alike host or a non-standard port follows the endpoint.
            (Amazon, "http://127.0.0.1:8787", None, "http://127.0.0.1:8787/auth/o2/token"),
            (Amazon, "http://127.0.0.1:8787/", None, "http://127.0.0.1:8787/auth/o2/token"),
            (
                Amazon,
                "https://sellingpartnerapi-na.amazon.com.evil.test",
                None,
                "https://sellingpartnerapi-na.amazon.com.evil.test/auth/o2/token",
            ),
            (
                Amazon,
                "https://sellingpartnerapi-na.amazon.com:8443",
                None,
                "https://sellingpartnerapi-na.amazon.com:8443/auth/o2/token",
            ),
            (Ebay, "https://api.ebay.com", None, EBAY_TOKEN_URL),
            (Ebay, "https://api.sandbox.ebay.com", None, EBAY_SANDBOX_TOKEN_URL),
            (Ebay, "http://127.0.0.1:9000", None, "http://127.0.0.1:9000/identity/v1/oauth2/token"),
            (Ebay, "https://ebay.example.com", None, "https://ebay.example.com/identity/v1/oauth2/token"),
            // Given: it wins; a bare host gets the token path, a path is kept as given.
            (
                Amazon,
                "https://sellingpartnerapi-na.amazon.com",
                Some("http://127.0.0.1:9"),
                "http://127.0.0.1:9/auth/o2/token",
            ),
            (
                Amazon,
                "http://127.0.0.1:8787",
                Some("https://api.amazon.com/auth/o2/token"),
                AMAZON_LWA_TOKEN_URL,
            ),
            (
                Ebay,
                "https://api.ebay.com",
                Some("https://api.sandbox.ebay.com/identity/v1/oauth2/token/"),
                EBAY_SANDBOX_TOKEN_URL,
            ),
            (
                Ebay,
                "https://api.ebay.com",
                Some("http://127.0.0.1:7/"),
                "http://127.0.0.1:7/identity/v1/oauth2/token",
            ),
        ];
        for (kind, api, auth, want) in cases {
            assert_eq!(token_url(*kind, api, *auth).unwrap(), *want, "{kind:?} {api} {auth:?}");
        }
    }

    #[test]
    fn bad_urls_are_refused_with_the_reason() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("ftp://x.test", "http(s)://"),
            ("api.amazon.com", "expected http(s)://"),
            ("https://", "host"),
            ("https://a b.test", "spaces"),
            ("https://user:pw@api.amazon.com", "credentials"),
            ("https://api.amazon.com/auth?x=1", "query"),
            ("https://api.amazon.com/#frag", "fragment"),
            ("http://127.0.0.1:99999", "invalid port"),
        ];
        for (raw, want) in cases {
            let error = check_url(raw).unwrap_err();
            assert!(error.contains(want), "{raw:?}: {error}");
        }
        let long = format!("https://{}.test", "a".repeat(MAX_URL_LEN));
        assert!(check_url(&long).unwrap_err().contains("longer than"));
        for good in ["http://127.0.0.1:8787", "https://api.amazon.com/auth/o2/token", "https://[::1]:9000/"] {
            assert!(check_url(good).is_ok(), "{good}");
        }
        let error = token_url(ChannelKind::Amazon, "http://127.0.0.1:1", Some("nope")).unwrap_err();
        assert!(error.to_string().contains("invalid auth endpoint 'nope'"), "{error}");
        assert!(token_url(ChannelKind::Shopify, "https://x.myshopify.com", Some("https://a.test")).is_err());
    }
}
