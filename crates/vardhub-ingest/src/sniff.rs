//! Recognising what a delivered text file really is before reading it as `;`-separated CSV, so
//! that the report names the real cause (a UTF-16 export, a comma-separated file) instead of a
//! list of consequences (every mandatory column "missing").

/// The wide Unicode encoding a file's first bytes show (byte-order mark or NUL pattern), if any.
pub fn wide_encoding(prefix: &[u8]) -> Option<&'static str> {
    if prefix.starts_with(&[0xFF, 0xFE, 0, 0]) || prefix.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Some("UTF-32");
    }
    if prefix.starts_with(&[0xFF, 0xFE]) || prefix.starts_with(&[0xFE, 0xFF]) {
        return Some("UTF-16");
    }
    let sample = &prefix[..prefix.len().min(1024)];
    let quads = sample.len() / 4;
    if quads == 0 {
        return None;
    }
    let mut nul = [0usize; 4];
    for (i, b) in sample[..quads * 4].iter().enumerate() {
        if *b == 0 {
            nul[i % 4] += 1;
        }
    }
    let most = |n: usize| n * 10 >= quads * 9;
    let few = |n: usize| n * 2 < quads;
    if (most(nul[1]) && most(nul[2]) && most(nul[3]) && few(nul[0]))
        || (most(nul[0]) && most(nul[1]) && most(nul[2]) && few(nul[3]))
    {
        return Some("UTF-32");
    }
    let (even, odd) = (nul[0] + nul[2], nul[1] + nul[3]);
    let pairs = quads * 2;
    if (odd * 10 >= pairs * 4 && even * 10 < pairs) || (even * 10 >= pairs * 4 && odd * 10 < pairs)
    {
        return Some("UTF-16");
    }
    None
}

/// When a header did not split on `;` (one field), the separator it does split on: `,`, TAB or
/// `|`, whichever occurs most.
pub fn other_separator(header: &[u8]) -> Option<char> {
    [b',', b'\t', b'|']
        .into_iter()
        .map(|s| (header.iter().filter(|b| **b == s).count(), s))
        .filter(|(n, _)| *n > 0)
        .max()
        .map(|(_, s)| char::from(s))
}

/// How a separator is named in a report.
pub fn separator_name(c: char) -> String {
    match c {
        '\t' => "TAB".to_owned(),
        c => format!("'{c}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf32_are_recognised_with_or_without_bom() {
        let text = "kontakt_id;patient_id\nK1;x\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(wide_encoding(&le), Some("UTF-16"));
        assert_eq!(wide_encoding(&be), Some("UTF-16"));
        assert_eq!(
            wide_encoding(&[&[0xFF, 0xFE][..], &le].concat()),
            Some("UTF-16")
        );
        let le32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        assert_eq!(wide_encoding(&le32), Some("UTF-32"));
        assert_eq!(wide_encoding(text.as_bytes()), None);
        assert_eq!(wide_encoding("åäö;ÅÄÖ\n".as_bytes()), None);
    }

    #[test]
    fn separators() {
        assert_eq!(other_separator(b"a,b,c"), Some(','));
        assert_eq!(other_separator(b"a\tb\tc"), Some('\t'));
        assert_eq!(other_separator(b"abc"), None);
        assert_eq!(separator_name('\t'), "TAB");
    }
}
