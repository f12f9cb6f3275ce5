//! Before/after with a comparison group (methods.md §5): the naive before/after of the exposed
//! alone, and the difference-in-differences against a comparison group, matched 1:1 (paired
//! differences, t with J − 1 degrees of freedom) or as independent groups (Welch's standard error
//! and degrees of freedom). The naive estimate is always published beside the adjusted one, so
//! that regression to the mean and secular change are visible rather than hidden.

use super::special::t_quantile;
use super::{Confidence, StatsError};

/// One person's outcome before and after the index date (cost, bed-days, contacts …).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeforeAfter {
    /// In the window before.
    pub before: f64,
    /// In the window after.
    pub after: f64,
}

impl BeforeAfter {
    fn change(self) -> f64 {
        self.after - self.before
    }
}

/// An estimated effect with its t interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect {
    /// The estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Degrees of freedom of the t distribution used.
    pub df: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

fn effect(estimate: f64, se: f64, df: f64, conf: Confidence) -> Effect {
    let t = t_quantile(conf.upper_tail(), df);
    Effect {
        estimate,
        se,
        df,
        lower: estimate - t * se,
        upper: estimate + t * se,
    }
}

/// Mean and sample variance.
fn mean_var(x: impl Iterator<Item = f64> + Clone) -> (f64, f64, f64) {
    let n = x.clone().count() as f64;
    let mean = x.clone().sum::<f64>() / n;
    let var = x.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (n, mean, var)
}

fn at_least_two(x: &[BeforeAfter]) -> Result<(), StatsError> {
    if x.len() < 2 {
        return Err(StatsError::TooFew("at least two persons per group"));
    }
    if x.iter()
        .any(|p| !(p.before.is_finite() && p.after.is_finite()))
    {
        return Err(StatsError::invalid("outcome", "finite", f64::NAN));
    }
    Ok(())
}

/// The naive before/after of the exposed: the mean change, with the paired t interval.
pub fn naive_before_after(exposed: &[BeforeAfter], conf: Confidence) -> Result<Effect, StatsError> {
    at_least_two(exposed)?;
    let (n, mean, var) = mean_var(exposed.iter().map(|p| p.change()));
    Ok(effect(mean, (var / n).sqrt(), n - 1.0, conf))
}

/// Difference-in-differences over 1:1 matched pairs `(exposed, comparison)`: the mean of
/// ΔT − ΔC, standard error s_d/√J, t with J − 1 degrees of freedom.
pub fn did_matched_pairs(
    pairs: &[(BeforeAfter, BeforeAfter)],
    conf: Confidence,
) -> Result<Effect, StatsError> {
    let exposed: Vec<BeforeAfter> = pairs.iter().map(|p| p.0).collect();
    let comparison: Vec<BeforeAfter> = pairs.iter().map(|p| p.1).collect();
    at_least_two(&exposed)?;
    at_least_two(&comparison)?;
    let (j, mean, var) = mean_var(pairs.iter().map(|(t, c)| t.change() - c.change()));
    Ok(effect(mean, (var / j).sqrt(), j - 1.0, conf))
}

/// Difference-in-differences of independent groups: ΔT̄ − ΔC̄ with
/// SE = √(s²_ΔT/n_T + s²_ΔC/n_C) and Welch–Satterthwaite degrees of freedom.
pub fn did_independent(
    exposed: &[BeforeAfter],
    comparison: &[BeforeAfter],
    conf: Confidence,
) -> Result<Effect, StatsError> {
    at_least_two(exposed)?;
    at_least_two(comparison)?;
    let (nt, mt, vt) = mean_var(exposed.iter().map(|p| p.change()));
    let (nc, mc, vc) = mean_var(comparison.iter().map(|p| p.change()));
    let (at, ac) = (vt / nt, vc / nc);
    let se = (at + ac).sqrt();
    let df = if at + ac > 0.0 {
        (at + ac).powi(2) / (at * at / (nt - 1.0) + ac * ac / (nc - 1.0))
    } else {
        nt + nc - 2.0
    };
    Ok(effect(mt - mc, se, df, conf))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// methods.md §5.3: 8 treated patients and 8 matched controls, emergency bed-days.
    fn vector() -> Vec<(BeforeAfter, BeforeAfter)> {
        let tp = [22., 15., 30., 18., 25., 12., 28., 20.];
        let ta = [10., 9., 18., 11., 12., 8., 15., 13.];
        let cp = [21., 16., 29., 17., 26., 13., 27., 19.];
        let ca = [13., 10., 20., 10., 16., 9., 17., 14.];
        (0..8)
            .map(|i| {
                (
                    BeforeAfter {
                        before: tp[i],
                        after: ta[i],
                    },
                    BeforeAfter {
                        before: cp[i],
                        after: ca[i],
                    },
                )
            })
            .collect()
    }

    #[test]
    fn the_methods_vector_naive_paired_and_independent() {
        let pairs = vector();
        let exposed: Vec<_> = pairs.iter().map(|p| p.0).collect();
        let comparison: Vec<_> = pairs.iter().map(|p| p.1).collect();
        let naive = naive_before_after(&exposed, Confidence::P95).unwrap();
        assert!((naive.estimate + 9.25).abs() < 1e-12);
        assert!((naive.se - 1.278252155).abs() < 1e-9);
        let paired = did_matched_pairs(&pairs, Confidence::P95).unwrap();
        assert!((paired.estimate + 1.875).abs() < 1e-12);
        assert!((paired.se - 0.580_563_150_3).abs() < 1e-9);
        assert_eq!(paired.df, 7.0);
        assert!(
            (paired.lower + 3.247813705).abs() < 1e-8,
            "{}",
            paired.lower
        );
        assert!(
            (paired.upper + 0.5021862953).abs() < 1e-8,
            "{}",
            paired.upper
        );
        let independent = did_independent(&exposed, &comparison, Confidence::P95).unwrap();
        assert!((independent.estimate + 1.875).abs() < 1e-12);
        assert!((independent.se - 1.508162316).abs() < 1e-9);
        // The naive interval lies far from the adjusted estimate: regression to the mean shows.
        assert!(naive.upper < paired.lower);
    }

    #[test]
    fn too_few_or_invalid_persons_are_refused() {
        let one = [BeforeAfter {
            before: 1.0,
            after: 0.0,
        }];
        assert!(naive_before_after(&one, Confidence::P95).is_err());
        let bad = [
            BeforeAfter {
                before: f64::NAN,
                after: 0.0,
            },
            BeforeAfter {
                before: 1.0,
                after: 0.0,
            },
        ];
        assert!(naive_before_after(&bad, Confidence::P95).is_err());
    }
}
