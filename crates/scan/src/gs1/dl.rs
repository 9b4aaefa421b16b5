//! GS1 Digital Link URIs (`https://example.com/01/09506000134352/10/ABC?17=251231`).
//!
//! The rules are the syntax engine's strict defaults: lower- or upper-case scheme only, a host,
//! a path ending in a primary key and a valid key-qualifier sequence, query parameters that are
//! AIs allowed as DL attributes, no AI twice, full 14-digit GTINs unless zero-suppressed GTINs
//! are permitted. The stem (domain and leading path) carries no meaning and is dropped.

use super::element::{Element, Gs1Options, MAX_AIS, validate_associations, validate_element};
use super::table::{AiRef, table};
use crate::error::{Result, ScanError};

/// Characters RFC 3986 allows anywhere in a URI, percent included.
fn is_uri_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)
}

fn dl_error(msg: impl Into<String>) -> ScanError {
    ScanError::DigitalLink(msg.into())
}

/// Whether the text looks like an http(s) URI the engine would treat as a Digital Link.
pub fn is_dl_candidate(text: &str) -> bool {
    ["https://", "HTTPS://", "http://", "HTTP://"].iter().any(|s| text.starts_with(s))
}

/// The deprecated "convenience alphas" (`/gtin/...`), accepted only when permitted.
const CONVENIENCE_ALPHAS: &[(&str, &str)] = &[
    ("gtin", "01"),
    ("itip", "8006"),
    ("cpv", "22"),
    ("lot", "10"),
    ("ser", "21"),
    ("sscc", "00"),
    ("gln", "414"),
    ("glnx", "254"),
    ("party", "417"),
    ("gsrnp", "8017"),
    ("gsrn", "8018"),
    ("srin", "8019"),
    ("gcn", "255"),
    ("gdti", "253"),
    ("ginc", "401"),
    ("gsin", "402"),
    ("grai", "8003"),
    ("giai", "8004"),
    ("cpid", "8010"),
    ("cpsn", "8011"),
    ("gmn", "8013"),
];

pub fn parse_digital_link(uri: &str, opts: &Gs1Options) -> Result<Vec<Element>> {
    if let Some(pos) = uri.bytes().position(|b| !is_uri_char(b)) {
        return Err(dl_error(format!("illegal character at position {}", pos + 1)));
    }
    let after_scheme = ["https://", "HTTPS://", "http://", "HTTP://"]
        .iter()
        .find_map(|s| uri.strip_prefix(s))
        .ok_or_else(|| dl_error("scheme must be http:// or https://"))?;
    let slash = after_scheme.find('/').ok_or_else(|| dl_error("URI must contain a domain and path"))?;
    validate_host(&after_scheme[..slash])?;
    let rest = &after_scheme[slash..];
    let rest = rest.split_once('#').map_or(rest, |(before, _fragment)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut elements = parse_path(path, opts)?;
    parse_query(query, opts, &mut elements)?;
    validate_associations(&elements, opts.validations)?;
    Ok(elements)
}

fn validate_host(authority: &str) -> Result<()> {
    let host = if let Some(inner) = authority.strip_prefix('[') {
        let (ipv6, after) = inner.split_once(']').ok_or_else(|| dl_error("unterminated IPv6 host"))?;
        if ipv6.is_empty() || !ipv6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
            return Err(dl_error("invalid IPv6 host"));
        }
        return validate_port(after);
    } else {
        let (host, port) = authority.split_once(':').map_or((authority, ""), |(h, p)| (h, p));
        if !port.is_empty() || authority.ends_with(':') {
            validate_port(&authority[host.len()..])?;
        }
        host
    };
    let ok = !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !ok {
        return Err(dl_error("invalid host name"));
    }
    Ok(())
}

fn validate_port(after_host: &str) -> Result<()> {
    match after_host.strip_prefix(':') {
        None if after_host.is_empty() => Ok(()),
        Some(port) if !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(())
        }
        _ => Err(dl_error("invalid port")),
    }
}

/// Percent-decode; `plus_is_space` applies to query values only.
fn unescape(raw: &str, plus_is_space: bool) -> Result<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit() =>
            {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    if out.contains(&0) {
        return Err(dl_error("decoded value contains a NUL character"));
    }
    String::from_utf8(out).map_err(|_| dl_error("decoded value is not UTF-8"))
}

/// Resolve a path segment to an AI: numeric AIs, or convenience alphas when permitted.
fn segment_ai(segment: &str, opts: &Gs1Options) -> Option<(String, AiRef<'static>)> {
    let numeric = segment.bytes().all(|b| b.is_ascii_digit());
    let ai = if numeric {
        segment.to_owned()
    } else if opts.permit_convenience_alphas {
        CONVENIENCE_ALPHAS.iter().find(|(alpha, _)| *alpha == segment)?.1.to_owned()
    } else {
        return None;
    };
    let found = table().lookup(ai.as_bytes(), Some(ai.len()), opts.permit_unknown_ais)?;
    Some((ai, found))
}

