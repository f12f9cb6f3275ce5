//! Selections, as PxWeb API v2 takes them: per variable a list of value codes or expressions
//! (`*`, `01*`, `?`, `top(n)`, `top(n,offset)`, `bottom(n)`, `from(x)`, `to(x)`, `range(a,b)`;
//! function names and codes without regard to case), from a GET query (`valueCodes[Region]=01,12`,
//! a function with a comma in brackets: `[range(2024-01,2024-03)]`) or a POST body
//! (`{"selection":[{"variableCode":"Region","valueCodes":["01","12"]}]}`).
//!
//! A variable left out is eliminated — it takes its total (`Region` Sweden `00`, `Kon` and
//! `Alder` `alla`) and leaves the result — or, when it has none (`ContentsCode`, `Tid`), the
//! request is refused. No selection at all is the table's default selection. The categories
//! chosen come back in table order, each once.

use super::PxTable;
use serde::Deserialize;

/// One variable's selection as sent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariableSelection {
    /// The variable code (`Region`, `Tid` …).
    pub variable_code: String,
    /// Codes and expressions.
    #[serde(default)]
    pub value_codes: Vec<String>,
    /// A named code list (none are published: any is refused).
    #[serde(default)]
    pub codelist: Option<String>,
}

/// A POST body (`placement` is accepted and has no effect on JSON-stat or the long CSV).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SelectionBody {
    /// The selections.
    #[serde(default)]
    pub selection: Vec<VariableSelection>,
    /// Heading/stub placement (ignored).
    #[serde(default)]
    pub placement: Option<serde_json::Value>,
}

/// What a dimension contributes to a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selected {
    /// Left out: fixed at this category (its total) and not in the result.
    Eliminated(usize),
    /// These categories, in table order.
    Chosen(Vec<usize>),
}

impl Selected {
    /// The categories the result has of the dimension (empty when eliminated).
    pub fn chosen(&self) -> &[usize] {
        match self {
            Selected::Eliminated(_) => &[],
            Selected::Chosen(v) => v,
        }
    }
}

/// A selection refused, naming the variable and code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// No such variable in the table.
    #[error("variabeln {0} finns inte i tabellen / the table has no variable {0}")]
    UnknownVariable(String),
    /// No such value of the variable.
    #[error("värdet {value} finns inte för variabeln {variable} / {variable} has no value {value}")]
    UnknownValue {
        /// The variable.
        variable: String,
        /// The code asked for.
        value: String,
    },
    /// A wildcard or expression that chooses nothing.
    #[error(
        "{expression} väljer inga värden av {variable} / {expression} selects no value of {variable}"
    )]
    NoMatch {
        /// The variable.
        variable: String,
        /// The expression.
        expression: String,
    },
    /// An expression that cannot be read.
    #[error(
        "ogiltigt uttryck {expression} för {variable} (top(n), top(n,förskjutning), bottom(n), from(x), to(x), range(a,b), * och ?) / invalid expression {expression} for {variable} (top(n), top(n,offset), bottom(n), from(x), to(x), range(a,b), * and ?)"
    )]
    IllegalExpression {
        /// The variable.
        variable: String,
        /// The expression.
        expression: String,
    },
    /// A variable without a total left out.
    #[error("variabeln {0} måste väljas / variable {0} must be selected")]
    Missing(String),
    /// A code list was named.
    #[error(
        "kodlistan {codelist} finns inte för {variable}; tabellen har inga kodlistor / no code list {codelist} for {variable}; the table has none"
    )]
    Codelist {
        /// The variable.
        variable: String,
        /// The code list asked for.
        codelist: String,
    },
    /// More cells than one request may take.
    #[error(
        "urvalet ger {cells} celler, högst {max} per anrop; dela upp urvalet / the selection makes {cells} cells, at most {max} per request; split it"
    )]
    TooManyCells {
        /// Cells the selection makes.
        cells: u64,
        /// The limit.
        max: usize,
    },
}

