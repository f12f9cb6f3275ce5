//! The header of an external file: each column matched, case-insensitively and with Swedish and
//! English aliases, to the field it holds.

/// A field of an external value row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `källa`, `source`.
    Source,
    /// `indikator`, `indicator`, `mått`, `nyckeltal`.
    Indicator,
    /// `region`, `enhet`, `område`, `län`, `area`.
    Area,
    /// `period`, `år`, `year`, `tid`.
    Period,
    /// `kön`, `sex`.
    Sex,
    /// `värde`, `value`, `andel`, `resultat`.
    Value,
    /// `täljare`, `numerator`, `antal`.
    Numerator,
    /// `nämnare`, `denominator`.
    Denominator,
    /// `konfidensintervall nedre`, `ki nedre`, `lower`.
    Lower,
    /// `konfidensintervall övre`, `ki övre`, `upper`.
    Upper,
    /// `ki`, `konfidensintervall`, `ci`: both limits in one cell.
    Interval,
    /// `status`, `flagga`.
    Status,
    /// `fotnot`, `footnote`, `kommentar`.
    Footnote,
}

impl Field {
    /// The name used in findings (Swedish, as in the list).
    pub fn name(self) -> &'static str {
        match self {
            Field::Source => "källa",
            Field::Indicator => "indikator",
            Field::Area => "region",
            Field::Period => "period",
            Field::Sex => "kön",
            Field::Value => "värde",
            Field::Numerator => "täljare",
            Field::Denominator => "nämnare",
            Field::Lower => "ki_nedre",
            Field::Upper => "ki_övre",
            Field::Interval => "ki",
            Field::Status => "status",
            Field::Footnote => "fotnot",
        }
    }

    /// The fields a file must have.
    pub const REQUIRED: [Field; 4] = [Field::Indicator, Field::Area, Field::Period, Field::Value];
}

/// Lower case, å/ä → a, ö → o, `%` and brackets removed, every other run of non-alphanumerics
/// one space.
fn normalise(s: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in s
        .trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .flat_map(char::to_lowercase)
    {
        let c = match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            'é' => 'e',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// The field a header name means, if any.
pub fn field_of(header: &str) -> Option<Field> {
    let n = normalise(header);
    let f = match n.as_str() {
        "kalla" | "source" | "datakalla" | "data source" => Field::Source,
        "indikator" | "indicator" | "indikatornamn" | "indikator id" | "indikatorid" | "matt"
        | "measure" | "nyckeltal" | "variabel" | "indicator id" => Field::Indicator,
        "region" | "enhet" | "omrade" | "area" | "lan" | "region enhet" | "landsting"
        | "geografi" | "region unit" | "unit" | "regionnamn" | "region namn" => Field::Area,
        "period" | "ar" | "year" | "tid" | "time" | "tidsperiod" | "matperiod" | "manad"
        | "kvartal" => Field::Period,
        "kon" | "sex" | "gender" => Field::Sex,
        "varde" | "value" | "andel" | "resultat" | "result" | "utfall" | "procent" => Field::Value,
        "taljare" | "numerator" | "antal" | "count" => Field::Numerator,
        "namnare" | "denominator" | "population" | "antal totalt" => Field::Denominator,
        "konfidensintervall nedre"
        | "ki nedre"
        | "nedre"
        | "lower"
        | "ci lower"
        | "lower limit"
        | "nedre grans"
        | "nedre ki"
        | "konfidensintervall undre" => Field::Lower,
        "konfidensintervall ovre"
        | "ki ovre"
        | "ovre"
        | "upper"
        | "ci upper"
        | "upper limit"
        | "ovre grans"
        | "ovre ki" => Field::Upper,
        "ki"
        | "konfidensintervall"
        | "ci"
        | "95 ki"
        | "95 ci"
        | "confidence interval"
        | "konfidensintervall 95" => Field::Interval,
        "status" | "flagga" | "flag" | "markering" | "prickmarkering" => Field::Status,
        "fotnot" | "footnote" | "kommentar" | "anmarkning" | "note" | "not" | "comment" => {
            Field::Footnote
        }
        _ => return None,
    };
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_in_both_languages() {
        assert_eq!(field_of("Källa"), Some(Field::Source));
        assert_eq!(field_of("INDIKATOR"), Some(Field::Indicator));
        assert_eq!(field_of("Region/enhet"), Some(Field::Area));
        assert_eq!(field_of("År"), Some(Field::Period));
        assert_eq!(field_of("Kön"), Some(Field::Sex));
        assert_eq!(field_of("Värde (%)"), Some(Field::Value));
        assert_eq!(field_of("Täljare"), Some(Field::Numerator));
        assert_eq!(field_of("Nämnare"), Some(Field::Denominator));
        assert_eq!(field_of("Konfidensintervall nedre"), Some(Field::Lower));
        assert_eq!(field_of("Konfidensintervall övre"), Some(Field::Upper));
        assert_eq!(field_of("KI"), Some(Field::Interval));
        assert_eq!(field_of("95 % KI"), Some(Field::Interval));
        assert_eq!(field_of("Fotnot"), Some(Field::Footnote));
        assert_eq!(field_of("\u{feff}source"), Some(Field::Source));
        assert_eq!(field_of("Färg"), None);
    }
}
