//! The AI table, built once from the GS1 Barcode Syntax Dictionary embedded in the binary.
//!
//! Data-driven on purpose: when GS1 publishes a new dictionary release, the JSON is replaced and
//! no code changes. Lookups follow the syntax engine: every AI sharing its first two digits has
//! the same length, which is what lets an unbracketed element string be split at all.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::lint::Linter;

const DICTIONARY_JSON: &str = include_str!("../../data/ai_table_from_syntax_dictionary.json");

/// Character set of a component: N digits, X = CSET 82, Y = CSET 39, Z = base64url.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cset {
    Numeric,
    Cset82,
    Cset39,
    Cset64,
}

impl Cset {
    pub fn linter(self) -> Linter {
        match self {
            Cset::Numeric => Linter::CsetNumeric,
            Cset::Cset82 => Linter::Cset82,
            Cset::Cset39 => Linter::Cset39,
            Cset::Cset64 => Linter::Cset64,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Component {
    pub cset: Cset,
    pub min: usize,
    pub max: usize,
    pub optional: bool,
    pub linters: Vec<Linter>,
}

/// One AI with everything the dictionary says about it.
#[derive(Debug, Clone)]
pub struct AiEntry {
    pub ai: String,
    pub title: String,
    /// Whether a following AI must be separated by FNC1 (false for predefined-length AIs).
    pub fnc1_required: bool,
    /// Whether the AI may appear as a Digital Link query attribute.
    pub dl_data_attribute: bool,
    pub components: Vec<Component>,
    /// `ex=` patterns: AIs that must not appear together with this one.
    pub excludes: Vec<String>,
    /// Each `req=` attribute: alternatives, each a group of patterns that must all be present.
    pub requires: Vec<Vec<Vec<String>>>,
    /// `dlpkey`: the qualifier sequences allowed after this key in a DL path (empty = not a key).
    pub dl_key_qualifiers: Option<Vec<Vec<String>>>,
}

impl AiEntry {
    pub fn min_length(&self) -> usize {
        self.components.iter().filter(|c| !c.optional).map(|c| c.min).sum()
    }

    pub fn max_length(&self) -> usize {
        self.components.iter().map(|c| c.max).sum()
    }
}

#[derive(Deserialize)]
struct RawEntry {
    ai_from: String,
    ai_to: String,
    fnc1_required: bool,
    dl_data_attribute: bool,
    components: Vec<RawComponent>,
    attributes: Vec<String>,
    title: String,
}

#[derive(Deserialize)]
struct RawComponent {
    cset: String,
    min: usize,
    max: usize,
    optional: bool,
    linters: Vec<String>,
}

pub struct AiTable {
    entries: Vec<AiEntry>,
    by_ai: HashMap<String, usize>,
    /// AI length for each two-digit prefix; 0 when no AI starts with that prefix.
    ai_len_by_prefix: [u8; 100],
}

/// Value lengths fixed by the GS1 General Specifications for two-digit prefixes, whether or not
/// every AI under them is allocated yet; consulted only when admitting unknown AIs.
const FIXED_VALUE_LENGTH_BY_PREFIX: [(u8, usize); 22] = [
    (0, 18),
    (1, 14),
    (2, 14),
    (3, 14),
    (4, 16),
    (11, 6),
    (12, 6),
    (13, 6),
    (14, 6),
    (15, 6),
    (16, 6),
    (17, 6),
    (18, 6),
    (19, 6),
    (20, 2),
    (31, 6),
    (32, 6),
    (33, 6),
    (34, 6),
    (35, 6),
    (36, 6),
    (41, 13),
];

pub fn fixed_value_length_by_prefix(prefix: u8) -> Option<usize> {
    FIXED_VALUE_LENGTH_BY_PREFIX.iter().find(|(p, _)| *p == prefix).map(|(_, len)| *len)
}

/// The result of an AI lookup: a dictionary entry, or an AI admitted under PermitUnknownAIs.
#[derive(Debug, Clone, Copy)]
pub enum AiRef<'t> {
    Known(&'t AiEntry),
    Unknown { ai_len: usize, fixed_value_len: Option<usize> },
}

impl<'t> AiRef<'t> {
    pub fn ai_len(&self) -> usize {
        match self {
            AiRef::Known(e) => e.ai.len(),
            AiRef::Unknown { ai_len, .. } => *ai_len,
        }
    }

    pub fn fnc1_required(&self) -> bool {
        match self {
            AiRef::Known(e) => e.fnc1_required,
            AiRef::Unknown { fixed_value_len, .. } => fixed_value_len.is_none(),
        }
    }

    pub fn entry(&self) -> Option<&'t AiEntry> {
        match self {
            AiRef::Known(e) => Some(e),
            AiRef::Unknown { .. } => None,
        }
    }
}

/// Unknown AIs are validated as one X component, 1..90 characters (or the fixed prefix length).
pub fn unknown_ai_components(fixed_value_len: Option<usize>) -> Vec<Component> {
    let (min, max) = fixed_value_len.map_or((1, 90), |n| (n, n));
    vec![Component { cset: Cset::Cset82, min, max, optional: false, linters: Vec::new() }]
}

pub fn table() -> &'static AiTable {
    static TABLE: OnceLock<AiTable> = OnceLock::new();
    // The dictionary is compiled in; a unit test loads it, so a broken table fails CI, not a user.
    TABLE.get_or_init(|| AiTable::from_json(DICTIONARY_JSON).expect("embedded AI table is valid"))
}

fn two_digit_prefix(ai: &[u8]) -> Option<usize> {
    match ai {
        [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(usize::from(a - b'0') * 10 + usize::from(b - b'0'))
        }
        _ => None,
    }
}

impl AiTable {
    pub fn from_json(json: &str) -> Result<AiTable, String> {
        let raw: Vec<RawEntry> = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut entries = Vec::new();
        for r in &raw {
            for ai in expand_range(&r.ai_from, &r.ai_to)? {
                entries.push(build_entry(ai, r)?);
            }
        }
        entries.sort_by(|a, b| a.ai.cmp(&b.ai));
        let mut ai_len_by_prefix = [0u8; 100];
        let mut by_ai = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let prefix = two_digit_prefix(e.ai.as_bytes()).ok_or(format!("bad AI {}", e.ai))?;
            let len = e.ai.len() as u8;
            if ai_len_by_prefix[prefix] != 0 && ai_len_by_prefix[prefix] != len {
                return Err(format!("AIs starting {} have different lengths", &e.ai[..2]));
            }
            ai_len_by_prefix[prefix] = len;
            by_ai.insert(e.ai.clone(), i);
        }
        Ok(AiTable { entries, by_ai, ai_len_by_prefix })
    }

