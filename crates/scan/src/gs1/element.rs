//! GS1 element strings: the `^`-separated form ("FNC1 in first"), bracketed HRI `(01)...(10)...`,
//! component validation, and the pairing rules between AIs.

use serde::Serialize;

use super::table::{AiRef, Component, table, unknown_ai_components};
use crate::error::{Result, ScanError};

/// No real symbol carries more AIs than this (GS1 DataMatrix tops out well below); the cap keeps
/// the pairwise association checks cheap on hostile input.
pub const MAX_AIS: usize = 64;

/// Encoder settings that loosen the strict defaults, named as in the GS1 Syntax Engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gs1Options {
    pub permit_unknown_ais: bool,
    pub permit_zero_suppressed_gtin_in_dl_uris: bool,
    pub permit_convenience_alphas: bool,
    /// Reject unknown AIs as Digital Link query attributes even when unknown AIs are permitted.
    pub unknown_ai_not_dl_attribute: bool,
    pub validations: Validations,
}

impl Default for Gs1Options {
    fn default() -> Self {
        Gs1Options {
            permit_unknown_ais: false,
            permit_zero_suppressed_gtin_in_dl_uris: false,
            permit_convenience_alphas: false,
            unknown_ai_not_dl_attribute: true,
            validations: Validations::ALL,
        }
    }
}

/// The whole-message checks run after every element is valid on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validations {
    pub mutex: bool,
    pub requisites: bool,
    pub repeats: bool,
    pub digsig_serial: bool,
}

impl Validations {
    pub const ALL: Validations =
        Validations { mutex: true, requisites: true, repeats: true, digsig_serial: true };
    pub const NONE: Validations =
        Validations { mutex: false, requisites: false, repeats: false, digsig_serial: false };
}

/// One AI and its value, as printed by `scan parse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Element {
    pub ai: String,
    pub value: String,
}

/// Render elements in the engine's data-string form: FNC1 first, then FNC1 after every
/// variable-length AI that is not last.
pub fn data_string(elements: &[Element], permit_unknown: bool) -> String {
    let mut out = String::from("^");
    for (i, el) in elements.iter().enumerate() {
        out.push_str(&el.ai);
        out.push_str(&el.value);
        let needs_fnc1 = table()
            .lookup(el.ai.as_bytes(), Some(el.ai.len()), true)
            .map_or(permit_unknown, |r| r.fnc1_required());
        if needs_fnc1 && i + 1 < elements.len() {
            out.push('^');
        }
    }
    out
}

fn components_for(ai: &AiRef<'_>) -> Vec<Component> {
    match ai {
        AiRef::Known(e) => e.components.clone(),
        AiRef::Unknown { fixed_value_len, .. } => unknown_ai_components(*fixed_value_len),
    }
}

/// Validate a value against the components of its AI, returning how many bytes they consumed.
/// Stops at the end of the last component: the caller decides whether leftovers are an error.
fn validate_components(ai: &str, components: &[Component], value: &[u8]) -> Result<usize> {
    if value.is_empty() {
        return Err(ScanError::AiValueEmpty { ai: ai.to_owned() });
    }
    let mut pos = 0;
    for component in components {
        let len = (value.len() - pos).min(component.max);
        if component.optional && len == 0 {
            continue;
        }
        if len < component.min {
            return Err(ScanError::AiValueTooShort { ai: ai.to_owned() });
        }
        let part = &value[pos..pos + len];
        for linter in std::iter::once(component.cset.linter()).chain(component.linters.iter().copied()) {
            linter.check(part).map_err(|lint| ScanError::Lint {
                ai: ai.to_owned(),
                lint: super::lint::LintError { pos: lint.pos + pos, ..lint },
            })?;
        }
        pos += len;
    }
    Ok(pos)
}

fn text(bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ScanError::NotText)
}

