//! Binomial upper tail, computed in log space (counts of thousands and tails of 1e-30
//! neither overflow nor round to zero too early), for the trend test.

/// `P(Y ≥ c)` for `Y ~ Binomial(n, p)`, `0 < p < 1`.
///
/// Accurate for `n` up to about 10^12: beyond that `ln n!` (about `n ln n`) no longer holds
/// the digits the difference of log-factorials needs, and the loops run for about
/// `9·sqrt(n·p·q)` terms. Callers keep `n` below that (see `trends::MAX_TESTED_COUNT`).
pub(crate) fn binomial_sf(c: u64, n: u64, p: f64) -> f64 {
    if c == 0 {
        return 1.0;
    }
    if c > n || p.is_nan() || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (ln_p, ln_q) = (p.ln(), (-p).ln_1p());
    let ln_pmf = |x: u64| {
        ln_factorial(n) - ln_factorial(x) - ln_factorial(n - x)
            + x as f64 * ln_p
            + (n - x) as f64 * ln_q
    };
    // Ratio of consecutive terms: pmf(x + 1) / pmf(x) = (n − x) / (x + 1) · p / q.
    let up = |x: u64| ((n - x) as f64).ln() - ((x + 1) as f64).ln() + ln_p - ln_q;
    if c as f64 > n as f64 * p {
        // From c on the terms only shrink: sum them relative to the first.
        let (mut sum, mut rel, mut x) = (0.0, 0.0_f64, c);
        loop {
            let term = rel.exp();
            sum += term;
            if x == n || term < sum * 1e-17 {
                break;
            }
            rel += up(x);
            x += 1;
        }
        (ln_pmf(c) + sum.ln()).exp().min(1.0)
    } else {
        // 1 − P(Y ≤ c − 1), summing down from c − 1, the largest of those terms.
        let (mut sum, mut rel, mut x) = (0.0, 0.0_f64, c - 1);
        loop {
            let term = rel.exp();
            sum += term;
            if x == 0 || term < sum * 1e-17 {
                break;
            }
            x -= 1;
            rel -= up(x);
        }
        (1.0 - (ln_pmf(c - 1) + sum.ln()).exp()).clamp(0.0, 1.0)
    }
}

/// `ln(n!)`: exact sum for small `n`, Stirling's series beyond (error < 1e-12).
fn ln_factorial(n: u64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    if n <= 256 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let n = n as f64;
    n * n.ln() - n + 0.5 * (2.0 * std::f64::consts::PI * n).ln() + 1.0 / (12.0 * n)
        - 1.0 / (360.0 * n.powi(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64) -> bool {
        ((got - want) / want).abs() < 1e-9
    }

    #[test]
    fn tail_matches_exact_values() {
        // Reference values: exact rational sums Σ_{x≥c} C(n,x) p^x (1−p)^(n−x).
        let cases = [
            (40, 90, 1.0 / 6.0, 6.481318042107428e-10),
            (5, 5, 0.25, 0.0009765625),
            (3, 10, 0.5, 0.9453125),
            (30, 60, 0.25, 2.6694272174083783e-05),
            (1, 7, 1.0 / 9.0, 0.5615376139799358),
            (12, 200, 1.0 / 9.0, 0.9953185269183136),
            (550, 1000, 0.5, 0.0008652680424881588),
            (150, 1200, 1.0 / 9.0, 0.07055570471096642),
            (10, 10, 1.0 / 9.0, 2.8679719907924413e-10),
        ];
        for (c, n, p, want) in cases {
            let got = binomial_sf(c, n, p);
            assert!(close(got, want), "P(Y≥{c} | {n}, {p}) = {got}, want {want}");
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(binomial_sf(0, 10, 0.3), 1.0);
        assert_eq!(binomial_sf(11, 10, 0.3), 0.0);
        assert!(
            binomial_sf(300, 300, 0.1) > 0.0,
            "deep tails do not underflow early"
        );
        assert!(binomial_sf(300, 300, 0.1) < 1e-290);
        assert!(close(ln_factorial(300), 1_414.905_849_945_068));
        assert!(close(ln_factorial(256), 1_167.257_278_562_880_2));
    }
}