    pub fn entries(&self) -> &[AiEntry] {
        &self.entries
    }

    pub fn get(&self, ai: &str) -> Option<&AiEntry> {
        self.by_ai.get(ai).map(|&i| &self.entries[i])
    }

    /// Find the AI at the start of `data`. With `ai_len` given (bracketed or DL input) the AI is
    /// exactly that long; otherwise the two-digit prefix decides. Mirrors the engine's rules for
    /// admitting unknown AIs: never one that clashes with the length of known AIs.
    pub fn lookup(&self, data: &[u8], ai_len: Option<usize>, permit_unknown: bool) -> Option<AiRef<'_>> {
        if matches!(ai_len, Some(n) if !(2..=4).contains(&n)) {
            return None;
        }
        let prefix = two_digit_prefix(data)?;
        let known_len = usize::from(self.ai_len_by_prefix[prefix]);
        let len = match ai_len {
            Some(n) if known_len != 0 && known_len != n => return None,
            Some(n) => n,
            None if known_len == 0 => {
                return permit_unknown.then_some(AiRef::Unknown { ai_len: 0, fixed_value_len: None });
            }
            None => known_len,
        };
        let ai = data.get(..len)?;
        if !ai.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let ai = std::str::from_utf8(ai).ok()?;
        if let Some(entry) = self.get(ai) {
            return Some(AiRef::Known(entry));
        }
        if !permit_unknown {
            return None;
        }
        let fixed = fixed_value_length_by_prefix(prefix as u8).filter(|_| known_len == len);
        Some(AiRef::Unknown { ai_len: len, fixed_value_len: fixed })
    }
}

