//! Confidence intervals for a proportion x/n (`methods.md` §1.1–§1.3).

use super::special::{beta_quantile, beta_quantile_upper};
use super::{Confidence, Estimate, Interval, StatsError};

fn check(x: u64, n: u64) -> Result<(), StatsError> {
    if n == 0 {
        return Err(StatsError::ZeroDenominator);
    }
    if x > n {
        return Err(StatsError::CountExceedsDenominator {
            count: x,
            denominator: n,
        });
    }
    Ok(())
}

/// Wilson score interval (§1.1; PHE `wilson_lower`/`wilson_upper`):
/// `(2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n + z²))`, with `L = 0` for x = 0 and `U = 1` for x = n.
pub fn wilson(x: u64, n: u64, conf: Confidence) -> Result<Interval, StatsError> {
    check(x, n)?;
    let (xf, nf, z) = (x as f64, n as f64, conf.z());
    let z2 = z * z;
    let root = z * (z2 + 4.0 * xf * (1.0 - xf / nf)).sqrt();
    let den = 2.0 * (nf + z2);
    let lower = if x == 0 {
        0.0
    } else {
        ((2.0 * xf + z2 - root) / den).max(0.0)
    };
    let upper = if x == n {
        1.0
    } else {
        ((2.0 * xf + z2 + root) / den).min(1.0)
    };
    Ok(Interval { lower, upper })
}

/// Wilson score interval with continuity correction (§1.2; Newcombe 1998a method 4):
/// `L = (2np + z² − 1 − z√(z² − 2 − 1/n + 4p(n(1−p) + 1))) / (2(n + z²))` (0 for x = 0),
/// `U = (2np + z² + 1 + z√(z² + 2 − 1/n + 4p(n(1−p) − 1))) / (2(n + z²))` (1 for x = n).
pub fn wilson_cc(x: u64, n: u64, conf: Confidence) -> Result<Interval, StatsError> {
    check(x, n)?;
    let (xf, nf, z) = (x as f64, n as f64, conf.z());
    let z2 = z * z;
    let p = xf / nf;
    let den = 2.0 * (nf + z2);
    let lower = if x == 0 {
        0.0
    } else {
        let r = (z2 - 2.0 - 1.0 / nf + 4.0 * p * (nf * (1.0 - p) + 1.0)).max(0.0);
        ((2.0 * xf + z2 - 1.0 - z * r.sqrt()) / den).max(0.0)
    };
    let upper = if x == n {
        1.0
    } else {
        let r = (z2 + 2.0 - 1.0 / nf + 4.0 * p * (nf * (1.0 - p) - 1.0)).max(0.0);
        ((2.0 * xf + z2 + 1.0 + z * r.sqrt()) / den).min(1.0)
    };
    Ok(Interval { lower, upper })
}

/// Clopper–Pearson "exact" interval (§1.3): `L = B⁻¹(α/2; x, n − x + 1)` (0 for x = 0),
/// `U = B⁻¹(1 − α/2; x + 1, n − x)` (1 for x = n).
pub fn clopper_pearson(x: u64, n: u64, conf: Confidence) -> Result<Interval, StatsError> {
    check(x, n)?;
    let (xf, nf) = (x as f64, n as f64);
    let tail = conf.lower_tail();
    let lower = if x == 0 {
        0.0
    } else {
        beta_quantile(tail, xf, nf - xf + 1.0)
    };
    let upper = if x == n {
        1.0
    } else {
        beta_quantile_upper(tail, xf + 1.0, nf - xf)
    };
    Ok(Interval { lower, upper })
}

