//! Simple PDF documents — a title, headings, paragraphs, bullet lists and tables — on A4 pages
//! with page numbers and a footer, written with `pdf-writer` in the base-14 fonts Helvetica and
//! Helvetica-Bold (WinAnsiEncoding, so no font is embedded).
//!
//! Text is encoded as Windows-1252; characters outside it become close ASCII (`−` → `-`, the
//! non-breaking and thin spaces → a space, typographic quotes kept, others `?`). Lines are
//! wrapped by measuring with Helvetica's widths (the Adobe metrics for ASCII; accented letters as
//! their base letter), never breaking at a non-breaking space; pages break between lines and
//! between table rows, and a table's header is repeated on every page it continues on.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};

/// A document.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The title, on top of the first page and in the document information.
    pub title: String,
    /// Lines under the title (e.g. a date).
    pub subtitle: Vec<String>,
    /// The content, in order.
    pub blocks: Vec<Block>,
    /// The footer of every page (left); the page number is at the right.
    pub footer: String,
    /// The page number's words: `("Sida", "av")` gives `Sida 2 av 5`.
    pub page_words: (String, String),
}

/// A piece of content.
#[derive(Debug, Clone)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph, wrapped to the page.
    Paragraph(String),
    /// A bullet list.
    Bullets(Vec<String>),
    /// A table.
    Table(Table),
}

/// A table: columns with relative widths, and rows of cells (wrapped within their column).
#[derive(Debug, Clone)]
pub struct Table {
    /// Column headings and relative widths.
    pub columns: Vec<(String, f32)>,
    /// Rows; a missing cell is empty.
    pub rows: Vec<Vec<String>>,
}

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 48.0;
const TOP: f32 = PAGE_H - 56.0;
const BOTTOM: f32 = 64.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;

/// Helvetica's widths (1/1000 em) of the ASCII characters 32–126.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Helvetica-Bold's widths of the ASCII characters 32–126.
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// A character as close as WinAnsi allows, as a one-character string.
fn winansi_char(c: char) -> char {
    match c {
        '\u{2212}' | '\u{2010}' | '\u{2011}' => '-',
        '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' => ' ',
        '\u{2264}' => '<',
        '\u{2265}' => '>',
        c => c,
    }
}

/// Encode text as Windows-1252 bytes (see the module documentation for the substitutions).
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars().map(winansi_char) {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let (bytes, _, errors) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
        match (errors, bytes.as_ref()) {
            (false, [b]) => out.push(*b),
            _ => out.push(b'?'),
        }
    }
    out
}

/// The width (1/1000 em) of one WinAnsi byte.
fn byte_width(b: u8, bold: bool) -> u16 {
    let table = if bold { &BOLD } else { &REGULAR };
    let ascii = |c: u8| table[usize::from(c.clamp(32, 126) - 32)];
    match b {
        32..=126 => ascii(b),
        0xC0..=0xC5 => ascii(b'A'),
        0xC6 => 1000,
        0xC7 => ascii(b'C'),
        0xC8..=0xCB => ascii(b'E'),
        0xCC..=0xCF => ascii(b'I'),
        0xD1 => ascii(b'N'),
        0xD2..=0xD6 | 0xD8 => ascii(b'O'),
        0xD9..=0xDC => ascii(b'U'),
        0xDD => ascii(b'Y'),
        0xDF => ascii(b'b'),
        0xE0..=0xE5 => ascii(b'a'),
        0xE6 => 889,
        0xE7 => ascii(b'c'),
        0xE8..=0xEB => ascii(b'e'),
        0xEC..=0xEF => ascii(b'i'),
        0xF1 => ascii(b'n'),
        0xF2..=0xF6 | 0xF8 => ascii(b'o'),
        0xF9..=0xFC => ascii(b'u'),
        0xFD | 0xFF => ascii(b'y'),
        0x96 => 556,
        0x97 => 1000,
        0x91..=0x94 => 500,
        0x95 => 350,
        // Anything else: as wide as the widest common glyphs (conservative).
        _ => 1000,
    }
}

/// The width in points of `text` at `size`.
pub fn text_width(text: &str, bold: bool, size: f32) -> f32 {
    let units: u32 = encode(text)
        .into_iter()
        .map(|b| u32::from(byte_width(b, bold)))
        .sum();
    units as f32 * size / 1000.0
}

