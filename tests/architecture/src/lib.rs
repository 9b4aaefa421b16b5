//! The checks behind `tests/architecture.rs`, written as functions over text so that each one is
//! itself tested on a violation it must find (a check that cannot fail is no check).
//!
//! What is checked:
//! - every repository path ARCHITECTURE.md names in backticks exists;
//! - every crate it names (`crates/<name>`) is a workspace member;
//! - no crate but the store has `rusqlite` in its `[dependencies]` or names it in `src/`;
//! - nothing in `crates/core/src` reads a clock or a random source;
//! - no UI file but the generated client calls `invoke(` with a command name.

use std::fs;
use std::path::{Path, PathBuf};

/// Top-level folders a path in ARCHITECTURE.md may start with. A backticked token that starts
/// elsewhere (a type, a command, a file name alone) is not a repository path.
pub const PATH_ROOTS: &[&str] =
    &["crates/", "src-tauri/", "ui/", "tests/", "scripts/", "migrations/", "packaging/", ".config/", ".ci/"];

/// Backticked tokens in `markdown` that look like repository paths: they start with one of
/// [`PATH_ROOTS`] and hold no placeholder (`<target>`), wildcard (`*`), brace list, space or
/// `..` range, which name a family of files rather than one.
pub fn named_paths(markdown: &str) -> Vec<String> {
    sorted_unique(backticked(markdown).filter_map(|token| {
        let looks_like_path = PATH_ROOTS.iter().any(|root| token.starts_with(root));
        let is_family = token.contains(['<', '*', '{', ' ', ',']) || token.contains("..");
        (looks_like_path && !is_family).then(|| token.trim_end_matches(['.', ':', ')']).to_string())
    }))
}

/// The trimmed pieces of `markdown` inside backticks (the odd pieces of a split on '`').
fn backticked(markdown: &str) -> impl Iterator<Item = &str> {
    markdown.split('`').skip(1).step_by(2).map(str::trim)
}

fn sorted_unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut items: Vec<String> = items.collect();
    items.sort();
    items.dedup();
    items
}

/// Backticked file names or partial paths that start with no root (`outbox.rs`,
/// `channels/queue/`, `worker/outcome.rs`): the code map names files relative to the crate
/// it is describing. Each must be the end of some path in the repository.
pub fn named_partial_paths(markdown: &str) -> Vec<String> {
    const EXTENSIONS: &[&str] = &[".rs", ".ts", ".svelte", ".css", ".sql", ".sh", ".json"];
    sorted_unique(backticked(markdown).filter_map(|token| {
        let rooted = PATH_ROOTS.iter().any(|root| token.starts_with(root));
        let plain = !token.is_empty()
            && token.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
            && !token.starts_with('.')
            && !token.contains("..");
        let file = EXTENSIONS.iter().any(|ext| token.ends_with(ext));
        let folder = token.ends_with('/') && token.len() > 1;
        (!rooted && plain && (file || folder)).then(|| token.to_string())
    }))
}

/// The partial paths that are the end of no path in `files` (repository-relative, with `/`).
pub fn unmatched_partial_paths(files: &[String], partial: &[String]) -> Vec<String> {
    partial
        .iter()
        .filter(|part| {
            let wanted = format!("/{}", part.trim_end_matches('/'));
            let folder = part.ends_with('/');
            !files.iter().any(|file| {
                let file = format!("/{file}");
                if folder { file.contains(&format!("{wanted}/")) } else { file.ends_with(&wanted) }
            })
        })
        .cloned()
        .collect()
}

/// The named paths that do not exist under `root`.
pub fn missing_paths(root: &Path, named: &[String]) -> Vec<String> {
    named.iter().filter(|path| !root.join(path).exists()).cloned().collect()
}

/// `crates/<name>` mentions in `markdown` (backticked or not), as crate folders.
pub fn named_crates(markdown: &str) -> Vec<String> {
    let mut crates = Vec::new();
    for piece in markdown.split("crates/").skip(1) {
        let name: String =
            piece.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        if !name.is_empty() && name != "*" {
            crates.push(format!("crates/{name}"));
        }
    }
    crates.sort();
    crates.dedup();
    crates
}

/// Workspace members from the root Cargo.toml text.
pub fn workspace_members(root_manifest: &str) -> Result<Vec<String>, String> {
    let value: toml::Table = root_manifest.parse().map_err(|e| format!("root Cargo.toml: {e}"))?;
    let members = value
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .ok_or("root Cargo.toml has no [workspace] members")?;
    Ok(members.iter().filter_map(|m| m.as_str().map(str::to_string)).collect())
}

/// Whether a crate manifest lists `dependency` under `[dependencies]` (dev- and build-
/// dependencies are not production code and may differ).
pub fn has_dependency(manifest: &str, dependency: &str) -> Result<bool, String> {
    let value: toml::Table = manifest.parse().map_err(|e| format!("manifest: {e}"))?;
    Ok(value.get("dependencies").and_then(|d| d.as_table()).is_some_and(|d| d.contains_key(dependency)))
}