impl SelectionError {
    /// The problem title PxWeb API v2 installations send for this error (clients match on it,
    /// spelling included).
    pub fn title(&self) -> &'static str {
        match self {
            SelectionError::UnknownVariable(_) => "Non-existent variable",
            SelectionError::UnknownValue { .. } | SelectionError::NoMatch { .. } => {
                "Non-existent value"
            }
            SelectionError::IllegalExpression { .. } => "Illegal selection expression",
            SelectionError::Missing(_) => "Missing selection for mandantory variable",
            SelectionError::Codelist { .. } => "Non-existent codelist",
            SelectionError::TooManyCells { .. } => "Too many cells selected",
        }
    }
}

/// Split a GET value list at commas outside brackets and parentheses:
/// `2024-01,[range(2024-02,2024-03)]` → `2024-01`, `[range(2024-02,2024-03)]`.
pub fn split_list(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for ch in s.chars() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth <= 0 {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Resolve a selection against a table (`None` or empty: the default selection) and check
/// the cell cap.
pub fn resolve(
    table: &PxTable,
    selection: Option<&[VariableSelection]>,
    max_cells: usize,
) -> Result<Vec<Selected>, SelectionError> {
    let resolved = match selection {
        None | Some([]) => default_selection(table),
        Some(sel) => explicit(table, sel)?,
    };
    let cells = resolved
        .iter()
        .filter_map(|s| match s {
            Selected::Chosen(v) => Some(v.len() as u64),
            Selected::Eliminated(_) => None,
        })
        .fold(1u64, u64::saturating_mul);
    if cells > max_cells as u64 {
        return Err(SelectionError::TooManyCells {
            cells,
            max: max_cells,
        });
    }
    Ok(resolved)
}

fn default_selection(table: &PxTable) -> Vec<Selected> {
    table
        .dimensions
        .iter()
        .map(|d| match (d.default.is_empty(), d.elimination) {
            (false, _) => Selected::Chosen(d.default.clone()),
            (true, Some(e)) => Selected::Eliminated(e),
            (true, None) => Selected::Chosen((0..d.categories.len()).collect()),
        })
        .collect()
}

fn explicit(table: &PxTable, sel: &[VariableSelection]) -> Result<Vec<Selected>, SelectionError> {
    let mut chosen: Vec<Option<Vec<bool>>> = vec![None; table.dimensions.len()];
    for s in sel {
        let d = table
            .dimension(&s.variable_code)
            .ok_or_else(|| SelectionError::UnknownVariable(s.variable_code.clone()))?;
        let dim = &table.dimensions[d];
        if let Some(c) = &s.codelist {
            return Err(SelectionError::Codelist {
                variable: dim.code.clone(),
                codelist: c.clone(),
            });
        }
        let codes: Vec<&str> = dim.categories.iter().map(|c| c.code.as_str()).collect();
        let mask = chosen[d].get_or_insert_with(|| vec![false; codes.len()]);
        for expr in &s.value_codes {
            for i in evaluate(&dim.code, expr, &codes, |c| dim.find(c))? {
                mask[i] = true;
            }
        }
    }
    table
        .dimensions
        .iter()
        .zip(chosen)
        .map(|(d, mask)| {
            let picked: Vec<usize> = mask
                .map(|m| (0..m.len()).filter(|i| m[*i]).collect())
                .unwrap_or_default();
            match (picked.is_empty(), d.elimination) {
                (false, _) => Ok(Selected::Chosen(picked)),
                (true, Some(e)) => Ok(Selected::Eliminated(e)),
                (true, None) => Err(SelectionError::Missing(d.code.clone())),
            }
        })
        .collect()
}

/// The categories one code or expression chooses.
fn evaluate(
    variable: &str,
    expr: &str,
    codes: &[&str],
    find: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<usize>, SelectionError> {
    let raw = expr.trim();
    let e = raw
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(raw)
        .trim();
    let illegal = || SelectionError::IllegalExpression {
        variable: variable.to_owned(),
        expression: raw.to_owned(),
    };
    let none = || SelectionError::NoMatch {
        variable: variable.to_owned(),
        expression: raw.to_owned(),
    };
    let code = |c: &str| {
        find(c.trim()).ok_or_else(|| SelectionError::UnknownValue {
            variable: variable.to_owned(),
            value: c.trim().to_owned(),
        })
    };
    let n = codes.len();
    if let Some((name, args)) = function(e) {
        let args: Vec<&str> = args.split(',').map(str::trim).collect();
        let count = |s: &str| s.parse::<usize>().ok();
        let picked: Vec<usize> = match (name.as_str(), args.as_slice()) {
            ("top" | "bottom", [k]) | ("top" | "bottom", [k, _]) => {
                let k = count(k).filter(|k| *k >= 1).ok_or_else(illegal)?;
                let offset = match args.get(1) {
                    Some(o) => count(o).ok_or_else(illegal)?,
                    None => 0,
                };
                if name == "top" {
                    let end = n.saturating_sub(offset);
                    (end.saturating_sub(k)..end).collect()
                } else {
                    let start = offset.min(n);
                    (start..(start + k).min(n)).collect()
                }
            }
            ("from", [x]) => (code(x)?..n).collect(),
            ("to", [x]) => (0..=code(x)?).collect(),
            ("range", [a, b]) => (code(a)?..=code(b)?).collect(),
            _ => return Err(illegal()),
        };
        return if picked.is_empty() {
            Err(none())
        } else {
            Ok(picked)
        };
    }
    if e.contains('*') || e.contains('?') {
        let picked: Vec<usize> = (0..n).filter(|i| glob(e, codes[*i])).collect();
        return if picked.is_empty() {
            Err(none())
        } else {
            Ok(picked)
        };
    }
    if e.contains('(') || e.contains(')') {
        // Not a function we know, and no code has parentheses: say so rather than "no value".
        if find(e).is_none() {
            return Err(illegal());
        }
    }
    Ok(vec![code(e)?])
}

/// `name(args)` with a known-looking function name, lower-cased.
fn function(e: &str) -> Option<(String, &str)> {
    let open = e.find('(')?;
    let inner = e.strip_suffix(')')?.get(open + 1..)?;
    let name = e[..open].trim().to_ascii_lowercase();
    matches!(name.as_str(), "top" | "bottom" | "from" | "to" | "range").then_some((name, inner))
}

/// Wildcard match without case: `*` any run of characters, `?` exactly one.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODES: [&str; 5] = ["2024-01", "2024-02", "2024-03", "2024-K1", "R12-2024-03"];

    fn eval(e: &str) -> Result<Vec<usize>, SelectionError> {
        evaluate("Tid", e, &CODES, |c| {
            CODES.iter().position(|x| x.eq_ignore_ascii_case(c))
        })
    }

    #[test]
    fn expressions_choose_in_table_order() {
        assert_eq!(eval("top(2)").unwrap(), vec![3, 4]);
        assert_eq!(eval("TOP(2,1)").unwrap(), vec![2, 3]);
        assert_eq!(eval("bottom(2)").unwrap(), vec![0, 1]);
        assert_eq!(eval("bottom(2,4)").unwrap(), vec![4]);
        assert_eq!(eval("from(2024-03)").unwrap(), vec![2, 3, 4]);
        assert_eq!(eval("to(2024-02)").unwrap(), vec![0, 1]);
        assert_eq!(eval("[range(2024-02,2024-K1)]").unwrap(), vec![1, 2, 3]);
        assert_eq!(eval("2024-0?").unwrap(), vec![0, 1, 2]);
        assert_eq!(eval("*K1").unwrap(), vec![3]);
        assert_eq!(eval("r12*").unwrap(), vec![4]);
        assert_eq!(eval("2024-k1").unwrap(), vec![3]);
    }

    #[test]
    fn bad_expressions_name_the_variable_and_code() {
        let e = eval("2023-12").unwrap_err();
        assert_eq!(e.title(), "Non-existent value");
        assert!(e.to_string().contains("Tid") && e.to_string().contains("2023-12"));
        assert_eq!(
            eval("top(0)").unwrap_err().title(),
            "Illegal selection expression"
        );
        assert_eq!(
            eval("top(x)").unwrap_err().title(),
            "Illegal selection expression"
        );
        assert_eq!(
            eval("first(2)").unwrap_err().title(),
            "Illegal selection expression"
        );
        assert_eq!(eval("2019*").unwrap_err().title(), "Non-existent value");
        assert_eq!(eval("top(2,9)").unwrap_err().title(), "Non-existent value");
    }

    fn small() -> PxTable {
        use crate::pxweb::{PxCategory, PxDimension, Text};
        let dim = |code: &str, cats: &[&str], elimination, default: Vec<usize>| PxDimension {
            code: code.into(),
            label: Text::same(code),
            role: None,
            categories: cats
                .iter()
                .map(|c| PxCategory::new(*c, Text::same(*c)))
                .collect(),
            elimination,
            default,
        };
        PxTable::new(
            "t",
            Text::same("t"),
            Text::same("t"),
            Text::same("s"),
            "2024-01-01T00:00:00Z",
            "Monthly",
            "IND",
            Vec::new(),
            vec![
                dim("Region", &["00", "01", "12"], Some(0), vec![1, 2]),
                dim("Kon", &["alla", "1", "2"], Some(0), Vec::new()),
                dim("Tid", &["2024-01", "2024-02"], None, vec![1]),
            ],
        )
    }

    fn sel(v: &str, codes: &[&str]) -> VariableSelection {
        VariableSelection {
            variable_code: v.into(),
            value_codes: codes.iter().map(|c| (*c).to_owned()).collect(),
            codelist: None,
        }
    }

    #[test]
    fn left_out_variables_are_eliminated_or_refused_and_the_cap_holds() {
        let t = small();
        assert_eq!(
            resolve(&t, None, 100).unwrap(),
            vec![
                Selected::Chosen(vec![1, 2]),
                Selected::Eliminated(0),
                Selected::Chosen(vec![1])
            ]
        );
        let r = resolve(
            &t,
            Some(&[sel("tid", &["*"]), sel("Kon", &["2", "1"])]),
            100,
        )
        .unwrap();
        assert_eq!(
            r,
            vec![
                Selected::Eliminated(0),
                Selected::Chosen(vec![1, 2]),
                Selected::Chosen(vec![0, 1])
            ]
        );
        let e = resolve(&t, Some(&[sel("Region", &["01"])]), 100).unwrap_err();
        assert_eq!(e, SelectionError::Missing("Tid".into()));
        let all = [
            sel("Region", &["*"]),
            sel("Kon", &["*"]),
            sel("Tid", &["*"]),
        ];
        assert!(resolve(&t, Some(&all), 18).is_ok());
        let e = resolve(&t, Some(&all), 17).unwrap_err();
        assert_eq!(e, SelectionError::TooManyCells { cells: 18, max: 17 });
        assert_eq!(e.title(), "Too many cells selected");
        let e = resolve(&t, Some(&[sel("Lan", &["*"])]), 100).unwrap_err();
        assert_eq!(e, SelectionError::UnknownVariable("Lan".into()));
    }

    #[test]
    fn get_lists_split_outside_brackets() {
        assert_eq!(
            split_list("2024-01, [range(2024-02,2024-03)],top(1)"),
            vec!["2024-01", "[range(2024-02,2024-03)]", "top(1)"]
        );
        assert_eq!(split_list(""), Vec::<String>::new());
    }
}
