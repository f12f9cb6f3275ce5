//! A delivered file's bytes as text: the encoding (UTF-8 with or without BOM, else
//! Windows-1252; UTF-16 and UTF-32 refused) and the separator (`;`, else TAB or `,` when the
//! header leaves no doubt).

use crate::sniff::wide_encoding;

/// The decoded text and what was detected.
#[derive(Debug)]
pub struct Decoded {
    /// The text (without a BOM).
    pub text: String,
    /// `UTF-8`, `UTF-8 (BOM)` or `Windows-1252`.
    pub encoding: &'static str,
}

/// Why a file cannot be read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// UTF-16 or UTF-32 (named).
    Wide(&'static str),
    /// No bytes at all.
    Empty,
}

/// Decode: a UTF-8 BOM or valid UTF-8 is UTF-8; anything else is read as Windows-1252 (every
/// byte is a character there, so this never fails); UTF-16/32 is refused.
pub fn decode(bytes: &[u8]) -> Result<Decoded, TextProblem> {
    if bytes.is_empty() {
        return Err(TextProblem::Empty);
    }
    if let Some(wide) = wide_encoding(&bytes[..bytes.len().min(4096)]) {
        return Err(TextProblem::Wide(wide));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let (text, _) = encoding_rs::UTF_8.decode_without_bom_handling(rest);
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: "UTF-8 (BOM)",
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Decoded {
            text: s.to_owned(),
            encoding: "UTF-8",
        }),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok(Decoded {
                text: text.into_owned(),
                encoding: "Windows-1252",
            })
        }
    }
}

/// The separator the header line uses: `;` when present (and no TAB), else TAB, else `,`.
/// `Err` names the candidates when `;` and TAB both occur (ambiguous), `Ok(None)` when the header
/// has none (one column).
pub fn separator(header: &str) -> Result<Option<u8>, (char, char)> {
    let count = |c: char| header.chars().filter(|x| *x == c).count();
    let (semi, tab, comma) = (count(';'), count('\t'), count(','));
    match (semi > 0, tab > 0) {
        (true, true) => Err((';', '\t')),
        (true, false) => Ok(Some(b';')),
        (false, true) => Ok(Some(b'\t')),
        (false, false) if comma > 0 => Ok(Some(b',')),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let cp = decode(b"V\xe4rde;K\xf6n").unwrap();
        assert_eq!(
            (cp.text.as_str(), cp.encoding),
            ("Värde;Kön", "Windows-1252")
        );
        let bom = decode("\u{feff}Värde".as_bytes()).unwrap();
        assert_eq!((bom.text.as_str(), bom.encoding), ("Värde", "UTF-8 (BOM)"));
        assert_eq!(decode("Värde".as_bytes()).unwrap().encoding, "UTF-8");
        assert_eq!(
            decode(&[0xFF, 0xFE, b'V', 0]).unwrap_err(),
            TextProblem::Wide("UTF-16")
        );
        assert_eq!(decode(b"").unwrap_err(), TextProblem::Empty);
    }

    #[test]
    fn separators() {
        assert_eq!(separator("a;b,c"), Ok(Some(b';')));
        assert_eq!(separator("a\tb"), Ok(Some(b'\t')));
        assert_eq!(separator("a,b"), Ok(Some(b',')));
        assert_eq!(separator("a;b\tc"), Err((';', '\t')));
        assert_eq!(separator("ab"), Ok(None));
    }
}
