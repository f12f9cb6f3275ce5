//! Indicator values as CSV, in two dialects:
//!
//! * [`Dialect::Excel`] (`format=csv`): what Swedish Excel opens directly — `;` separator,
//!   decimal comma, UTF-8 with BOM, CRLF line ends;
//! * [`Dialect::Rfc4180`] (`format=csv-rfc4180`): `,` separator, decimal point, no BOM, CRLF.
//!
//! Hidden values are empty cells; the `status` and `status_text` columns say why.

use crate::i18n::Lang;
use crate::published::PublicValue;

/// A CSV dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `;`, decimal comma, BOM, CRLF.
    Excel,
    /// `,`, decimal point, no BOM, CRLF.
    Rfc4180,
}

const COLUMNS: [&str; 26] = [
    "indicator",
    "spec_version",
    "spec_hash",
    "region",
    "period",
    "kon",
    "aldersgrupp",
    "status",
    "status_text",
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "standardised",
    "standardised_lower",
    "standardised_upper",
    "national_value",
    "funnel_95",
    "funnel_998",
    "meets_target",
    "deliveries",
    "run_id",
    "region_name",
    "public_status",
    "policy",
];

/// The values as CSV bytes.
pub fn values_csv(values: &[&PublicValue], dialect: Dialect, lang: Lang) -> Vec<u8> {
    let (sep, bom) = match dialect {
        Dialect::Excel => (';', "\u{feff}"),
        Dialect::Rfc4180 => (',', ""),
    };
    let mut out = String::with_capacity(64 + values.len() * 160);
    out.push_str(bom);
    push_row(&mut out, sep, COLUMNS.iter().map(|c| (*c).to_owned()));
    let num = |v: Option<f64>| -> String {
        v.map_or(String::new(), |v| {
            let s = format!("{v}");
            match dialect {
                Dialect::Excel => s.replace('.', ","),
                Dialect::Rfc4180 => s,
            }
        })
    };
    for v in values {
        let cells = [
            v.indicator.clone(),
            v.spec_version.clone(),
            v.spec_hash.clone(),
            v.region.clone(),
            v.period.clone(),
            v.kon.clone(),
            v.aldersgrupp.clone(),
            v.status.code().to_owned(),
            lang.pick(v.status.label_sv(), v.status.label_en())
                .to_owned(),
            num(v.numerator),
            num(v.denominator),
            num(v.value),
            num(v.lower),
            num(v.upper),
            num(v.standardised),
            num(v.standardised_lower),
            num(v.standardised_upper),
            num(v.national_value),
            v.funnel_95.clone().unwrap_or_default(),
            v.funnel_998.clone().unwrap_or_default(),
            v.meets_target.map_or(String::new(), |b| b.to_string()),
            v.deliveries.join(" "),
            v.run_id.clone(),
            crate::i18n::region_name(&v.region, lang).to_owned(),
            v.public_status.code().to_owned(),
            v.policy.clone(),
        ];
        push_row(&mut out, sep, cells.into_iter());
    }
    out.into_bytes()
}

fn push_row(out: &mut String, sep: char, cells: impl Iterator<Item = String>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(sep);
        }
        if c.contains([sep, '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&c);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use vardhub_engine::disclosure::Status;

    fn value(status: Status, v: Option<f64>) -> PublicValue {
        PublicValue {
            indicator: "x".into(),
            spec_version: "1.0.0".into(),
            spec_hash: "h".into(),
            region: "01".into(),
            period: "2024-03".into(),
            kon: "alla".into(),
            aldersgrupp: "alla".into(),
            status,
            public_status: status,
            numerator: v.map(|_| 12.0),
            denominator: v.map(|_| 40.0),
            value: v,
            lower: None,
            upper: None,
            standardised: None,
            standardised_lower: None,
            standardised_upper: None,
            national_value: None,
            funnel_95: None,
            funnel_998: None,
            meets_target: None,
            deliveries: vec!["a".into(), "b".into()],
            run_id: "run-1".into(),
            policy: "vardhub-public v1".into(),
        }
    }

    #[test]
    fn excel_dialect_has_bom_semicolons_decimal_comma_and_crlf() {
        let v = value(Status::Ok, Some(0.3));
        let out = String::from_utf8(values_csv(&[&v], Dialect::Excel, Lang::Sv)).unwrap();
        assert!(out.starts_with('\u{feff}'));
        let lines: Vec<&str> = out.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("indicator;spec_version;"));
        assert!(lines[1].contains(";0,3;"), "{}", lines[1]);
        assert!(lines[1].contains("Region Stockholm"));
    }

    #[test]
    fn rfc_dialect_has_commas_and_points_and_quotes_when_needed() {
        let v = value(Status::Ok, Some(0.3));
        let out = String::from_utf8(values_csv(&[&v], Dialect::Rfc4180, Lang::En)).unwrap();
        assert!(out.starts_with("indicator,spec_version,"));
        assert!(out.contains(",0.3,"));
        let hidden = value(Status::HiddenSmall, None);
        let out = String::from_utf8(values_csv(&[&hidden], Dialect::Rfc4180, Lang::En)).unwrap();
        assert!(
            out.contains("\"Hidden – too few cases\"") || out.contains(",Hidden – too few cases,")
        );
        assert!(out.contains("hidden_small,Hidden – too few cases,,,,"));
    }
}
