//! The count pack (issue 20): the PDF a supervisor signs for a count, or for the month's full
//! counts. Plain values in (`shelfsync_core::reports::CountPack`, which the CLI and the app
//! read through the store), bytes out. A4 landscape: per session its details, every line with
//! counted, expected, variance, value, state, who counted, who decided and why; then the
//! accuracy figures (core's `pack_figures`) and the signature lines on the last page.
//!
//! Text is Helvetica (a PDF built-in font, WinAnsi: accented Latin prints, nothing is
//! embedded). Numbers are right-aligned exactly: Helvetica's digits are all 0.556 em wide.

use printpdf::{
    BuiltinFont, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    TextItem,
};
use shelfsync_core::format_cents;
use shelfsync_core::reports::{CountPack, PackFigures, PackLine, PackSession, pack_figures};

const PAGE_W: Mm = Mm(297.0);
const PAGE_H: Mm = Mm(210.0);
const LEFT: f32 = 12.0;
const RIGHT: f32 = 285.0;
const TOP: f32 = 196.0;
/// Below this the page is full (the footer sits under it).
const BOTTOM: f32 = 22.0;
const ROW: f32 = 5.0;
const BODY: f32 = 8.0;
/// Characters kept of a name, a counter list, a decider and a reason: the columns' widths.
const NAME_CHARS: usize = 28;
const WHO_CHARS: usize = 16;
const REASON_CHARS: usize = 40;

/// Where a column starts (left-aligned text) or ends (right-aligned numbers), in mm.
enum Col {
    Left(f32),
    Right(f32),
}

/// The line table: header, where it goes, and each line's cell.
const COLUMNS: [(&str, Col); 11] = [
    ("SKU", Col::Left(LEFT)),
    ("Name", Col::Left(44.0)),
    ("Round", Col::Right(100.0)),
    ("Counted", Col::Right(117.0)),
    ("Expected", Col::Right(135.0)),
    ("Variance", Col::Right(152.0)),
    ("Value", Col::Right(172.0)),
    ("State", Col::Left(176.0)),
    ("Counted by", Col::Left(192.0)),
    ("Decided by", Col::Left(215.0)),
    ("Reason", Col::Left(237.0)),
];

fn cells(line: &PackLine) -> [String; 11] {
    [
        clip(&line.sku, 22),
        clip(&line.name, NAME_CHARS),
        line.round.to_string(),
        line.counted.to_string(),
        line.expected.to_string(),
        signed(line.variance),
        format_cents(line.value_cents),
        line.state.clone(),
        clip(&line.counters, WHO_CHARS),
        clip(line.decided_by.as_deref().unwrap_or(""), WHO_CHARS),
        clip(line.reason.as_deref().unwrap_or(""), REASON_CHARS),
    ]
}

fn signed(n: i64) -> String {
    if n > 0 { format!("+{n}") } else { n.to_string() }
}

/// At most `max` characters, the last three `...` when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max - 3).collect();
    format!("{head}...")
}

/// Helvetica's advance widths (per 1000 em) for what numbers are made of; anything else is
/// taken as a digit's, which only numbers reach.
fn width_mm(text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c {
            '-' => 333,
            '.' | ',' => 278,
            '+' => 584,
            ' ' => 278,
            _ => 556,
        })
        .sum();
    units as f32 / 1000.0 * size * 25.4 / 72.0
}

/// Pages being written: the ops of the current page and the cursor's height.
struct Pages {
    done: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    title: String,
}

impl Pages {
    fn new(title: &str) -> Pages {
        Pages { done: Vec::new(), ops: Vec::new(), y: TOP, title: title.to_owned() }
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, value: &str) {
        let font = if bold { BuiltinFont::HelveticaBold } else { BuiltinFont::Helvetica };
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFont { font: PdfFontHandle::Builtin(font), size: Pt(size) });
        self.ops.push(Op::SetTextCursor { pos: Point { x: Mm(x).into_pt(), y: Mm(self.y).into_pt() } });
        self.ops.push(Op::ShowText { items: vec![TextItem::Text(value.to_owned())] });
        self.ops.push(Op::EndTextSection);
    }

    fn cell(&mut self, col: &Col, size: f32, bold: bool, value: &str) {
        match col {
            Col::Left(x) => self.text(*x, size, bold, value),
            Col::Right(x) => self.text(x - width_mm(value, size), size, bold, value),
        }
    }

    fn rule(&mut self, from: f32, to: f32) {
        let at =
            |x: f32| LinePoint { p: Point { x: Mm(x).into_pt(), y: Mm(self.y).into_pt() }, bezier: false };
        self.ops.push(Op::SetOutlineThickness { pt: Pt(0.5) });
        self.ops.push(Op::DrawLine { line: Line { points: vec![at(from), at(to)], is_closed: false } });
    }

    /// Room for `rows` more rows, else a new page (its heading repeated).
    fn room(&mut self, rows: f32) -> bool {
        if self.y - rows * ROW >= BOTTOM {
            return false;
        }
        self.done.push(std::mem::take(&mut self.ops));
        self.y = TOP;
        let title = format!("{} (continued)", self.title);
        self.text(LEFT, 11.0, true, &title);
        self.y -= ROW * 1.6;
        true
    }

    fn header_row(&mut self) {
        for (name, col) in &COLUMNS {
            self.cell(col, BODY, true, name);
        }
        self.y -= 1.5;
        self.rule(LEFT, RIGHT);
        self.y -= ROW - 1.5;
    }

    fn finish(mut self, generated: &str) -> Vec<Vec<Op>> {
        self.done.push(self.ops);
        let total = self.done.len();
        for (n, ops) in self.done.iter_mut().enumerate() {
            let footer = format!("{generated} - page {} of {total}", n + 1);
            let mut foot = Pages { done: Vec::new(), ops: Vec::new(), y: 10.0, title: String::new() };
            foot.text(LEFT, 7.0, false, &footer);
            ops.extend(foot.ops);
        }
        self.done
    }
}