fn expand_range(from: &str, to: &str) -> Result<Vec<String>, String> {
    let bad = || format!("bad AI range {from}-{to}");
    if from.len() != to.len() {
        return Err(bad());
    }
    let (lo, hi): (u32, u32) = (from.parse().map_err(|_| bad())?, to.parse().map_err(|_| bad())?);
    Ok((lo..=hi).map(|n| format!("{n:0width$}", width = from.len())).collect())
}

fn build_entry(ai: String, raw: &RawEntry) -> Result<AiEntry, String> {
    let components = raw.components.iter().map(build_component).collect::<Result<Vec<_>, _>>()?;
    let mut entry = AiEntry {
        ai,
        title: raw.title.clone(),
        fnc1_required: raw.fnc1_required,
        dl_data_attribute: raw.dl_data_attribute,
        components,
        excludes: Vec::new(),
        requires: Vec::new(),
        dl_key_qualifiers: None,
    };
    for attr in &raw.attributes {
        apply_attribute(&mut entry, attr)?;
    }
    Ok(entry)
}

fn build_component(raw: &RawComponent) -> Result<Component, String> {
    let cset = match raw.cset.as_str() {
        "N" => Cset::Numeric,
        "X" => Cset::Cset82,
        "Y" => Cset::Cset39,
        "Z" => Cset::Cset64,
        other => return Err(format!("unknown character set {other}")),
    };
    let linters = raw
        .linters
        .iter()
        .map(|name| Linter::from_name(name).ok_or(format!("unknown linter {name}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Component { cset, min: raw.min, max: raw.max, optional: raw.optional, linters })
}

fn apply_attribute(entry: &mut AiEntry, attr: &str) -> Result<(), String> {
    let split = |list: &str| list.split(',').map(str::to_owned).collect::<Vec<_>>();
    match attr.split_once('=') {
        None if attr == "dlpkey" => entry.dl_key_qualifiers = Some(vec![Vec::new()]),
        Some(("ex", list)) => entry.excludes.extend(split(list)),
        Some(("req", list)) => {
            entry.requires.push(list.split(',').map(|g| g.split('+').map(str::to_owned).collect()).collect())
        }
        Some(("dlpkey", alternatives)) => {
            let mut sequences = Vec::new();
            for alt in alternatives.split('|') {
                sequences.extend(ordered_subsets(&split(alt)));
            }
            entry.dl_key_qualifiers = Some(sequences);
        }
        _ => return Err(format!("unknown attribute {attr}")),
    }
    Ok(())
}

/// Every order-preserving subset: a DL path may carry any of the qualifiers, in the given order.
fn ordered_subsets(items: &[String]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for item in items {
        let with_item: Vec<Vec<String>> = out
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s.push(item.clone());
                s
            })
            .collect();
        out.extend(with_item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_loads_and_expands_ranges() {
        let t = table();
        assert!(t.get("3103").is_some());
        assert!(t.get("01").is_some_and(|e| !e.fnc1_required));
        assert!(t.get("10").is_some_and(|e| e.fnc1_required));
        assert!(t.get("99").is_some());
    }

    #[test]
    fn lookup_follows_engine_prefix_rules() {
        let t = table();
        assert_eq!(t.lookup(b"011234", None, false).unwrap().ai_len(), 2);
        assert!(t.lookup(b"235XXX", Some(2), false).is_none());
        assert!(t.lookup(b"37123", Some(3), false).is_none());
        assert!(t.lookup(b"011", Some(3), true).is_none());
        assert!(t.lookup(b"800", Some(3), true).is_none());
        assert!(matches!(t.lookup(b"3999", Some(4), true), Some(AiRef::Unknown { .. })));
        assert!(t.lookup(b"399", Some(3), true).is_none());
        assert!(matches!(
            t.lookup(b"419", Some(3), true),
            Some(AiRef::Unknown { fixed_value_len: Some(13), .. })
        ));
    }

    #[test]
    fn dl_key_qualifier_sequences_keep_order() {
        let gtin = table().get("01").unwrap();
        let seqs = gtin.dl_key_qualifiers.as_ref().unwrap();
        assert!(seqs.contains(&vec!["22".to_owned(), "10".to_owned(), "21".to_owned()]));
        assert!(seqs.contains(&vec!["235".to_owned()]));
        assert!(!seqs.contains(&vec!["10".to_owned(), "22".to_owned()]));
    }
}