/// Wrap `text` into lines no wider than `width` points, breaking at ordinary spaces (never at a
/// non-breaking one) and, for a word wider than a line, between characters.
pub fn wrap(text: &str, bold: bool, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        // A word kept together by non-breaking spaces that does not fit a line on its own is
        // broken at those spaces rather than between characters.
        let words = paragraph
            .split(' ')
            .filter(|w| !w.is_empty())
            .flat_map(|w| {
                if text_width(w, bold, size) > width {
                    w.split('\u{a0}').collect::<Vec<_>>()
                } else {
                    vec![w]
                }
            });
        for word in words {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, bold, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: split it if it is still too wide.
            for c in word.chars() {
                let mut next = line.clone();
                next.push(c);
                if !line.is_empty() && text_width(&next, bold, size) > width {
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                } else {
                    line = next;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// What is drawn on a page.
enum Op {
    Text {
        x: f32,
        y: f32,
        bold: bool,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        gray: f32,
    },
}

/// Pages being laid out.
struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Make room for `h` points, starting a new page when they do not fit (a block taller than
    /// a page starts on a fresh page and runs past the bottom margin rather than looping).
    fn room(&mut self, h: f32) {
        if self.y - h < BOTTOM && self.y < TOP {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, y: f32, bold: bool, size: f32, text: String) {
        if let Some(p) = self.pages.last_mut() {
            p.push(Op::Text {
                x,
                y,
                bold,
                size,
                text,
            });
        }
    }

    fn rule(&mut self, y: f32, gray: f32) {
        if let Some(p) = self.pages.last_mut() {
            p.push(Op::Line {
                x1: MARGIN_X,
                y1: y,
                x2: PAGE_W - MARGIN_X,
                y2: y,
                gray,
            });
        }
    }

    /// Wrapped lines at `x`, breaking pages between lines.
    fn lines(&mut self, text: &str, x: f32, bold: bool, size: f32, leading: f32) {
        for line in wrap(text, bold, size, PAGE_W - MARGIN_X - x) {
            self.room(leading);
            self.y -= leading;
            self.text(x, self.y + leading * 0.25, bold, size, line);
        }
    }

    fn table(&mut self, t: &Table) {
        const SIZE: f32 = 7.5;
        const LEADING: f32 = 9.5;
        const PAD: f32 = 3.0;
        let total: f32 = t.columns.iter().map(|c| c.1.max(0.01)).sum();
        let widths: Vec<f32> = t
            .columns
            .iter()
            .map(|c| c.1.max(0.01) / total * WIDTH)
            .collect();
        let cells = |row: &[String], bold: bool| -> Vec<Vec<String>> {
            widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = row.get(i).map_or("", String::as_str);
                    wrap(text, bold, SIZE, w - 2.0 * PAD)
                })
                .collect()
        };
        let header: Vec<String> = t.columns.iter().map(|c| c.0.clone()).collect();
        let header = cells(&header, true);
        let height = |c: &[Vec<String>]| {
            c.iter().map(Vec::len).max().unwrap_or(1) as f32 * LEADING + 2.0 * PAD
        };
        let draw = |l: &mut Layout, c: &[Vec<String>], bold: bool| {
            let h = height(c);
            let mut x = MARGIN_X;
            for (col, w) in c.iter().zip(&widths) {
                for (k, line) in col.iter().enumerate() {
                    let y = l.y - PAD - (k as f32 + 1.0) * LEADING + LEADING * 0.25;
                    l.text(x + PAD, y, bold, SIZE, line.clone());
                }
                x += w;
            }
            l.y -= h;
            l.rule(l.y, if bold { 0.0 } else { 0.75 });
        };
        let header_h = height(&header);
        self.room(header_h + LEADING * 2.0);
        draw(self, &header, true);
        for row in &t.rows {
            let c = cells(row, false);
            let h = height(&c);
            if self.y - h < BOTTOM {
                self.new_page();
                draw(self, &header, true);
            }
            draw(self, &c, false);
        }
    }
}

/// Lay out and write the document; the PDF's bytes.
pub fn render(doc: &Document) -> Vec<u8> {
    let mut l = Layout::new();
    for line in wrap(&doc.title, true, 18.0, WIDTH) {
        l.y -= 22.0;
        l.text(MARGIN_X, l.y, true, 18.0, line);
    }
    for s in &doc.subtitle {
        l.lines(s, MARGIN_X, false, 10.0, 13.0);
    }
    l.y -= 6.0;
    for b in &doc.blocks {
        match b {
            Block::Heading(h) => {
                l.room(17.0 + 3.0 * 12.0);
                l.y -= 8.0;
                l.lines(h, MARGIN_X, true, 13.0, 17.0);
                l.y -= 2.0;
            }
            Block::Paragraph(p) => {
                l.lines(p, MARGIN_X, false, 9.5, 12.5);
                l.y -= 5.0;
            }
            Block::Bullets(items) => {
                for item in items {
                    l.room(12.5);
                    let y = l.y - 12.5 * 0.75;
                    l.text(MARGIN_X + 2.0, y, false, 9.5, "\u{2022}".into());
                    l.lines(item, MARGIN_X + 12.0, false, 9.5, 12.5);
                    l.y -= 2.0;
                }
                l.y -= 4.0;
            }
            Block::Table(t) => {
                l.table(t);
                l.y -= 8.0;
            }
        }
    }
    write(doc, l.pages)
}

fn write(doc: &Document, pages: Vec<Vec<Op>>) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let n = pages.len();
    let page_ref = |i: usize| Ref::new(6 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(7 + 2 * i as i32);
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids((0..n).map(page_ref)).count(n as i32);
    for (id, name) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info)
        .title(TextStr(&doc.title))
        .producer(TextStr("Vårddatahubben"));
    for (i, ops) in pages.into_iter().enumerate() {
        let mut c = Content::new();
        let footer_y = BOTTOM - 30.0;
        let number = format!("{} {} {} {}", doc.page_words.0, i + 1, doc.page_words.1, n);
        let all = ops.into_iter().chain([
            Op::Line {
                x1: MARGIN_X,
                y1: footer_y + 12.0,
                x2: PAGE_W - MARGIN_X,
                y2: footer_y + 12.0,
                gray: 0.6,
            },
            Op::Text {
                x: MARGIN_X,
                y: footer_y,
                bold: false,
                size: 8.0,
                text: doc.footer.clone(),
            },
            Op::Text {
                x: PAGE_W - MARGIN_X - text_width(&number, false, 8.0),
                y: footer_y,
                bold: false,
                size: 8.0,
                text: number,
            },
        ]);
        for op in all {
            match op {
                Op::Text {
                    x,
                    y,
                    bold,
                    size,
                    text,
                } => {
                    let font = if bold { Name(b"F2") } else { Name(b"F1") };
                    c.begin_text();
                    c.set_font(font, size);
                    c.next_line(x, y);
                    c.show(Str(&encode(&text)));
                    c.end_text();
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    gray,
                } => {
                    c.set_stroke_gray(gray);
                    c.set_line_width(0.5);
                    c.move_to(x1, y1);
                    c.line_to(x2, y2);
                    c.stroke();
                }
            }
        }
        let mut page = pdf.page(page_ref(i));
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_ref(i));
        page.resources()
            .fonts()
            .pair(Name(b"F1"), regular)
            .pair(Name(b"F2"), bold);
        drop(page);
        pdf.stream(content_ref(i), &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_encoded_as_winansi_with_close_substitutes() {
        assert_eq!(encode("Å ä ö"), vec![0xC5, b' ', 0xE4, b' ', 0xF6]);
        assert_eq!(encode("−1,5\u{a0}%"), b"-1,5 %".to_vec());
        assert_eq!(encode("–"), vec![0x96]);
        assert_eq!(encode("→ ✓"), b"? ?".to_vec());
    }

    #[test]
    fn lines_fit_their_width_and_keep_non_breaking_spaces() {
        let text = "Regionens värden för januari 2024 och för kvartal, år och rullande 12 månader som omfattar månaden visas som Uppgift saknas.";
        let lines = wrap(text, false, 9.5, 150.0);
        assert!(lines.len() > 3, "{lines:?}");
        for l in &lines {
            assert!(text_width(l, false, 9.5) <= 150.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
        let kept = wrap("a 73\u{a0}141\u{a0}kr b", false, 10.0, 45.0);
        assert!(kept.iter().any(|l| l == "73\u{a0}141\u{a0}kr"), "{kept:?}");
        // Too wide even alone: broken at its non-breaking spaces, not inside a word.
        let broken = wrap(
            "71\u{a0}829\u{a0}kr\u{a0}per\u{a0}DRG-poäng",
            false,
            10.0,
            60.0,
        );
        assert!(broken.contains(&"DRG-poäng".to_owned()), "{broken:?}");
        // A word wider than the line is split between characters.
        let long = wrap(&"x".repeat(200), false, 10.0, 50.0);
        assert!(long.len() > 1 && long.iter().all(|l| text_width(l, false, 10.0) <= 50.0));
        // Helvetica's widths: "Hello" is 2.278 em at 1 pt.
        assert!((text_width("Hello", false, 1000.0) - 2278.0).abs() < 0.01);
    }

    #[test]
    fn a_long_table_breaks_pages_with_numbers() {
        let doc = Document {
            title: "Rapport".into(),
            subtitle: vec!["5 december 2026".into()],
            blocks: vec![
                Block::Heading("Tabell".into()),
                Block::Table(Table {
                    columns: vec![("Indikator".into(), 3.0), ("Värde".into(), 1.0)],
                    rows: (0..200)
                        .map(|i| vec![format!("Rad {i}"), format!("{i},0\u{a0}%")])
                        .collect(),
                }),
                Block::Bullets(vec!["En punkt".into()]),
            ],
            footer: "Endast syntetiska data".into(),
            page_words: ("Sida".into(), "av".into()),
        };
        let bytes = render(&doc);
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/Helvetica-Bold") && text.contains("/WinAnsiEncoding"));
        assert!(text.contains("(Sida 1 av "), "page numbers");
        assert!(!text.contains("(Sida 1 av 1)"), "the table spans pages");
    }
}
