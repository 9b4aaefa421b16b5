//! CSV files for the monitoring screens. The webview has no file system access and no download
//! path through WebKitGTK, so Rust writes the file into `exports/` next to the database (the
//! user's data folder by default) and the screen shows where it went.

use std::path::{Path, PathBuf};

use crate::error::{AppError, Result};

/// Most rows one export writes: every list it exports is bounded well below this already.
pub const MAX_EXPORT_ROWS: usize = 100_000;

/// RFC 4180 CSV built row by row.
pub struct Csv {
    columns: usize,
    text: String,
    rows: usize,
}

impl Csv {
    pub fn new(header: &[&str]) -> Csv {
        let mut text = header.join(",");
        text.push_str("\r\n");
        Csv { columns: header.len(), text, rows: 0 }
    }

    /// Appends a row; a row of the wrong width is a programming error caught by the tests.
    pub fn row(&mut self, fields: &[String]) {
        debug_assert_eq!(fields.len(), self.columns, "CSV row width");
        if self.rows >= MAX_EXPORT_ROWS {
            return;
        }
        let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
        self.text.push_str(&line.join(","));
        self.text.push_str("\r\n");
        self.rows += 1;
    }

    pub fn rows(&self) -> u32 {
        u32::try_from(self.rows).unwrap_or(u32::MAX)
    }

    pub fn finish(self) -> String {
        self.text
    }
}

/// Quotes a field when it must be, and defuses text a spreadsheet would run as a formula
/// (a message or SKU starting with `=`, `+` or `@`; `-` unless it is a number).
pub fn field(value: &str) -> String {
    let formula = value.starts_with(['=', '+', '@', '\t', '\r'])
        || (value.starts_with('-') && value.parse::<f64>().is_err());
    let value = if formula { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

/// `<database folder>/exports/<name>-<UTC time>.csv`, created with its folder.
pub fn write_export(db_path: &Path, name: &str, text: &str) -> Result<PathBuf> {
    write_beside_database(db_path, "exports", name, "csv", text.as_bytes())
}

/// `<database folder>/<folder>/<name>-<UTC time>.<extension>`, created with its folder: where
/// the app leaves files for a person (exports, labels), since the webview cannot save any.
pub fn write_beside_database(
    db_path: &Path,
    folder: &str,
    name: &str,
    extension: &str,
    bytes: &[u8],
) -> Result<PathBuf> {
    let folder =
        db_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join(folder);
    std::fs::create_dir_all(&folder)
        .map_err(|e| AppError::Unavailable(format!("cannot create {}: {e}", folder.display())))?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
    let path = folder.join(format!("{name}-{stamp}.{extension}"));
    std::fs::write(&path, bytes)
        .map_err(|e| AppError::Unavailable(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let cases = [
            ("plain", "plain"),
            ("-12", "-12"),
            ("3.5", "3.5"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+1 rogue", "'+1 rogue"),
            ("@cmd", "'@cmd"),
            ("-x", "'-x"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(field(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn csv_has_a_header_and_crlf_rows() {
        let mut csv = Csv::new(&["a", "b"]);
        csv.row(&["1".into(), "x,y".into()]);
        assert_eq!(csv.rows(), 1);
        assert_eq!(csv.finish(), "a,b\r\n1,\"x,y\"\r\n");
    }

    #[test]
    fn exports_land_next_to_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_export(&dir.path().join("shop.db"), "alerts", "a\r\n").unwrap();
        assert_eq!(path.parent().unwrap(), dir.path().join("exports"));
        assert!(path.file_name().unwrap().to_string_lossy().starts_with("alerts-"));
        assert_eq!(std::fs::read_to_string(path).unwrap(), "a\r\n");
    }
}
