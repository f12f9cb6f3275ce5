//! Overdispersion of funnel plots (`methods.md` §3.4).
//!
//! * [`OverdispersionFit`]: the additive random-effects adjustment on a transformed scale, as coded
//!   in FunnelPlotR 0.6.0 (z-scores, Winsorisation or SHMI truncation of 10 % per tail, dispersion
//!   ratio φ, DerSimonian–Laird τ², limits back-transformed; unadjusted limits when φ ≤ 1).
//! * [`NaturalOverdispersion`]: Spiegelhalter (2005, §6.1) on the natural scale, with the
//!   multiplicative (`θ0 ± z√φ s_i`) and additive (`θ0 ± z√(s_i² + τ²)`) limits.
//!
//! FunnelPlotR hard-codes z = 1.959964 and 3.090232 (`methods.md` §0); pass
//! `Confidence::from_z(1.959964)` for bit-for-bit agreement with it (the §3.4 test vectors are
//! computed that way), or [`Confidence::P95`] for the exact quantile.

use std::f64::consts::FRAC_PI_2;

use serde::{Deserialize, Serialize};

use super::funnel::chi_square_funnel_limits;
use super::special::chi_square_quantile;
use super::{Confidence, Interval, StatsError, non_negative, positive, probability};

/// One unit (region) of a funnel: numerator x or O, denominator n or E.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OdUnit {
    /// Events x (proportions) or observed O (ratios).
    pub numerator: f64,
    /// Trials n (proportions) or expected E (ratios), > 0.
    pub denominator: f64,
}

/// The transformed scale of [`OverdispersionFit`] (FunnelPlotR `data_type` / `sr_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OdScale {
    /// PR: `arcsin √(x/n)`, `s = 1/(2√n)`, target `arcsin √(Σx/Σn)`; Winsorised.
    Proportion,
    /// SR, SHMI: `ln(O/E)`, `s = 1/√E`, target 0; truncated. Undefined if a retained O is 0.
    RatioShmi,
    /// SR, CQC: `√(O/E)`, `s = 1/(2√E)`, target 1; Winsorised.
    RatioCqc,
    /// RC: `ln((O + ½)/(E + ½))`, `s = √(O/(O+½)² + E/(E+½)²)`, target `ln(ΣO/ΣE)`; Winsorised.
    RatioOfCounts,
}