/// Parse and validate an element string in `^` form, e.g. `^0195012345678903^10ABC`.
/// A trailing or redundant FNC1 after a fixed-length AI is tolerated, as scanners emit them.
pub fn parse_element_string(data: &[u8], opts: &Gs1Options) -> Result<Vec<Element>> {
    let rest = data.strip_prefix(b"^").ok_or(ScanError::MissingFnc1)?;
    if rest.is_empty() {
        return Err(ScanError::AiDataEmpty);
    }
    let mut elements = Vec::new();
    let mut p = 0;
    while p < rest.len() {
        let found = table().lookup(&rest[p..], None, opts.permit_unknown_ais);
        let ai_ref = match found {
            Some(r) if r.ai_len() > 0 => r,
            _ => {
                return Err(ScanError::NoAiForPrefix(
                    String::from_utf8_lossy(&rest[p..(p + 4).min(rest.len())]).into_owned(),
                ));
            }
        };
        let ai = text(&rest[p..p + ai_ref.ai_len()])?;
        p += ai_ref.ai_len();
        let field_end = rest[p..].iter().position(|&b| b == b'^').map_or(rest.len(), |i| p + i);
        let consumed = validate_components(&ai, &components_for(&ai_ref), &rest[p..field_end])?;
        if ai_ref.fnc1_required() && p + consumed != field_end {
            return Err(ScanError::AiValueTooLong { ai });
        }
        push_element(&mut elements, ai, text(&rest[p..p + consumed])?)?;
        p += consumed;
        if rest.get(p) == Some(&b'^') {
            p += 1;
        }
    }
    Ok(elements)
}

fn push_element(elements: &mut Vec<Element>, ai: String, value: String) -> Result<()> {
    if elements.len() >= MAX_AIS {
        return Err(ScanError::TooManyAis(MAX_AIS));
    }
    elements.push(Element { ai, value });
    Ok(())
}

/// Checks made while splitting, before components are linted: reporting a bad check digit is
/// unhelpful when the value is simply too long.
pub(crate) fn check_value_length(ai_ref: &AiRef<'_>, ai: &str, value: &[u8]) -> Result<()> {
    let components = components_for(ai_ref);
    let min: usize = components.iter().filter(|c| !c.optional).map(|c| c.min).sum();
    let max: usize = components.iter().map(|c| c.max).sum();
    if value.len() < min {
        return Err(ScanError::AiValueTooShort { ai: ai.to_owned() });
    }
    if value.len() > max {
        return Err(ScanError::AiValueTooLong { ai: ai.to_owned() });
    }
    if value.contains(&b'^') {
        return Err(ScanError::IllegalCaret);
    }
    Ok(())
}

/// Validate one element whose AI is already known to be exactly `ai` (bracketed and DL input).
pub(crate) fn validate_element(ai_ref: &AiRef<'_>, ai: &str, value: &[u8]) -> Result<()> {
    check_value_length(ai_ref, ai, value)?;
    let consumed = validate_components(ai, &components_for(ai_ref), value)?;
    if consumed != value.len() {
        return Err(ScanError::AiValueTooLong { ai: ai.to_owned() });
    }
    Ok(())
}

/// Parse bracketed human-readable AI data, e.g. `(01)09506000134352(10)ABC`. `\(` is a literal
/// bracket inside a value.
pub fn parse_bracketed(input: &str, opts: &Gs1Options) -> Result<Vec<Element>> {
    let bytes = input.as_bytes();
    if bytes.is_empty() {
        return Err(ScanError::Bracketed("input is empty"));
    }
    let mut elements = Vec::new();
    let mut p = 0;
    while p < bytes.len() {
        if bytes[p] != b'(' {
            return Err(ScanError::Bracketed("expected '(' to start an AI"));
        }
        let close = bytes[p + 1..]
            .iter()
            .position(|&b| b == b')')
            .ok_or(ScanError::Bracketed("AI is not closed with ')'"))?;
        let ai_bytes = &bytes[p + 1..p + 1 + close];
        let ai = text(ai_bytes)?;
        let ai_ref = table()
            .lookup(ai_bytes, Some(ai_bytes.len()), opts.permit_unknown_ais)
            .ok_or_else(|| ScanError::UnknownAi(ai.escape_debug().to_string()))?;
        p += close + 2;
        let (value, next) = bracketed_value(bytes, p);
        if value.is_empty() {
            return Err(ScanError::AiValueEmpty { ai });
        }
        validate_element(&ai_ref, &ai, &value)?;
        push_element(&mut elements, ai, text(&value)?)?;
        p = next;
    }
    Ok(elements)
}

