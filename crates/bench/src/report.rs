//! A scenario's result: rows keyed by column, printed as a Markdown table for people and as a
//! JSON array of rows (`--json`) for scripts.

use serde::Serialize;
use serde_json::{Map, Value};

/// One row: `mode` plus the scenario's measures.
pub type Row = Map<String, Value>;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub scenario: &'static str,
    pub title: String,
    pub quick: bool,
    pub seed: u64,
    /// Table columns, in order; every row has each of them.
    pub columns: Vec<&'static str>,
    pub rows: Vec<Row>,
    /// What the guide claims for this scenario.
    pub guide: Vec<String>,
    /// Timing parameters and model assumptions, each with its reason.
    pub notes: Vec<String>,
    /// Where ShelfSync does not beat the baseline or the guide, and why.
    pub findings: Vec<String>,
}

/// Builds a row from (column, value) pairs.
pub fn row(pairs: Vec<(&str, Value)>) -> Row {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

impl Report {
    /// The rows, as `--json` prints them.
    pub fn json_rows(&self) -> Value {
        Value::Array(self.rows.iter().cloned().map(Value::Object).collect())
    }

    /// Just the table, for `scripts/bench.d/50-scenarios.sh`.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("| {} |\n", self.columns.join(" | ")));
        out.push_str(&format!("|{}\n", " --- |".repeat(self.columns.len())));
        for row in &self.rows {
            let cells: Vec<String> =
                self.columns.iter().map(|c| cell(row.get(*c).unwrap_or(&Value::Null))).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }

    /// The whole report as Markdown: title, the guide's claim, the table, notes and findings.
    pub fn markdown(&self) -> String {
        let mut out =
            format!("### {} (seed {}{})\n\n", self.title, self.seed, if self.quick { ", quick" } else { "" });
        for claim in &self.guide {
            out.push_str(&format!("Guide: {claim}\n"));
        }
        out.push('\n');
        out.push_str(&self.table());
        if !self.notes.is_empty() {
            out.push_str("\nModel and timing:\n");
            for note in &self.notes {
                out.push_str(&format!("- {note}\n"));
            }
        }
        if !self.findings.is_empty() {
            out.push_str("\nFindings:\n");
            for finding in &self.findings {
                out.push_str(&format!("- {finding}\n"));
            }
        }
        out
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".into(),
        Value::Number(n) if n.is_f64() => format!("{:.2}", n.as_f64().unwrap_or_default()),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(" / "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_have_one_cell_per_column_and_dashes_for_missing_values() {
        let report = Report {
            scenario: "t",
            title: "T".into(),
            quick: true,
            seed: 1,
            columns: vec!["mode", "a", "b"],
            rows: vec![
                row(vec![("mode", json!("x")), ("a", json!(1.5)), ("b", json!([1, 2]))]),
                row(vec![("mode", json!("y"))]),
            ],
            guide: vec![],
            notes: vec![],
            findings: vec![],
        };
        let table = report.table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "| mode | a | b |");
        assert_eq!(lines[2], "| x | 1.50 | 1 / 2 |");
        assert_eq!(lines[3], "| y | - | - |");
    }
}