/// The proportion x/n with its Wilson interval (PHE `phe_proportion`, the hub's default).
pub fn proportion(x: u64, n: u64, conf: Confidence) -> Result<Estimate, StatsError> {
    let ci = wilson(x, n, conf)?;
    Ok(Estimate::new(x as f64 / n as f64, ci))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_rel;

    /// methods.md §1.3 test vectors: x, n, conf, Wilson L/U, Wilson-CC L/U, Clopper–Pearson L/U.
    #[rustfmt::skip]
    const VECTORS: &[(u64, u64, f64, [f64; 6])] = &[
        (65, 100, 0.95, [0.552544433, 0.7363575176, 0.5474439726, 0.7408765117, 0.5481506382, 0.7427062215]),
        (65, 100, 0.998, [0.4954946574, 0.7783540614, 0.4905161816, 0.782488551, 0.4913756115, 0.7882781422]),
        (1045, 5000, 0.95, [0.1979554988, 0.2204913037, 0.1978575572, 0.2205932076, 0.1978023958, 0.2205383514]),
        (1045, 5000, 0.998, [0.191793818, 0.227315629, 0.1916971268, 0.2274185549, 0.1915307464, 0.2272547811]),
        (1, 100, 0.95, [0.001767432064, 0.05448619618, 0.0005222226127, 0.06241198061, 0.000253146033, 0.05445938539]),
        (1, 100, 0.998, [0.0008730656973, 0.1045544528, 0.0002375633054, 0.1127339395, 1.000495329e-05, 0.0886268887]),
        (0, 20, 0.95, [0.0, 0.1611251581, 0.0, 0.200453345, 0.0, 0.168433471]),
        (0, 20, 0.998, [0.0, 0.3231704146, 0.0, 0.3558230488, 0.0, 0.2920542156]),
        (1, 29, 0.95, [0.006113214293, 0.1717552188, 0.001802640213, 0.196281751, 0.0008726468836, 0.1776442955]),
        (1, 29, 0.998, [0.003016001359, 0.296586458, 0.0008196177007, 0.3192386193, 3.449941638e-05, 0.2768819136]),
        (15, 148, 0.95, [0.06238639953, 0.1604872417, 0.05977820843, 0.1644497794, 0.05784401008, 0.1616504903]),
        (15, 148, 0.998, [0.04738368051, 0.2036455309, 0.04520201992, 0.2077904285, 0.04028444503, 0.1996570373]),
        (81, 263, 0.95, [0.2552885199, 0.366209577, 0.2535086823, 0.368176201, 0.2527367456, 0.3676219226]),
        (81, 263, 0.998, [0.2280357402, 0.4013894219, 0.2263444293, 0.403365525, 0.2239376079, 0.4019823196]),
        (50, 50, 0.95, [0.9286524009, 1.0, 0.9111242411, 1.0, 0.9288782635, 1.0]),
        (50, 50, 0.998, [0.839637109, 1.0, 0.8233195961, 1.0, 0.87096359, 1.0]),
    ];

    // The table gives 10 significant digits, so 1e-9 relative is the tightest meaningful check.
    const TOL: f64 = 1e-9;

    #[test]
    fn wilson_matches_methods_md() {
        for &(x, n, c, v) in VECTORS {
            let ci = wilson(x, n, Confidence::new(c).unwrap()).unwrap();
            assert_rel(ci.lower, v[0], TOL);
            assert_rel(ci.upper, v[1], TOL);
        }
        // PHE testdata_Byars_Wilson.xlsx to 10 d.p.
        let ci = wilson(65, 100, Confidence::P95).unwrap();
        assert_rel(ci.lower, 0.552_544_433_0, 1e-10);
        assert_rel(ci.upper, 0.736_357_517_6, 1e-10);
    }

    #[test]
    fn wilson_cc_matches_methods_md() {
        for &(x, n, c, v) in VECTORS {
            let ci = wilson_cc(x, n, Confidence::new(c).unwrap()).unwrap();
            assert_rel(ci.lower, v[2], TOL);
            assert_rel(ci.upper, v[3], TOL);
        }
    }

    #[test]
    fn clopper_pearson_matches_methods_md() {
        for &(x, n, c, v) in VECTORS {
            let ci = clopper_pearson(x, n, Confidence::new(c).unwrap()).unwrap();
            assert_rel(ci.lower, v[4], TOL);
            assert_rel(ci.upper, v[5], TOL);
        }
    }

    #[test]
    fn boundaries_are_exact_and_invalid_input_is_an_error() {
        for f in [wilson, wilson_cc, clopper_pearson] {
            let ci = f(0, 7, Confidence::P95).unwrap();
            assert_eq!(ci.lower, 0.0);
            let ci = f(7, 7, Confidence::P95).unwrap();
            assert_eq!(ci.upper, 1.0);
            assert_eq!(f(0, 0, Confidence::P95), Err(StatsError::ZeroDenominator));
            assert!(matches!(
                f(3, 2, Confidence::P95),
                Err(StatsError::CountExceedsDenominator { .. })
            ));
            // n = 1 edge cases stay inside [0, 1].
            for x in 0..=1 {
                let ci = f(x, 1, Confidence::P998).unwrap();
                assert!(0.0 <= ci.lower && ci.lower <= ci.upper && ci.upper <= 1.0);
            }
        }
        let e = proportion(65, 100, Confidence::P95).unwrap().scaled(100.0);
        assert_rel(e.value, 65.0, 1e-15);
        assert_rel(e.lower, 55.254_443_3, 1e-9);
    }
}