/// One finding of a forbidden pattern: file, 1-based line, the line's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub text: String,
}

/// Lines of `source` (named `file`) containing any of `patterns`, ignoring `//` comments.
pub fn find_patterns(file: &str, source: &str, patterns: &[&str]) -> Vec<Finding> {
    source
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let code = line.split("//").next().unwrap_or("");
            patterns.iter().any(|p| code.contains(p)).then(|| Finding {
                file: file.to_string(),
                line: index + 1,
                text: line.trim().to_string(),
            })
        })
        .collect()
}

/// Patterns by which Rust code reads a clock or a random source.
pub const CLOCK_AND_RANDOM: &[&str] = &[
    "Utc::now",
    "Local::now",
    "SystemTime::now",
    "Instant::now",
    "now_v7",
    "new_v4",
    "rand::",
    "thread_rng",
    "getrandom",
];

/// How Rust code reaches SQLite.
pub const SQLITE: &[&str] = &["rusqlite"];

/// How UI code calls a Tauri command by its string name.
pub const INVOKE: &[&str] = &["invoke("];

/// Every file under `dir` whose name ends with one of `extensions`, skipping build output and
/// dependencies.
pub fn source_files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = fs::read_dir(&current) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | "node_modules" | "dist" | "gen") {
                    pending.push(path);
                }
            } else if extensions.iter().any(|ext| name.ends_with(ext)) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_paths_keeps_repository_paths_and_drops_families() {
        let markdown = "see `crates/store/src/outbox.rs`, `tests/corpus/<target>/`, \
                        `crates/*/tests/fuzz_*.rs`, `Store::append` and `ui/src/api.ts`.";
        assert_eq!(named_paths(markdown), vec!["crates/store/src/outbox.rs", "ui/src/api.ts"]);
    }

    #[test]
    fn partial_paths_must_end_some_repository_path() {
        let markdown = "`outbox.rs`, `channels/queue/`, `worker/outcome.rs`, `Store::append`, \
                        `crates/store/src/lib.rs`, `gone.rs`, `-D warnings`";
        let partial = named_partial_paths(markdown);
        assert_eq!(partial, vec!["channels/queue/", "gone.rs", "outbox.rs", "worker/outcome.rs"]);
        let files = vec![
            "crates/store/src/outbox.rs".to_string(),
            "crates/store/src/channels/queue/mod.rs".to_string(),
            "crates/sync/src/worker/outcome.rs".to_string(),
        ];
        assert_eq!(unmatched_partial_paths(&files, &partial), vec!["gone.rs"]);
        // A name must match whole: `box.rs` is not `outbox.rs`.
        assert_eq!(unmatched_partial_paths(&files, &["box.rs".to_string()]), vec!["box.rs"]);
    }

    #[test]
    fn a_missing_path_is_reported() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let named = vec!["src/lib.rs".to_string(), "src/no_such_file.rs".to_string()];
        assert_eq!(missing_paths(root, &named), vec!["src/no_such_file.rs"]);
    }

    #[test]
    fn named_crates_finds_each_crate_once() {
        let markdown = "### `crates/core` and crates/store/src, `crates/core/src/policy.rs`";
        assert_eq!(named_crates(markdown), vec!["crates/core", "crates/store"]);
    }

    #[test]
    fn dependencies_are_told_apart_from_dev_dependencies() {
        let production = "[dependencies]\nrusqlite.workspace = true\n";
        let test_only = "[dependencies]\nserde = \"1\"\n[dev-dependencies]\nrusqlite = \"0.37\"\n";
        assert_eq!(has_dependency(production, "rusqlite"), Ok(true));
        assert_eq!(has_dependency(test_only, "rusqlite"), Ok(false));
    }

    #[test]
    fn patterns_are_found_in_code_and_not_in_comments() {
        let cases: &[(&str, &[&str], usize)] = &[
            ("let t = chrono::Utc::now();", CLOCK_AND_RANDOM, 1),
            ("let id = Uuid::now_v7();", CLOCK_AND_RANDOM, 1),
            ("// no Utc::now here: times are passed in", CLOCK_AND_RANDOM, 0),
            ("use rusqlite::Connection;", SQLITE, 1),
            ("const x = await invoke(\"app_info\");", INVOKE, 1),
            ("let total = on_hand - committed;", CLOCK_AND_RANDOM, 0),
        ];
        for (line, patterns, expected) in cases {
            assert_eq!(find_patterns("f.rs", line, patterns).len(), *expected, "{line}");
        }
    }

    #[test]
    fn members_are_read_from_the_root_manifest() {
        let manifest = "[workspace]\nmembers = [\"crates/core\", \"src-tauri\"]\n";
        assert_eq!(workspace_members(manifest), Ok(vec!["crates/core".to_string(), "src-tauri".to_string()]));
    }
}