/// R's default `quantile(type = 7)` of **sorted** data: `h = (I − 1)q`,
/// `Q = z(⌊h⌋+1) + (h − ⌊h⌋)(z(⌊h⌋+2) − z(⌊h⌋+1))` (1-based).
pub fn quantile_type7(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let j = h.floor() as usize;
    let frac = h - h.floor();
    let lo = sorted[j];
    let hi = sorted.get(j + 1).copied().unwrap_or(lo);
    Some(lo + frac * (hi - lo))
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

/// Winsorise at the type-7 quantiles `trim` and `1 − trim`.
fn winsorise(z: &[f64], trim: f64) -> Vec<f64> {
    let s = sorted(z);
    let lo = quantile_type7(&s, trim).unwrap_or(f64::NEG_INFINITY);
    let hi = quantile_type7(&s, 1.0 - trim).unwrap_or(f64::INFINITY);
    z.iter().map(|&v| v.clamp(lo, hi)).collect()
}

/// Ranks 1..=I with ties averaged (R `rank`).
fn average_ranks(z: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..z.len()).collect();
    idx.sort_by(|&a, &b| z[a].total_cmp(&z[b]));
    let mut ranks = vec![0.0; z.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && z[idx[j + 1]] == z[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// DerSimonian–Laird moment estimator τ² from φ over `weights` (§3.4 step 5).
fn dersimonian_laird(phi: f64, weights: &[f64]) -> f64 {
    let i = weights.len() as f64;
    if i * phi < i - 1.0 {
        return 0.0;
    }
    let sw: f64 = weights.iter().sum();
    let sw2: f64 = weights.iter().map(|w| w * w).sum();
    let den = sw - sw2 / sw;
    if den > 0.0 {
        ((i * phi - (i - 1.0)) / den).max(0.0)
    } else {
        0.0
    }
}

fn check_units(units: &[OdUnit]) -> Result<(), StatsError> {
    if units.len() < 2 {
        return Err(StatsError::TooFew("at least two units"));
    }
    for u in units {
        non_negative("numerator", u.numerator)?;
        positive("denominator", u.denominator)?;
    }
    Ok(())
}

fn check_trim(trim: f64) -> Result<f64, StatsError> {
    if (0.0..0.5).contains(&trim) {
        Ok(trim)
    } else {
        Err(StatsError::invalid("trim", "in [0, 0.5)", trim))
    }
}

/// FunnelPlotR-style additive overdispersion on a transformed scale (§3.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverdispersionFit {
    /// The scale.
    pub scale: OdScale,
    /// Target on the natural scale: `Σx/Σn` (PR), 1 (SR), `ΣO/ΣE` (RC).
    pub target: f64,
    /// Unadjusted z-scores `(Y_i − θ_T)/s_i`.
    pub z: Vec<f64>,
    /// z after Winsorisation, or `None` for units dropped by SHMI truncation.
    pub z_adjusted: Vec<Option<f64>>,
    /// Dispersion ratio `φ = Σ (z_i^W)² / I'` over retained units.
    pub phi: f64,
    /// Between-unit variance τ² on the transformed scale (DerSimonian–Laird).
    pub tau2: f64,
}

impl OverdispersionFit {
    /// Fit φ and τ² to `units` with `trim` per tail (FunnelPlotR default 0.1).
    pub fn fit(units: &[OdUnit], scale: OdScale, trim: f64) -> Result<Self, StatsError> {
        check_units(units)?;
        let trim = check_trim(trim)?;
        let sum_num: f64 = units.iter().map(|u| u.numerator).sum();
        let sum_den: f64 = units.iter().map(|u| u.denominator).sum();
        let (target, theta_t) = match scale {
            OdScale::Proportion => {
                let t = sum_num / sum_den;
                probability("pooled proportion", t)?;
                (t, t.sqrt().asin())
            }
            OdScale::RatioShmi => (1.0, 0.0),
            OdScale::RatioCqc => (1.0, 1.0),
            OdScale::RatioOfCounts => {
                let t = positive("pooled ratio", sum_num / sum_den)?;
                (t, t.ln())
            }
        };
        let mut z = Vec::with_capacity(units.len());
        let mut w = Vec::with_capacity(units.len());
        for u in units {
            let (x, n) = (u.numerator, u.denominator);
            let (y, s) = match scale {
                OdScale::Proportion => {
                    if x > n {
                        return Err(StatsError::invalid("numerator", "≤ denominator", x));
                    }
                    ((x / n).sqrt().asin(), 0.5 / n.sqrt())
                }
                OdScale::RatioShmi => ((x / n).ln(), 1.0 / n.sqrt()),
                OdScale::RatioCqc => ((x / n).sqrt(), 0.5 / n.sqrt()),
                OdScale::RatioOfCounts => (
                    ((x + 0.5) / (n + 0.5)).ln(),
                    (x / ((x + 0.5) * (x + 0.5)) + n / ((n + 0.5) * (n + 0.5))).sqrt(),
                ),
            };
            z.push((y - theta_t) / s);
            w.push(1.0 / (s * s));
        }
        let z_adjusted: Vec<Option<f64>> = if scale == OdScale::RatioShmi {
            // Truncation: rank, g = ⌊rank·k/(I+1)⌋ with k = 1/trim bins, keep 0 < g < k − 1.
            if trim == 0.0 {
                z.iter().copied().map(Some).collect()
            } else {
                let k = (1.0 / trim).round();
                let i1 = (z.len() + 1) as f64;
                average_ranks(&z)
                    .iter()
                    .zip(&z)
                    .map(|(&r, &zi)| {
                        let g = (r * k / i1).floor();
                        (g > 0.0 && g < k - 1.0).then_some(zi)
                    })
                    .collect()
            }
        } else {
            winsorise(&z, trim).into_iter().map(Some).collect()
        };
        let kept: Vec<(f64, f64)> = z_adjusted
            .iter()
            .zip(&w)
            .filter_map(|(zi, &wi)| zi.map(|v| (v, wi)))
            .collect();
        if kept.is_empty() {
            return Err(StatsError::TooFew("units retained after truncation"));
        }
        if kept.iter().any(|(v, _)| !v.is_finite()) {
            return Err(StatsError::Undefined(
                "a retained unit has O = 0 on the log scale",
            ));
        }
        let phi = kept.iter().map(|(v, _)| v * v).sum::<f64>() / kept.len() as f64;
        let weights: Vec<f64> = kept.iter().map(|&(_, wi)| wi).collect();
        let tau2 = dersimonian_laird(phi, &weights);
        Ok(OverdispersionFit {
            scale,
            target,
            z,
            z_adjusted,
            phi,
            tau2,
        })
    }

    /// Whether φ > 1 (FunnelPlotR draws adjusted limits only then).
    pub fn is_overdispersed(&self) -> bool {
        self.phi > 1.0
    }

    /// Limits as FunnelPlotR draws them: adjusted if φ > 1, unadjusted otherwise.
    /// `precision` is n (PR, RC) or E (SR).
    pub fn limits(&self, precision: f64, conf: Confidence) -> Result<Interval, StatsError> {
        if self.is_overdispersed() {
            self.adjusted_limits(precision, conf)
        } else {
            self.unadjusted_limits(precision, conf)
        }
    }

    /// Limits with τ² (§3.4 step 6).
    pub fn adjusted_limits(
        &self,
        precision: f64,
        conf: Confidence,
    ) -> Result<Interval, StatsError> {
        self.limits_with(precision, conf, self.tau2)
    }

    /// Limits without overdispersion: τ² = 0 for PR and RC, the χ² limits of §3.3 (b) for SR.
    pub fn unadjusted_limits(
        &self,
        precision: f64,
        conf: Confidence,
    ) -> Result<Interval, StatsError> {
        match self.scale {
            OdScale::RatioShmi | OdScale::RatioCqc => {
                chi_square_funnel_limits(precision, 1.0, conf)
            }
            OdScale::Proportion | OdScale::RatioOfCounts => self.limits_with(precision, conf, 0.0),
        }
    }

    fn limits_with(
        &self,
        precision: f64,
        conf: Confidence,
        tau2: f64,
    ) -> Result<Interval, StatsError> {
        let n = positive("precision", precision)?;
        let z = conf.z();
        Ok(match self.scale {
            OdScale::Proportion => {
                let c = self.target.sqrt().asin();
                let h = z * (0.25 / n + tau2).sqrt();
                let back = |a: f64| a.clamp(0.0, FRAC_PI_2).sin().powi(2);
                Interval {
                    lower: back(c - h),
                    upper: back(c + h),
                }
            }
            OdScale::RatioShmi => {
                let h = z * (1.0 / n + tau2).sqrt();
                Interval {
                    lower: (-h).exp(),
                    upper: h.exp(),
                }
            }
            OdScale::RatioCqc => {
                let h = z * (0.25 / n + tau2).sqrt();
                Interval {
                    lower: 1.0 - h,
                    upper: 1.0 + h,
                }
            }
            OdScale::RatioOfCounts => {
                let c = self.target.ln();
                let h = z * (0.25 / n + tau2).sqrt();
                Interval {
                    lower: (c - h).exp(),
                    upper: (c + h).exp(),
                }
            }
        })
    }
}

/// The natural scale of [`NaturalOverdispersion`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NaturalScale {
    /// `y = x/n`, `s = √(θ0(1 − θ0)/n)`.
    Proportion,
    /// `y = O/E`, `s = √(θ0/E)`.
    Ratio,
}

/// Spiegelhalter's natural-scale overdispersion (§3.4, "Multiplicative alternative").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NaturalOverdispersion {
    /// The scale.
    pub scale: NaturalScale,
    /// The target θ0.
    pub theta0: f64,
    /// z-scores `(y_i − θ0)/s_i`.
    pub z: Vec<f64>,
    /// Winsorised z-scores.
    pub z_winsorised: Vec<f64>,
    /// `φ = Σ (z_i^W)² / I`.
    pub phi: f64,
    /// DerSimonian–Laird τ² with `w_i = 1/s_i²`.
    pub tau2: f64,
}

