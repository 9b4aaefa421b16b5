//! AWS Signature Version 4, written against AWS's specification ("Create a signed AWS API
//! request", docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) and checked
//! byte for byte against AWS's published test-suite vectors (`get-vanilla`, `post-vanilla`,
//! `get-vanilla-query-order-key-case`; see the tests below).
//!
//! Four steps, each a pure function here so each can be tested on its own:
//! 1. the canonical request: method, URI-encoded path, sorted query, lower-cased sorted headers
//!    with trimmed values, the signed-header list, the payload's SHA-256 in hex;
//! 2. the string to sign: `AWS4-HMAC-SHA256`, the time, the scope
//!    `YYYYMMDD/region/service/aws4_request`, the canonical request's SHA-256;
//! 3. the signing key: HMAC chain `"AWS4"+secret` → date → region → service → `aws4_request`;
//! 4. the signature: HMAC(signing key, string to sign) in hex, sent in `Authorization`.
//!
//! Only header signing (no presigned URLs, no chunked S3 payloads): that is all SQS needs.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// An AWS access key pair. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

/// What is signed: the request as it goes on the wire.
#[derive(Clone, Debug)]
pub struct Signable<'a> {
    pub method: &'a str,
    /// The path as sent (`/`, `/123456789012/queue`); encoded here per segment.
    pub path: &'a str,
    /// The raw query string without `?` (may be empty).
    pub query: &'a str,
    /// Every header to sign (name, value); `host` and `x-amz-date` must be among them.
    pub headers: &'a [(String, String)],
    pub payload: &'a [u8],
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// AWS's URI encoding: unreserved characters (`A-Z a-z 0-9 - _ . ~`) as they are, every other
/// byte as `%XX` in upper-case hex; `/` kept when encoding a path.
pub fn uri_encode(value: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) =
                std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The canonical query: each name and value decoded then AWS-encoded, sorted by name then value.
pub fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&percent_decode(k), false), uri_encode(&percent_decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// Header values as AWS canonicalises them: trimmed, inner runs of spaces collapsed to one.
fn canonical_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (canonical headers block, signed headers list).
pub fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut merged: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (name, value) in headers {
        merged.entry(name.trim().to_ascii_lowercase()).or_default().push(canonical_value(value));
    }
    let block: String = merged.iter().map(|(k, vs)| format!("{k}:{}\n", vs.join(","))).collect();
    let signed = merged.keys().cloned().collect::<Vec<_>>().join(";");
    (block, signed)
}

/// Step 1.
pub fn canonical_request(request: &Signable<'_>) -> String {
    let path = if request.path.is_empty() { "/" } else { request.path };
    let (headers, signed) = canonical_headers(request.headers);
    format!(
        "{}\n{}\n{}\n{headers}\n{signed}\n{}",
        request.method,
        uri_encode(path, true),
        canonical_query(request.query),
        sha256_hex(request.payload)
    )
}

/// `YYYYMMDD/region/service/aws4_request`.
pub fn scope(amz_date: &str, region: &str, service: &str) -> String {
    format!("{}/{region}/{service}/aws4_request", &amz_date[..8.min(amz_date.len())])
}

/// Step 2.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// Step 3.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// Step 4: the signature in hex.
pub fn signature(
    credentials: &AwsCredentials,
    request: &Signable<'_>,
    amz_date: &str,
    region: &str,
    service: &str,
) -> String {
    let scope = scope(amz_date, region, service);
    let to_sign = string_to_sign(amz_date, &scope, &canonical_request(request));
    let key =
        signing_key(&credentials.secret_access_key, &amz_date[..8.min(amz_date.len())], region, service);
    hex(&hmac(&key, to_sign.as_bytes()))
}

/// The `Authorization` header value.
pub fn authorization(
    credentials: &AwsCredentials,
    request: &Signable<'_>,
    amz_date: &str,
    region: &str,
    service: &str,
) -> String {
    let (_, signed) = canonical_headers(request.headers);
    format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={signed}, Signature={}",
        credentials.access_key_id,
        scope(amz_date, region, service),
        signature(credentials, request, amz_date, region, service)
    )
}