fn is_primary_key(found: &AiRef<'_>) -> bool {
    found.entry().is_some_and(|e| e.dl_key_qualifiers.is_some())
}

/// Walk back from the end of the path over `/AI/value` pairs until a primary key is found.
fn parse_path(path: &str, opts: &Gs1Options) -> Result<Vec<Element>> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut start = None;
    let mut i = segments.len();
    while i >= 2 {
        let Some((_, found)) = segment_ai(segments[i - 2], opts) else { break };
        if is_primary_key(&found) {
            start = Some(i - 2);
            break;
        }
        i -= 2;
    }
    let start = start.ok_or_else(|| dl_error("no GS1 Digital Link primary key found in the path"))?;
    if !(segments.len() - start).is_multiple_of(2) {
        return Err(dl_error("path must end with an AI value"));
    }
    let mut elements = Vec::new();
    for pair in segments[start..].chunks(2) {
        let (ai, found) = segment_ai(pair[0], opts).ok_or_else(|| dl_error("unknown AI in path"))?;
        let value = decode_value(&ai, &unescape(pair[1], false)?, opts)?;
        add_element(&mut elements, &ai, &found, value)?;
    }
    check_key_qualifiers(&elements)?;
    Ok(elements)
}

fn check_key_qualifiers(elements: &[Element]) -> Result<()> {
    let key = table().get(&elements[0].ai).ok_or_else(|| dl_error("unknown primary key"))?;
    let qualifiers: Vec<String> = elements[1..].iter().map(|e| e.ai.clone()).collect();
    let allowed = key.dl_key_qualifiers.as_ref().is_some_and(|seqs| seqs.contains(&qualifiers));
    if !allowed {
        return Err(dl_error("the AIs in the path are not a valid key-qualifier sequence for the key"));
    }
    Ok(())
}

/// A GTIN written without leading zeros is padded only when zero-suppressed GTINs are allowed.
fn decode_value(ai: &str, value: &str, opts: &Gs1Options) -> Result<String> {
    if ai == "01" && matches!(value.len(), 8 | 12 | 13) {
        if !opts.permit_zero_suppressed_gtin_in_dl_uris {
            return Err(dl_error("zero-suppressed GTIN is not permitted in a Digital Link URI"));
        }
        return Ok(format!("{value:0>14}"));
    }
    Ok(value.to_owned())
}

fn add_element(elements: &mut Vec<Element>, ai: &str, found: &AiRef<'_>, value: String) -> Result<()> {
    if value.is_empty() {
        return Err(ScanError::AiValueEmpty { ai: ai.to_owned() });
    }
    if elements.iter().any(|e| e.ai == ai) {
        return Err(dl_error(format!("AI ({ai}) appears more than once")));
    }
    if elements.len() >= MAX_AIS {
        return Err(ScanError::TooManyAis(MAX_AIS));
    }
    validate_element(found, ai, value.as_bytes())?;
    elements.push(Element { ai: ai.to_owned(), value });
    Ok(())
}

/// A query AI that could have completed the path's key-qualifier sequence belongs in the path.
fn belongs_in_path(name: &str, path: &[Element]) -> bool {
    let Some(seqs) = table().get(&path[0].ai).and_then(|e| e.dl_key_qualifiers.as_ref()) else {
        return false;
    };
    let present: Vec<&str> = path[1..].iter().map(|e| e.ai.as_str()).collect();
    seqs.iter().any(|seq| {
        seq.iter().any(|q| q == name)
            && seq.iter().filter(|q| *q != name).map(String::as_str).eq(present.iter().copied())
    })
}

fn parse_query(query: &str, opts: &Gs1Options, elements: &mut Vec<Element>) -> Result<()> {
    let path_len = elements.len();
    for param in query.split('&').filter(|p| !p.is_empty()) {
        // Parameters that are not AIs (no '=' or a non-numeric name) belong to the application.
        let Some((name, raw_value)) = param.split_once('=') else { continue };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let found = table()
            .lookup(name.as_bytes(), Some(name.len()), opts.permit_unknown_ais)
            .ok_or_else(|| dl_error(format!("unknown AI ({name}) in query parameters")))?;
        let allowed = match found {
            AiRef::Known(e) => e.dl_data_attribute,
            AiRef::Unknown { .. } => !opts.unknown_ai_not_dl_attribute,
        };
        if !allowed {
            return Err(dl_error(format!("AI ({name}) is not a valid Digital Link attribute")));
        }
        if belongs_in_path(name, &elements[..path_len]) {
            return Err(dl_error(format!("AI ({name}) is a key qualifier and belongs in the path")));
        }
        let value = decode_value(name, &unescape(raw_value, true)?, opts)?;
        add_element(elements, name, &found, value)?;
    }
    Ok(())
}