impl NaturalOverdispersion {
    /// Fit around `theta0` with `trim` per tail.
    pub fn fit(
        units: &[OdUnit],
        scale: NaturalScale,
        theta0: f64,
        trim: f64,
    ) -> Result<Self, StatsError> {
        check_units(units)?;
        let trim = check_trim(trim)?;
        match scale {
            NaturalScale::Proportion => {
                probability("theta0", theta0)?;
                if theta0 == 0.0 || theta0 == 1.0 {
                    return Err(StatsError::Undefined("θ0 of 0 or 1 has no binomial spread"));
                }
            }
            NaturalScale::Ratio => {
                positive("theta0", theta0)?;
            }
        }
        let mut z = Vec::with_capacity(units.len());
        let mut w = Vec::with_capacity(units.len());
        for u in units {
            let s = Self::spread(scale, theta0, u.denominator);
            z.push((u.numerator / u.denominator - theta0) / s);
            w.push(1.0 / (s * s));
        }
        let z_winsorised = winsorise(&z, trim);
        let phi = z_winsorised.iter().map(|v| v * v).sum::<f64>() / z.len() as f64;
        let tau2 = dersimonian_laird(phi, &w);
        Ok(NaturalOverdispersion {
            scale,
            theta0,
            z,
            z_winsorised,
            phi,
            tau2,
        })
    }