/// `YYYYMMDDTHHMMSSZ` for a Unix time in seconds (UTC; civil-from-days, Howard Hinnant).
pub fn amz_date(unix_secs: u64) -> String {
    let secs = unix_secs as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Now, as `x-amz-date`.
pub fn amz_date_now() -> String {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    amz_date(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    // AWS's SigV4 test suite (aws-sig-v4-test-suite, reproduced in AWS's documentation and
    // in the AWS SDKs' test data): every case signs with these.
    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const DATE: &str = "20150830T123600Z";
    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn credentials() -> AwsCredentials {
        AwsCredentials { access_key_id: AKID.into(), secret_access_key: SECRET.into() }
    }

    fn suite_headers() -> Vec<(String, String)> {
        vec![("Host".into(), "example.amazonaws.com".into()), ("X-Amz-Date".into(), DATE.into())]
    }

    /// (case name, method, query, expected Authorization header).
    const VECTORS: &[(&str, &str, &str, &str)] = &[
        (
            "get-vanilla",
            "GET",
            "",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "post-vanilla",
            "POST",
            "",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
        (
            "get-vanilla-query-order-key-case",
            "GET",
            "Param2=value2&Param1=value1",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
    ];

    #[test]
    fn the_aws_test_suite_vectors_sign_byte_for_byte() {
        let headers = suite_headers();
        for (name, method, query, expected) in VECTORS {
            let request = Signable { method, path: "/", query, headers: &headers, payload: b"" };
            let got = authorization(&credentials(), &request, DATE, "us-east-1", "service");
            assert_eq!(&got, expected, "{name}");
        }
    }

    #[test]
    fn get_vanilla_intermediate_steps_match_the_suite() {
        // get-vanilla.creq and get-vanilla.sts of the suite.
        let headers = suite_headers();
        let request = Signable { method: "GET", path: "/", query: "", headers: &headers, payload: b"" };
        let creq = canonical_request(&request);
        assert_eq!(
            creq,
            format!(
                "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:{DATE}\n\nhost;x-amz-date\n{EMPTY_SHA256}"
            )
        );
        let sts = string_to_sign(DATE, &scope(DATE, "us-east-1", "service"), &creq);
        assert_eq!(
            sts,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
    }

    #[test]
    fn any_change_to_what_is_signed_changes_the_signature() {
        let headers = suite_headers();
        let base = Signable { method: "POST", path: "/", query: "", headers: &headers, payload: b"{}" };
        let reference = signature(&credentials(), &base, DATE, "us-east-1", "sqs");
        let other_secret = AwsCredentials { secret_access_key: "x".into(), ..credentials() };
        assert_ne!(signature(&other_secret, &base, DATE, "us-east-1", "sqs"), reference);
        assert_ne!(
            signature(
                &credentials(),
                &Signable { payload: b"{ }", ..base.clone() },
                DATE,
                "us-east-1",
                "sqs"
            ),
            reference
        );
        assert_ne!(signature(&credentials(), &base, DATE, "eu-west-1", "sqs"), reference);
        assert_ne!(signature(&credentials(), &base, "20150831T123600Z", "us-east-1", "sqs"), reference);
    }

    #[test]
    fn header_values_are_trimmed_and_names_lower_cased() {
        let (block, signed) = canonical_headers(&[
            ("X-Amz-Target".into(), "  AmazonSQS.ReceiveMessage ".into()),
            ("Host".into(), "a  b".into()),
        ]);
        assert_eq!(block, "host:a b\nx-amz-target:AmazonSQS.ReceiveMessage\n");
        assert_eq!(signed, "host;x-amz-target");
    }

    #[test]
    fn dates_format_as_aws_wants() {
        assert_eq!(amz_date(1_440_938_160), DATE);
        assert_eq!(amz_date(0), "19700101T000000Z");
    }
}
