//! Numbers as Swedish sources write them: decimal comma, thousands grouped with a space, a
//! non-breaking space, a narrow non-breaking space or a dot, a trailing percent sign, the minus
//! sign `−`; and intervals written in one cell (`12,3–15,6`).

/// A number read from a cell, with what was noticed on the way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    /// The value as written (a percentage stays in percent: `45,3 %` is 45.3).
    pub value: f64,
    /// A trailing `%` was removed.
    pub percent: bool,
    /// A lone dot followed by three digits was read as a thousands separator (`1.234` = 1234).
    pub dot_as_thousands: bool,
}

/// Read a number; `None` when the cell is not one.
pub fn parse_number(raw: &str) -> Option<Number> {
    let mut s: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\''))
        .map(|c| if c == '−' { '-' } else { c })
        .collect();
    let percent = s.ends_with('%');
    if percent {
        s.pop();
    }
    if s.is_empty() {
        return None;
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b.to_owned()),
        None => (false, s.clone()),
    };
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let mut dot_as_thousands = false;
    let plain = if body.contains(',') {
        // Decimal comma; dots can only group thousands.
        if body.matches(',').count() > 1 {
            return None;
        }
        let (int, frac) = body.split_once(',')?;
        format!("{}.{frac}", thousands(int)?)
    } else if body.matches('.').count() > 1 {
        thousands(&body)?
    } else if let Some((int, frac)) = body.split_once('.') {
        if frac.len() == 3 && (1..=3).contains(&int.len()) && !int.starts_with('0') {
            dot_as_thousands = true;
            format!("{int}{frac}")
        } else {
            body.clone()
        }
    } else {
        body.clone()
    };
    if plain.starts_with('.') || plain.ends_with('.') {
        return None;
    }
    let v: f64 = plain.parse().ok()?;
    v.is_finite().then_some(Number {
        value: if neg { -v } else { v },
        percent,
        dot_as_thousands,
    })
}

/// Digits, possibly grouped by dots in threes (`1.234.567`).
fn thousands(int: &str) -> Option<String> {
    if !int.contains('.') {
        return (!int.is_empty()).then(|| int.to_owned());
    }
    let groups: Vec<&str> = int.split('.').collect();
    let ok = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
    ok.then(|| groups.concat())
}

/// A non-negative whole number (`1 234`, `1.234`).
pub fn parse_count(raw: &str) -> Option<u64> {
    let n = parse_number(raw)?;
    (n.value >= 0.0 && n.value.fract() == 0.0 && n.value < 9.0e15 && !n.percent)
        .then_some(n.value as u64)
}

/// An interval in one cell: `12,3–15,6`, `12,3 - 15,6`, `(12,3; 15,6)`, `[12,3 – 15,6]`.
pub fn parse_interval(raw: &str) -> Option<(f64, f64)> {
    let t = raw
        .trim()
        .trim_start_matches(['(', '['])
        .trim_end_matches([')', ']'])
        .trim();
    let split = t
        .split_once(['–', '—', ';'])
        .or_else(|| t.split_once(" - "))
        .or_else(|| {
            // `12,3-15,6`: the first hyphen after the first character.
            let i = t.char_indices().skip(1).find(|(_, c)| *c == '-')?.0;
            Some((&t[..i], &t[i + 1..]))
        })?;
    Some((parse_number(split.0)?.value, parse_number(split.1)?.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Option<f64> {
        parse_number(s).map(|n| n.value)
    }

    #[test]
    fn swedish_numbers() {
        assert_eq!(v("12,5"), Some(12.5));
        assert_eq!(v("1 234,5"), Some(1234.5));
        assert_eq!(v("1\u{a0}234"), Some(1234.0));
        assert_eq!(v("1\u{202f}234\u{202f}567"), Some(1_234_567.0));
        assert_eq!(v("1.234,5"), Some(1234.5));
        assert_eq!(v("1.234.567"), Some(1_234_567.0));
        assert_eq!(v("45,3 %"), Some(45.3));
        assert_eq!(v("−2,5"), Some(-2.5));
        assert_eq!(v("0.5"), Some(0.5));
        assert_eq!(v("12.25"), Some(12.25));
        assert!(parse_number("1.234").unwrap().dot_as_thousands);
        assert!(parse_number("45 %").unwrap().percent);
        for bad in ["", "abc", "1,2,3", "12.34.5", "1,", ",5", "--1", "1e5"] {
            assert_eq!(v(bad), None, "{bad}");
        }
    }

    #[test]
    fn counts_and_intervals() {
        assert_eq!(parse_count("1 234"), Some(1234));
        assert_eq!(parse_count("12,5"), None);
        assert_eq!(parse_count("-3"), None);
        assert_eq!(parse_interval("12,3–15,6"), Some((12.3, 15.6)));
        assert_eq!(parse_interval("12,3 - 15,6"), Some((12.3, 15.6)));
        assert_eq!(parse_interval("(12,3; 15,6)"), Some((12.3, 15.6)));
        assert_eq!(parse_interval("12,3-15,6"), Some((12.3, 15.6)));
        assert_eq!(parse_interval("12,3"), None);
    }
}