    fn spread(scale: NaturalScale, theta0: f64, n: f64) -> f64 {
        match scale {
            NaturalScale::Proportion => (theta0 * (1.0 - theta0) / n).sqrt(),
            NaturalScale::Ratio => (theta0 / n).sqrt(),
        }
    }

    /// Test statistic `I·φ`, approximately χ² with I − 1 degrees of freedom when θ0 is estimated
    /// from the same data (I if θ0 is external).
    pub fn test_statistic(&self) -> f64 {
        self.z.len() as f64 * self.phi
    }

    /// Whether `I·φ` exceeds `χ²_{level}(df)`.
    pub fn is_overdispersed(&self, level: f64, df: f64) -> bool {
        self.test_statistic() > chi_square_quantile(level, df)
    }

    /// Normal limits without overdispersion, `θ0 ± z s`.
    pub fn normal_limits(&self, precision: f64, conf: Confidence) -> Result<Interval, StatsError> {
        let s = Self::spread(self.scale, self.theta0, positive("precision", precision)?);
        let h = conf.z() * s;
        Ok(Interval {
            lower: self.theta0 - h,
            upper: self.theta0 + h,
        })
    }

    /// Multiplicative limits `θ0 ± z √φ s`.
    pub fn multiplicative_limits(
        &self,
        precision: f64,
        conf: Confidence,
    ) -> Result<Interval, StatsError> {
        let s = Self::spread(self.scale, self.theta0, positive("precision", precision)?);
        let h = conf.z() * self.phi.sqrt() * s;
        Ok(Interval {
            lower: self.theta0 - h,
            upper: self.theta0 + h,
        })
    }