/// Read a value up to the next unescaped '('; returns the unescaped value and where it stopped.
fn bracketed_value(bytes: &[u8], start: usize) -> (Vec<u8>, usize) {
    let mut value = Vec::new();
    let mut p = start;
    while p < bytes.len() && bytes[p] != b'(' {
        if bytes[p] == b'\\' && bytes.get(p + 1) == Some(&b'(') {
            value.push(b'(');
            p += 2;
        } else {
            value.push(bytes[p]);
            p += 1;
        }
    }
    (value, p)
}

/// `pattern` is an AI with trailing `n` wildcards (`31nn`); it matches AIs of the same length.
fn ai_matches(pattern: &str, ai: &str) -> bool {
    if pattern.len() != ai.len() {
        return false;
    }
    let fixed = pattern.trim_end_matches('n');
    ai.starts_with(fixed)
}

fn find_other<'e>(elements: &'e [Element], pattern: &str, ignore: &str) -> Option<&'e Element> {
    elements.iter().find(|el| el.ai != ignore && ai_matches(pattern, &el.ai))
}

pub fn validate_associations(elements: &[Element], v: Validations) -> Result<()> {
    if v.mutex {
        validate_mutex(elements)?;
    }
    if v.requisites {
        validate_requisites(elements)?;
    }
    if v.repeats {
        validate_repeats(elements)?;
    }
    if v.digsig_serial {
        validate_digsig_serial(elements)?;
    }
    Ok(())
}

/// Repeats arise when reads of several symbols on one label are joined: allowed only if equal.
fn validate_repeats(elements: &[Element]) -> Result<()> {
    for (i, a) in elements.iter().enumerate() {
        if elements[i + 1..].iter().any(|b| b.ai == a.ai && b.value != a.value) {
            return Err(ScanError::RepeatedAiDiffers(a.ai.clone()));
        }
    }
    Ok(())
}

fn validate_mutex(elements: &[Element]) -> Result<()> {
    for el in elements {
        let Some(entry) = table().get(&el.ai) else { continue };
        for pattern in &entry.excludes {
            if let Some(other) = find_other(elements, pattern, &el.ai) {
                return Err(ScanError::MutuallyExclusive(el.ai.clone(), other.ai.clone()));
            }
        }
    }
    Ok(())
}

fn validate_requisites(elements: &[Element]) -> Result<()> {
    for el in elements {
        let Some(entry) = table().get(&el.ai) else { continue };
        for alternatives in &entry.requires {
            let satisfied = alternatives
                .iter()
                .any(|group| group.iter().all(|p| find_other(elements, p, &el.ai).is_some()));
            if !satisfied {
                let required = alternatives.iter().map(|g| g.join("+")).collect::<Vec<_>>().join(",");
                return Err(ScanError::RequisiteMissing { ai: el.ai.clone(), required });
            }
        }
    }
    Ok(())
}

/// A digital signature (8030) only makes sense over a serialised key: (253), (255) and (8003)
/// must then carry their optional serial component.
fn validate_digsig_serial(elements: &[Element]) -> Result<()> {
    if !elements.iter().any(|el| el.ai == "8030") {
        return Ok(());
    }
    for el in elements.iter().filter(|el| matches!(el.ai.as_str(), "253" | "255" | "8003")) {
        let min = table().get(&el.ai).map_or(0, |e| e.min_length());
        if el.value.len() == min {
            return Err(ScanError::SerialRequiredWithSignature(el.ai.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Vec<Element>> {
        parse_element_string(s.as_bytes(), &Gs1Options::default())
    }

    #[test]
    fn splits_fixed_and_variable_length_ais() {
        let els = parse("^0195012345678903310300123410ABC^17251231").unwrap();
        let ais: Vec<_> = els.iter().map(|e| e.ai.as_str()).collect();
        assert_eq!(ais, ["01", "3103", "10", "17"]);
        assert_eq!(data_string(&els, false), "^0195012345678903310300123410ABC^17251231");
    }

    #[test]
    fn specific_errors_for_bad_input() {
        assert!(matches!(parse("0195012345678903"), Err(ScanError::MissingFnc1)));
        assert!(matches!(parse("^0195012345678904"), Err(ScanError::Lint { .. })));
        assert!(matches!(parse("^89ABC"), Err(ScanError::NoAiForPrefix(_))));
    }
}