fn session_block(pages: &mut Pages, session: &PackSession) {
    pages.room(6.0);
    let kind = if session.full_count { "full count" } else { "count" };
    let blind = if session.blind { ", blind" } else { "" };
    pages.text(
        LEFT,
        11.0,
        true,
        &format!("Session {} - {} at {} ({kind}{blind})", session.id, session.scope_label, session.location),
    );
    pages.y -= ROW;
    let plan = session.plan.as_deref().map(|p| format!(", plan {p}")).unwrap_or_default();
    pages.text(
        LEFT,
        BODY,
        false,
        &format!("Started {} by {}; {}{plan}", session.started_at, session.started_by, session.status),
    );
    pages.y -= ROW * 1.4;
    if session.lines.is_empty() {
        pages.text(LEFT, BODY, false, "No line submitted yet.");
        pages.y -= ROW * 1.6;
        return;
    }
    pages.header_row();
    for line in &session.lines {
        if pages.room(1.0) {
            pages.header_row();
        }
        for ((_, col), value) in COLUMNS.iter().zip(cells(line)) {
            pages.cell(col, BODY, false, &value);
        }
        pages.y -= ROW;
    }
    let f = pack_figures(&session.lines);
    pages.y -= 1.0;
    pages.text(LEFT, BODY, true, &figures_line(&f));
    pages.y -= ROW * 2.0;
}

/// The accuracy figures in one line.
pub fn figures_line(f: &PackFigures) -> String {
    format!(
        "Accuracy {}.{}% ({} of {} lines within tolerance); posted {}, pending {}, rejected {}, recounted {}; net variance {}, absolute {}",
        f.accuracy_permille / 10,
        f.accuracy_permille % 10,
        f.within_tolerance,
        f.lines,
        f.posted,
        f.pending,
        f.rejected,
        f.recounted,
        format_cents(f.net_value_cents),
        format_cents(f.abs_value_cents),
    )
}

/// The pack as PDF: A4 landscape pages, every line of every session, the figures per session
/// and in total, and three signature lines (counted by, checked by, approved by).
pub fn pdf_count_pack(pack: &CountPack) -> Vec<u8> {
    let mut doc = PdfDocument::new(&pack.title);
    let mut pages = Pages::new(&pack.title);
    pages.text(LEFT, 16.0, true, &format!("ShelfSync count pack: {}", pack.title));
    pages.y -= ROW * 1.4;
    let sessions = pack.sessions.len();
    pages.text(
        LEFT,
        BODY,
        false,
        &format!(
            "{sessions} session{}; made {} by {}",
            if sessions == 1 { "" } else { "s" },
            pack.generated_at,
            pack.generated_by
        ),
    );
    pages.y -= ROW * 2.0;
    for session in &pack.sessions {
        session_block(&mut pages, session);
    }
    pages.room(12.0);
    pages.text(LEFT, 11.0, true, "Total");
    pages.y -= ROW;
    pages.text(LEFT, BODY, false, &figures_line(&pack.figures()));
    pages.y -= ROW * 3.0;
    for role in ["Counted by", "Checked by", "Approved by (supervisor)"] {
        pages.text(LEFT, BODY + 1.0, false, role);
        pages.rule(60.0, 160.0);
        pages.text(170.0, BODY + 1.0, false, "Date");
        pages.rule(182.0, 230.0);
        pages.y -= ROW * 2.4;
    }
    let footer = format!("{} - made {}", pack.title, pack.generated_at);
    let pdf_pages = pages.finish(&footer).into_iter().map(|ops| PdfPage::new(PAGE_W, PAGE_H, ops)).collect();
    let opts = PdfSaveOptions { image_optimization: None, ..Default::default() };
    doc.with_pages(pdf_pages).save(&opts, &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_clipped_and_numbers_signed() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("a very long reason indeed", 10), "a very ...");
        assert_eq!((signed(3), signed(0), signed(-2)), ("+3".to_string(), "0".to_string(), "-2".to_string()));
        // Two digits at 10 pt: 2 x 0.556 em x 10 pt = 11.12 pt = 3.92 mm.
        assert!((width_mm("12", 10.0) - 3.923).abs() < 0.01);
    }
}
