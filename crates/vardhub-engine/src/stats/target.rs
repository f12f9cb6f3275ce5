//! Comparison with a target level ("målnivå").

use serde::{Deserialize, Serialize};

use super::{Direction, Estimate};

/// How certain the comparison with the target is, given the confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetCertainty {
    /// The whole interval is on the good side of the target (target included).
    CertainlyMeets,
    /// The whole interval is on the bad side of the target (target excluded).
    CertainlyDoesNotMeet,
    /// The interval contains values on both sides.
    Uncertain,
}

impl TargetCertainty {
    /// Swedish label.
    pub fn label_sv(self) -> &'static str {
        match self {
            TargetCertainty::CertainlyMeets => "Når målnivån med säkerhet",
            TargetCertainty::CertainlyDoesNotMeet => "Når med säkerhet inte målnivån",
            TargetCertainty::Uncertain => "Osäkert om målnivån nås",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            TargetCertainty::CertainlyMeets => "Certainly meets the target",
            TargetCertainty::CertainlyDoesNotMeet => "Certainly does not meet the target",
            TargetCertainty::Uncertain => "Uncertain whether the target is met",
        }
    }
}

/// An estimate compared with a target level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TargetComparison {
    /// The point estimate meets the target (`value ≥ target` when higher is better,
    /// `value ≤ target` when lower is better).
    pub meets: bool,
    /// What the interval says.
    pub certainty: TargetCertainty,
}

/// Compare `estimate` (value and interval, on the same scale as `target`) with the target.
pub fn compare_with_target(
    estimate: Estimate,
    target: f64,
    direction: Direction,
) -> TargetComparison {
    let (meets, sure_yes, sure_no) = match direction {
        Direction::HigherIsBetter => (
            estimate.value >= target,
            estimate.lower >= target,
            estimate.upper < target,
        ),
        Direction::LowerIsBetter => (
            estimate.value <= target,
            estimate.upper <= target,
            estimate.lower > target,
        ),
    };
    let certainty = if sure_yes {
        TargetCertainty::CertainlyMeets
    } else if sure_no {
        TargetCertainty::CertainlyDoesNotMeet
    } else {
        TargetCertainty::Uncertain
    };
    TargetComparison { meets, certainty }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(value: f64, lower: f64, upper: f64) -> Estimate {
        Estimate {
            value,
            lower,
            upper,
        }
    }

    #[test]
    fn higher_is_better() {
        let d = Direction::HigherIsBetter;
        let c = compare_with_target(est(0.85, 0.81, 0.89), 0.8, d);
        assert_eq!(
            c,
            TargetComparison {
                meets: true,
                certainty: TargetCertainty::CertainlyMeets
            }
        );
        let c = compare_with_target(est(0.82, 0.78, 0.86), 0.8, d);
        assert_eq!(
            c,
            TargetComparison {
                meets: true,
                certainty: TargetCertainty::Uncertain
            }
        );
        let c = compare_with_target(est(0.70, 0.65, 0.79), 0.8, d);
        assert_eq!(c.certainty, TargetCertainty::CertainlyDoesNotMeet);
        assert!(!c.meets);
        // On the target counts as meeting it.
        let c = compare_with_target(est(0.8, 0.8, 0.9), 0.8, d);
        assert_eq!(
            c,
            TargetComparison {
                meets: true,
                certainty: TargetCertainty::CertainlyMeets
            }
        );
    }

    #[test]
    fn lower_is_better() {
        let d = Direction::LowerIsBetter;
        let c = compare_with_target(est(0.05, 0.03, 0.07), 0.1, d);
        assert_eq!(c.certainty, TargetCertainty::CertainlyMeets);
        let c = compare_with_target(est(0.12, 0.11, 0.13), 0.1, d);
        assert_eq!(
            c,
            TargetComparison {
                meets: false,
                certainty: TargetCertainty::CertainlyDoesNotMeet
            }
        );
        let c = compare_with_target(est(0.09, 0.05, 0.14), 0.1, d);
        assert_eq!(
            c,
            TargetComparison {
                meets: true,
                certainty: TargetCertainty::Uncertain
            }
        );
        assert_eq!(
            TargetCertainty::Uncertain.label_en(),
            "Uncertain whether the target is met"
        );
    }
}