    /// Additive limits `θ0 ± z √(s² + τ²)`.
    pub fn additive_limits(
        &self,
        precision: f64,
        conf: Confidence,
    ) -> Result<Interval, StatsError> {
        let s = Self::spread(self.scale, self.theta0, positive("precision", precision)?);
        let h = conf.z() * (s * s + self.tau2).sqrt();
        Ok(Interval {
            lower: self.theta0 - h,
            upper: self.theta0 + h,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    /// FunnelPlotR's hard-coded critical values, used by the §3.4 vectors.
    fn fpr95() -> Confidence {
        Confidence::from_z(1.959_964).unwrap()
    }

    fn fpr998() -> Confidence {
        Confidence::from_z(3.090_232).unwrap()
    }

    const SR_NUM: [f64; 6] = [100.0, 150.0, 180.0, 80.0, 120.0, 225.0];
    const SR_DEN: [f64; 6] = [108.0, 112.0, 165.0, 95.0, 100.0, 220.0];

    fn sr_units() -> Vec<OdUnit> {
        SR_NUM
            .iter()
            .zip(&SR_DEN)
            .map(|(&o, &e)| OdUnit {
                numerator: o,
                denominator: e,
            })
            .collect()
    }

    /// methods.md §3.4 SR vectors: z, z adjusted, OD 95 % L/U, OD 99.8 % L/U per unit.
    #[rustfmt::skip]
    const SHMI: [[f64; 6]; 6] = [
        [-0.7998026007, -0.7998026007, 0.7173067493, 1.394103709, 0.5922337133, 1.688522584],
        [3.091681295, 3.091681295, 0.7186833035, 1.391433466, 0.594026649, 1.683426159],
        [1.117681374, 1.117681374, 0.7310926342, 1.367815723, 0.6102788191, 1.638595292],
        [-1.674989112, -1.674989112, 0.7121280881, 1.40424176, 0.5855063829, 1.707923311],
        [1.823215568, 1.823215568, 0.7142611378, 1.400048172, 0.5882739123, 1.699888401],
        [0.3333263191, 0.3333263191, 0.7380219733, 1.354973207, 0.6194236226, 1.614404042],
    ];
    #[rustfmt::skip]
    const CQC: [[f64; 6]; 6] = [
        [-0.7846096908, -0.7846096908, 0.8513189994, 1.148681001, 0.7655779463, 1.234422054],
        [3.328886939, 2.61889462, 0.8523908572, 1.147609143, 0.767267921, 1.232732079],
        [1.142350573, 1.142350573, 0.8620356341, 1.137964366, 0.7824746279, 1.217525372],
        [-1.60504487, -1.19482728, 0.8472817092, 1.152718291, 0.75921244, 1.24078756],
        [1.9089023, 1.9089023, 0.8489456349, 1.151054365, 0.7618359149, 1.238164085],
        [0.3352060516, 0.3352060516, 0.8674139215, 1.132586078, 0.790954455, 1.209045545],
    ];

    fn check_sr(scale: OdScale, phi: f64, tau2: f64, rows: &[[f64; 6]; 6]) {
        let fit = OverdispersionFit::fit(&sr_units(), scale, 0.1).unwrap();
        assert_rel(fit.phi, phi, 1e-9);
        assert_rel(fit.tau2, tau2, 1e-9);
        for (i, row) in rows.iter().enumerate() {
            assert_rel(fit.z[i], row[0], 1e-9);
            assert_rel(fit.z_adjusted[i].unwrap(), row[1], 1e-9);
            let l95 = fit.limits(SR_DEN[i], fpr95()).unwrap();
            let l998 = fit.limits(SR_DEN[i], fpr998()).unwrap();
            assert_rel(l95.lower, row[2], 1e-9);
            assert_rel(l95.upper, row[3], 1e-9);
            assert_rel(l998.lower, row[4], 1e-9);
            assert_rel(l998.upper, row[5], 1e-9);
        }
    }

    #[test]
    fn funnelplotr_sr_vectors() {
        check_sr(OdScale::RatioShmi, 2.948_033_175, 0.019_477_530_58, &SHMI);
        check_sr(OdScale::RatioCqc, 2.327_178_258, 0.003_439_780_154, &CQC);
    }

    /// methods.md §3.4, 12 hospitals: x, n, z, Winsorised z, unadj 95 % L/U, OD 95 % L/U,
    /// OD 99.8 % L/U.
    #[rustfmt::skip]
    const PR: [(f64, f64, [f64; 8]); 12] = [
        (45.0, 400.0, [-0.9744897392, -0.9744897392, 0.09740707145, 0.1628588474, 0.07353315714, 0.1956577203, 0.0483390709, 0.2392833418]),
        (30.0, 310.0, [-1.763071244, -1.763071244, 0.09349329206, 0.1678069471, 0.07160239349, 0.1986186515, 0.04585336834, 0.2443076973]),
        (110.0, 700.0, [2.180258524, 2.180258524, 0.1046136626, 0.1541245232, 0.07658264677, 0.19108663, 0.05232810712, 0.2315413765]),
        (61.0, 520.0, [-0.7672955365, -0.7672955365, 0.1010085995, 0.1584348242, 0.07514337845, 0.1932283056, 0.05043602561, 0.2351663786]),
        (170.0, 1000.0, [3.705299147, 2.687902187, 0.1083458348, 0.1497809641, 0.07787842985, 0.1891819138, 0.05404545443, 0.2283210556]),
        (25.0, 260.0, [-1.648521755, -1.648521755, 0.09053547571, 0.1716484168, 0.07002775457, 0.2010733953, 0.04385020931, 0.2484783079]),
        (48.0, 350.0, [0.4848920393, 0.4848920393, 0.09541002355, 0.1653649067, 0.07257055006, 0.1971272952, 0.04709580651, 0.2417761533]),
        (120.0, 1250.0, [-3.633080287, -3.446079383, 0.1103879871, 0.1474534405, 0.07849968685, 0.1882764306, 0.05487338658, 0.2267913832]),
        (77.0, 600.0, [-0.001205089637, -0.001205089637, 0.1028040429, 0.1562737298, 0.07588250853, 0.1921249921, 0.05140563808, 0.2332983858]),
        (28.0, 420.0, [-4.313779715, -3.446079383, 0.09810847894, 0.1619877436, 0.0738596852, 0.1951621772, 0.04876257145, 0.2384431668]),
        (130.0, 800.0, [2.744307039, 2.687902187, 0.1060824976, 0.152400964, 0.07711685244, 0.1902987225, 0.05303453643, 0.2302088334]),
        (66.0, 480.0, [0.5905810535, 0.5905810535, 0.09995347543, 0.1597184496, 0.07468894032, 0.1939103278, 0.04984206706, 0.2363216377]),
    ];

    fn pr_units() -> Vec<OdUnit> {
        PR.iter()
            .map(|&(x, n, _)| OdUnit {
                numerator: x,
                denominator: n,
            })
            .collect()
    }

    #[test]
    fn twelve_hospitals_arcsine_scale() {
        let fit = OverdispersionFit::fit(&pr_units(), OdScale::Proportion, 0.1).unwrap();
        assert_rel(fit.target, 0.128_349_788_4, 1e-9);
        assert_rel(fit.phi, 4.241_867_866, 1e-9);
        assert_rel(fit.tau2, 0.001_568_498_089, 1e-9);
        let s = sorted(&fit.z);
        assert_rel(quantile_type7(&s, 0.1).unwrap(), -3.446_079_383, 1e-9);
        assert_rel(quantile_type7(&s, 0.9).unwrap(), 2.687_902_187, 1e-9);
        let mut outside_od_95 = Vec::new();
        for (i, &(x, n, v)) in PR.iter().enumerate() {
            assert_rel(fit.z[i], v[0], 1e-9);
            assert_rel(fit.z_adjusted[i].unwrap(), v[1], 1e-9);
            let un = fit.unadjusted_limits(n, fpr95()).unwrap();
            assert_rel(un.lower, v[2], 1e-9);
            assert_rel(un.upper, v[3], 1e-9);
            let od = fit.limits(n, fpr95()).unwrap();
            assert_rel(od.lower, v[4], 1e-9);
            assert_rel(od.upper, v[5], 1e-9);
            let od998 = fit.limits(n, fpr998()).unwrap();
            assert_rel(od998.lower, v[6], 1e-9);
            assert_rel(od998.upper, v[7], 1e-9);
            assert!(
                od998.contains(x / n),
                "no unit outside 99.8 % after adjustment"
            );
            if !od.contains(x / n) {
                outside_od_95.push(i);
            }
        }
        // Only unit J is outside the adjusted 95 % limits.
        assert_eq!(outside_od_95, vec![9]);
    }

    #[test]
    fn twelve_hospitals_natural_scale() {
        let fit = OverdispersionFit::fit(&pr_units(), OdScale::Proportion, 0.1).unwrap();
        let nat =
            NaturalOverdispersion::fit(&pr_units(), NaturalScale::Proportion, fit.target, 0.1)
                .unwrap();
        assert_rel(nat.phi, 4.120_830_87, 1e-9);
        assert_rel(nat.test_statistic(), 49.449_970_44, 1e-9);
        assert_rel(chi_square_quantile(0.95, 11.0), 19.675_137_57, 1e-9);
        assert!(nat.is_overdispersed(0.95, 11.0));
        assert_rel(nat.tau2, 0.000_676_360_471, 1e-9);
        #[rustfmt::skip]
        let rows: [(f64, [f64; 6]); 3] = [
            (310.0, [0.0911161098, 0.1655834671, 0.05276605479, 0.2039335221, 0.06522643489, 0.191473142]),
            (1000.0, [0.1076189535, 0.1490806233, 0.08626654657, 0.1704330303, 0.07332271824, 0.1833768586]),
            (1250.0, [0.109807566, 0.1468920109, 0.09070939263, 0.1659901842, 0.07410935194, 0.1825902249]),
        ];
        for (n, v) in rows {
            let a = nat.normal_limits(n, fpr95()).unwrap();
            let b = nat.multiplicative_limits(n, fpr95()).unwrap();
            let c = nat.additive_limits(n, fpr95()).unwrap();
            for (got, want) in [a.lower, a.upper, b.lower, b.upper, c.lower, c.upper]
                .iter()
                .zip(v)
            {
                assert_rel(*got, want, 1e-9);
            }
        }
    }

    #[test]
    fn helpers_and_invalid_input() {
        assert_eq!(quantile_type7(&[], 0.5), None);
        assert_eq!(quantile_type7(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0]),
            vec![3.5, 1.0, 3.5, 2.0]
        );
        let one = [OdUnit {
            numerator: 1.0,
            denominator: 2.0,
        }];
        assert!(OverdispersionFit::fit(&one, OdScale::Proportion, 0.1).is_err());
        let bad = [OdUnit {
            numerator: 3.0,
            denominator: 2.0,
        }; 3];
        assert!(OverdispersionFit::fit(&bad, OdScale::Proportion, 0.1).is_err());
        let zero = [
            OdUnit {
                numerator: 0.0,
                denominator: 2.0,
            },
            OdUnit {
                numerator: 2.0,
                denominator: 2.0,
            },
        ];
        assert!(OverdispersionFit::fit(&zero, OdScale::RatioShmi, 0.0).is_err());
        assert!(OverdispersionFit::fit(&zero, OdScale::RatioCqc, 0.1).is_ok());
        assert!(OverdispersionFit::fit(&sr_units(), OdScale::RatioCqc, 0.6).is_err());
        // No overdispersion: falls back to the unadjusted limits.
        let calm: Vec<_> = (0..6)
            .map(|_| OdUnit {
                numerator: 50.0,
                denominator: 50.0,
            })
            .collect();
        let fit = OverdispersionFit::fit(&calm, OdScale::RatioCqc, 0.1).unwrap();
        assert!(!fit.is_overdispersed());
        assert_eq!(
            fit.limits(50.0, fpr95()).unwrap(),
            chi_square_funnel_limits(50.0, 1.0, fpr95()).unwrap()
        );
    }
}
