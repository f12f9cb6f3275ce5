//! Data as CSV (`outputFormat=csv`): one row per cell, one column per selected variable and a
//! last column with the value — or, where there is none, the status symbol (`:`, `..` …; the
//! legend is in the metadata). PxWeb's `outputFormatParams` choose codes (default), texts or
//! both, and the separator (comma default; `SeparatorSemicolon`, `SeparatorTab`). Numbers use
//! a decimal point. Text cells are neutralised against spreadsheet formulas.

use super::jsonstat::cells;
use super::selection::Selected;
use super::{PxCell, PxTable};
use crate::csv::neutralise;
use crate::i18n::Lang;

/// What the variable columns show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// Codes (`UseCodes`, the default).
    #[default]
    Codes,
    /// Labels (`UseTexts`).
    Texts,
    /// `code label` (`UseCodesAndTexts`).
    CodesAndTexts,
}

/// CSV options from `outputFormatParams`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    /// What the variable columns show.
    pub show: Show,
    /// The separator.
    pub separator: char,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            show: Show::Codes,
            separator: ',',
        }
    }
}

impl CsvOptions {
    /// Apply one `outputFormatParams` value (case-insensitive); `false` if unknown.
    pub fn apply(&mut self, param: &str) -> bool {
        match param.to_ascii_lowercase().as_str() {
            "usecodes" => self.show = Show::Codes,
            "usetexts" => self.show = Show::Texts,
            "usecodesandtexts" => self.show = Show::CodesAndTexts,
            "separatorsemicolon" => self.separator = ';',
            "separatortab" => self.separator = '\t',
            "separatorspace" => self.separator = ' ',
            "includetitle" => {}
            _ => return false,
        }
        true
    }
}

fn field(s: &str, sep: char) -> String {
    let s = neutralise(s);
    if s.contains(sep) || s.contains('"') || s.contains('\n') || s.contains('\r') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// The selection as CSV text (UTF-8, CRLF line ends, a header row).
pub fn data(t: &PxTable, sel: &[Selected], lang: Lang, opts: CsvOptions) -> String {
    let sep = opts.separator;
    let dims: Vec<usize> = (0..t.dimensions.len())
        .filter(|k| !sel[*k].chosen().is_empty())
        .collect();
    let mut out = String::new();
    let mut header: Vec<String> = dims
        .iter()
        .map(|k| {
            let d = &t.dimensions[*k];
            match opts.show {
                Show::Texts => field(d.label.pick(lang), sep),
                _ => field(&d.code, sep),
            }
        })
        .collect();
    header.push(lang.pick("värde", "value").to_owned());
    out.push_str(&header.join(&sep.to_string()));
    out.push_str("\r\n");
    let mut pos = vec![0usize; dims.len()];
    for cell in cells(t, sel) {
        for (j, k) in dims.iter().enumerate() {
            let c = &t.dimensions[*k].categories[sel[*k].chosen()[pos[j]]];
            let text = match opts.show {
                Show::Codes => field(&c.code, sep),
                Show::Texts => field(c.label.pick(lang), sep),
                Show::CodesAndTexts => field(&format!("{} {}", c.code, c.label.pick(lang)), sep),
            };
            out.push_str(&text);
            out.push(sep);
        }
        match cell {
            PxCell::Value(x) => out.push_str(&x.to_string()),
            PxCell::Missing(s) => out.push_str(s.symbol()),
        }
        out.push_str("\r\n");
        for j in (0..dims.len()).rev() {
            pos[j] += 1;
            if pos[j] < sel[dims[j]].chosen().len() {
                break;
            }
            pos[j] = 0;
        }
    }
    out
}
