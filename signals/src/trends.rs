//! What is rising: flagged listings per drug, product category and rule, run after run.
//!
//! [`tally`] counts the flagged listings seen in one run per [`Dimension`]; the caller stores
//! the counts with the run (the state store's `run_counts` table) and later hands the
//! history to [`detect`], which compares the current run with the earlier ones.
//!
//! # The test
//!
//! For each series (a dimension and a key, e.g. drug `semaglutide`) with count `c` in the
//! current run, the baseline is the previous [`TrendConfig::window`] runs (default 8; a run
//! without the key counts 0), used only when there are at least [`TrendConfig::min_history`]
//! earlier runs (default 3). Call `S` the sum of the series over those `k` runs and
//! `m = S / k` their mean.
//!
//! The test is the one-sided exact Poisson rate-ratio test (the two-sample form of R's
//! `poisson.test`): if the series kept the same Poisson rate in all `k + 1` runs, then given
//! the `n = c + S` listings, each of them fell in the current run with probability
//! `1 / (k + 1)`, so the p-value is the binomial tail `P(Y ≥ c)`, `Y ~ Binomial(n, 1/(k+1))`,
//! computed in log space. Unlike a Poisson test against the plug-in mean `m`, it accounts
//! for `m` itself being estimated from few runs: in simulation (200 Poisson series with means
//! 0.5–39.5, runs 4 to 10, 300 seeds) the plug-in test raised a false alarm in 1% of runs,
//! ten times its nominal rate, and this one in 0.05%. It also needs no floor for series that
//! were always zero: with `S = 0` the p-value is `(1/(k+1))^c`, so one or two listings of a
//! new series never fire.
//!
//! A [`SignalKind::Rise`] is raised when `p < alpha / N` (Bonferroni over the `N` series of
//! the comparison: every series present in the current run or the window, so the chance of
//! any false alarm in a run stays below `alpha`, default 0.001) **and** `c − m ≥`
//! [`TrendConfig::min_rise`] (default 3), so a significant but tiny change on a huge series
//! is not reported.
//!
//! What that means in practice, for 200 series and the defaults (threshold 5e-6), with 8
//! earlier runs: a series that was always zero needs 6 flagged listings, a baseline mean of 1
//! needs 11, 5 needs 20, 10 needs 30, 20 needs 46, 40 needs 75; with only 3 earlier runs:
//! 9, 13, 23, 33, 49, 79. A tripling is found reliably from a baseline of about 15 on.
//!
//! A [`SignalKind::New`] is raised for a drug or product category in the current run that no
//! earlier run counted (at least one earlier run needed). A new series is reported as `New`
//! only, not also as a rise. Rules are left out of `New`: a rule firing for the first time
//! usually means the rule pack changed, not the market.
//!
//! History should hold runs of the same scope (e.g. full scheduled runs, not a one-site
//! test crawl) or the baselines mean little; [`detect`] does not know what was crawled.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use pharmwatch_model::{Listing, Verdict};
use serde::{Deserialize, Serialize};

use crate::tail::binomial_sf;

/// What a count is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Run totals: keys [`TOTAL_LISTINGS`] and [`TOTAL_FLAGGED`].
    Total,
    /// Lexicon drug id (`semaglutide`).
    Drug,
    /// Lexicon product category (`glp1`, `opioid`).
    Category,
    /// Rule id (`rx-without-prescription`).
    Rule,
}

impl Dimension {
    /// Every dimension, in storage order.
    pub const ALL: [Dimension; 4] = [
        Dimension::Total,
        Dimension::Drug,
        Dimension::Category,
        Dimension::Rule,
    ];

    /// `total`, `drug`, `category`, `rule`: the names stored in `run_counts.dimension`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Total => "total",
            Dimension::Drug => "drug",
            Dimension::Category => "category",
            Dimension::Rule => "rule",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A dimension name this build does not know (e.g. written by a newer pharmwatch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDimension(pub String);

impl fmt::Display for UnknownDimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown count dimension `{}`: expected total, drug, category or rule",
            self.0
        )
    }
}

impl std::error::Error for UnknownDimension {}

impl FromStr for Dimension {
    type Err = UnknownDimension;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dimension::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownDimension(s.to_string()))
    }
}

/// Key of [`Dimension::Total`]: every listing tallied, flagged or not (the crawl's scope;
/// not tested for rises).
pub const TOTAL_LISTINGS: &str = "listings";
/// Key of [`Dimension::Total`]: flagged listings.
pub const TOTAL_FLAGGED: &str = "flagged";

/// Counts of one run per dimension and key. Always holds both totals, so a run with nothing
/// flagged still has rows and still counts as a run of zeros in later baselines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    counts: BTreeMap<Dimension, BTreeMap<String, u64>>,
}

impl Default for RunCounts {
    fn default() -> Self {
        let mut counts = RunCounts {
            counts: BTreeMap::new(),
        };
        counts.set(Dimension::Total, TOTAL_LISTINGS, 0);
        counts.set(Dimension::Total, TOTAL_FLAGGED, 0);
        counts
    }
}

impl RunCounts {
    /// The count of a key; 0 when absent.
    pub fn get(&self, dimension: Dimension, key: &str) -> u64 {
        self.counts
            .get(&dimension)
            .and_then(|keys| keys.get(key))
            .copied()
            .unwrap_or(0)
    }

    /// Sets a count (reading rows back from storage).
    pub fn set(&mut self, dimension: Dimension, key: &str, count: u64) {
        self.counts
            .entry(dimension)
            .or_default()
            .insert(key.to_string(), count);
    }

    /// Counts one more listing seen in the run, by its verdict (see [`tally`]); lets a caller
    /// stream listings from the store without holding them.
    pub fn add_listing(&mut self, verdict: &Verdict) {
        self.bump(Dimension::Total, TOTAL_LISTINGS);
        if !verdict.flagged {
            return;
        }
        self.bump(Dimension::Total, TOTAL_FLAGGED);
        let drugs: BTreeSet<&str> = verdict.drugs.iter().map(|d| d.drug.as_str()).collect();
        let categories: BTreeSet<&str> =
            verdict.drugs.iter().map(|d| d.category.as_str()).collect();
        let rules: BTreeSet<&str> = verdict.rule_ids().collect();
        for (dimension, keys) in [
            (Dimension::Drug, drugs),
            (Dimension::Category, categories),
            (Dimension::Rule, rules),
        ] {
            keys.into_iter().for_each(|k| self.bump(dimension, k));
        }
    }

    fn bump(&mut self, dimension: Dimension, key: &str) {
        *self
            .counts
            .entry(dimension)
            .or_default()
            .entry(key.to_string())
            .or_default() += 1;
    }

    /// Every count, by dimension then key: the rows to store.
    pub fn iter(&self) -> impl Iterator<Item = (Dimension, &str, u64)> + '_ {
        self.counts
            .iter()
            .flat_map(|(d, keys)| keys.iter().map(move |(k, c)| (*d, k.as_str(), *c)))
    }

    /// Rebuilds counts from stored `(dimension, key, count)` rows.
    pub fn from_rows<'a>(
        rows: impl IntoIterator<Item = (&'a str, &'a str, u64)>,
    ) -> Result<Self, UnknownDimension> {
        let mut counts = RunCounts::default();
        for (dimension, key, count) in rows {
            counts.set(dimension.parse()?, key, count);
        }
        Ok(counts)
    }
}

/// Counts the flagged listings among `items` (the listings seen in one run, with their
/// verdicts) per drug, product category and rule. A listing counts once per key however
/// often the key occurs in it.
pub fn tally<'a>(items: impl IntoIterator<Item = (&'a Listing, &'a Verdict)>) -> RunCounts {
    let mut counts = RunCounts::default();
    for (_, verdict) in items {
        counts.add_listing(verdict);
    }
    counts
}

/// Settings of the test (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendConfig {
    /// How many of the latest earlier runs make the baseline.
    pub window: usize,
    /// Fewest earlier runs for a rise to be tested.
    pub min_history: usize,
    /// Chance of a false alarm per run, before the Bonferroni division.
    pub alpha: f64,
    /// Smallest rise over the baseline mean that is reported.
    pub min_rise: f64,
}

impl Default for TrendConfig {
    fn default() -> Self {
        TrendConfig {
            window: 8,
            min_history: 3,
            alpha: 0.001,
            min_rise: 3.0,
        }
    }
}

/// What kind of change a signal reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// The count rose beyond what the baseline makes plausible.
    Rise,
    /// A drug or product category no earlier run counted.
    New,
}

impl SignalKind {
    /// `rise` or `new`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Rise => "rise",
            SignalKind::New => "new",
        }
    }
}

impl fmt::Display for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One series that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// A rise or a first appearance.
    pub kind: SignalKind,
    /// What the series counts.
    pub dimension: Dimension,
    /// The drug, category or rule id of the series.
    pub key: String,
    /// Count in the current run.
    pub current: u64,
    /// Mean over the baseline runs; 0 for `New`.
    pub baseline_mean: f64,
    /// How many earlier runs the baseline (or, for `New`, the "never seen") rests on.
    pub baseline_runs: usize,
    /// One-sided p-value of the rate-ratio test (see the module docs); `None` for `New`.
    pub p_value: Option<f64>,
    /// The p-value a rise had to beat (`alpha / series`); `None` for `New`.
    pub threshold: Option<f64>,
}

/// Compares `current` with `history` (earlier runs as `(run id, counts)`, any order; the
/// highest run ids are the latest) and returns the signals: rises by p-value, then new
/// series by count.
pub fn detect(
    history: &[(i64, RunCounts)],
    current: &RunCounts,
    config: &TrendConfig,
) -> Vec<Signal> {
    let mut runs: Vec<&(i64, RunCounts)> = history.iter().collect();
    runs.sort_by_key(|(id, _)| *id);
    let window: Vec<&RunCounts> = runs
        .iter()
        .rev()
        .take(config.window.max(1))
        .map(|(_, c)| c)
        .collect();
    let mut signals = new_series(&runs, current);
    let fresh: BTreeSet<(Dimension, String)> = signals
        .iter()
        .map(|s| (s.dimension, s.key.clone()))
        .collect();
    if window.len() >= config.min_history.max(1) {
        let series = tested_series(&window, current);
        let threshold = config.alpha / series.len().max(1) as f64;
        for (dimension, key) in series {
            if fresh.contains(&(dimension, key.to_string())) {
                continue;
            }
            if let Some(signal) = rise(dimension, key, &window, current, threshold, config) {
                signals.push(signal);
            }
        }
    }
    signals.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(
                a.p_value
                    .unwrap_or(1.0)
                    .total_cmp(&b.p_value.unwrap_or(1.0)),
            )
            .then(b.current.cmp(&a.current))
            .then(a.dimension.cmp(&b.dimension))
            .then(a.key.cmp(&b.key))
    });
    signals
}

/// Every series of the current run and the window except the crawl-scope total.
fn tested_series<'a>(
    window: &[&'a RunCounts],
    current: &'a RunCounts,
) -> BTreeSet<(Dimension, &'a str)> {
    std::iter::once(current)
        .chain(window.iter().copied())
        .flat_map(RunCounts::iter)
        .filter(|(d, k, _)| !(*d == Dimension::Total && *k == TOTAL_LISTINGS))
        .map(|(d, k, _)| (d, k))
        .collect()
}

/// Largest `c + S` tested. Counts of listings never come near it (10^12); a stored count
/// beyond it is a damaged row, and the log-space tail loses its precision there (and would
/// sum for seconds), so such a series is not tested rather than reported on a garbage
/// p-value.
const MAX_TESTED_COUNT: u64 = 1 << 40;

fn rise(
    dimension: Dimension,
    key: &str,
    window: &[&RunCounts],
    current: &RunCounts,
    threshold: f64,
    config: &TrendConfig,
) -> Option<Signal> {
    let c = current.get(dimension, key);
    let total = window
        .iter()
        .fold(0u64, |sum, run| sum.saturating_add(run.get(dimension, key)));
    let mean = total as f64 / window.len() as f64;
    if (c as f64) - mean < config.min_rise {
        return None;
    }
    let n = c.saturating_add(total);
    if n > MAX_TESTED_COUNT {
        return None;
    }
    // Under "same rate in every run", given the c + total listings of the k + 1 runs, each
    // one is in the current run with probability 1 / (k + 1).
    let p = binomial_sf(c, n, 1.0 / (window.len() as f64 + 1.0));
    (p < threshold).then(|| Signal {
        kind: SignalKind::Rise,
        dimension,
        key: key.to_string(),
        current: c,
        baseline_mean: mean,
        baseline_runs: window.len(),
        p_value: Some(p),
        threshold: Some(threshold),
    })
}

/// Drugs and categories counted now and in no earlier run.
fn new_series(runs: &[&(i64, RunCounts)], current: &RunCounts) -> Vec<Signal> {
    if runs.is_empty() {
        return Vec::new();
    }
    current
        .iter()
        .filter(|(d, _, c)| matches!(d, Dimension::Drug | Dimension::Category) && *c > 0)
        .filter(|(d, k, _)| runs.iter().all(|(_, run)| run.get(*d, k) == 0))
        .map(|(dimension, key, current)| Signal {
            kind: SignalKind::New,
            dimension,
            key: key.to_string(),
            current,
            baseline_mean: 0.0,
            baseline_runs: runs.len(),
            p_value: None,
            threshold: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use pharmwatch_model::Severity::*;

    use super::*;
    use crate::shop::testing::*;

    fn counts(rows: &[(Dimension, &str, u64)]) -> RunCounts {
        let mut c = RunCounts::default();
        for (d, k, n) in rows {
            c.set(*d, k, *n);
        }
        c
    }

    fn history(series: &[(Dimension, &str, &[u64])]) -> Vec<(i64, RunCounts)> {
        let runs = series.iter().map(|(_, _, s)| s.len()).max().unwrap_or(0);
        (0..runs)
            .map(|r| {
                let rows: Vec<(Dimension, &str, u64)> =
                    series.iter().map(|(d, k, s)| (*d, *k, s[r])).collect();
                (r as i64 + 1, counts(&rows))
            })
            .collect()
    }

    /// Knuth's Poisson sampler (fine for the means used here).
    fn poisson(rng: &mut fastrand::Rng, lambda: f64) -> u64 {
        let limit = (-lambda).exp();
        let mut p = 1.0;
        let mut k = 0;
        loop {
            p *= rng.f64();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }

    #[test]
    fn tally_counts_flagged_listings_once_per_key() {
        let a = pharmacy("http://a.example/1");
        let va = verdict(
            &a,
            &[
                ("rx-without-prescription", "prescription", High),
                ("stealth-shipping", "shipping", Medium),
            ],
            &[
                ("sildenafil", "rx", "pde5"),
                ("sildenafil", "rx", "pde5"),
                ("tadalafil", "rx", "pde5"),
            ],
        );
        let b = pharmacy("http://b.example/1");
        let vb = verdict(
            &b,
            &[("stealth-shipping", "shipping", Medium)],
            &[("tadalafil", "rx", "pde5")],
        );
        let c = pharmacy("http://c.example/1");
        let vc = verdict(&c, &[], &[("sildenafil", "rx", "pde5")]);
        let run = tally([(&a, &va), (&b, &vb), (&c, &vc)]);
        assert_eq!(run.get(Dimension::Total, TOTAL_LISTINGS), 3);
        assert_eq!(run.get(Dimension::Total, TOTAL_FLAGGED), 2);
        assert_eq!(
            run.get(Dimension::Drug, "sildenafil"),
            1,
            "unflagged c not counted"
        );
        assert_eq!(run.get(Dimension::Drug, "tadalafil"), 2);
        assert_eq!(run.get(Dimension::Category, "pde5"), 2);
        assert_eq!(run.get(Dimension::Rule, "stealth-shipping"), 2);
        assert_eq!(run.get(Dimension::Rule, "rx-without-prescription"), 1);
        assert_eq!(run.get(Dimension::Rule, "nothing"), 0);
    }

    #[test]
    fn an_empty_run_still_has_its_totals_and_rows_round_trip() {
        let empty = tally(std::iter::empty());
        let rows: Vec<(Dimension, &str, u64)> = empty.iter().collect();
        assert_eq!(
            rows,
            [
                (Dimension::Total, TOTAL_FLAGGED, 0),
                (Dimension::Total, TOTAL_LISTINGS, 0)
            ]
        );
        let run = counts(&[
            (Dimension::Drug, "semaglutide", 4),
            (Dimension::Rule, "r", 2),
        ]);
        let stored: Vec<(String, String, u64)> = run
            .iter()
            .map(|(d, k, c)| (d.as_str().to_string(), k.to_string(), c))
            .collect();
        let back =
            RunCounts::from_rows(stored.iter().map(|(d, k, c)| (d.as_str(), k.as_str(), *c)))
                .unwrap();
        assert_eq!(back, run);
        let err = RunCounts::from_rows([("vendor", "x", 1)]).unwrap_err();
        assert!(err.to_string().contains("`vendor`"), "{err}");
    }

    #[test]
    fn a_spike_is_a_rise_with_its_p_value() {
        let past = history(&[(Dimension::Drug, "semaglutide", &[10, 12, 9, 11, 8])]);
        let now = counts(&[(Dimension::Drug, "semaglutide", 40)]);
        let signals = detect(&past, &now, &TrendConfig::default());
        assert_eq!(signals.len(), 1, "{signals:#?}");
        let s = &signals[0];
        assert_eq!(
            (s.kind, s.dimension, s.key.as_str()),
            (SignalKind::Rise, Dimension::Drug, "semaglutide")
        );
        assert_eq!((s.current, s.baseline_runs), (40, 5));
        assert!((s.baseline_mean - 10.0).abs() < 1e-12);
        // P(Y ≥ 40), Y ~ Binomial(40 + 50, 1/6).
        let p = s.p_value.unwrap();
        assert!((p / 6.481318042107428e-10 - 1.0).abs() < 1e-9, "{p}");
        // Two series tested (the drug and the flagged total, which stays 0).
        assert!((s.threshold.unwrap() - 0.001 / 2.0).abs() < 1e-15);

        let calm = counts(&[(Dimension::Drug, "semaglutide", 14)]);
        assert!(detect(&past, &calm, &TrendConfig::default()).is_empty());
    }

    #[test]
    fn rises_need_three_earlier_runs() {
        let now = counts(&[(Dimension::Rule, "r", 50)]);
        let two = history(&[(Dimension::Rule, "r", &[5, 5])]);
        assert!(detect(&two, &now, &TrendConfig::default()).is_empty());
        let three = history(&[(Dimension::Rule, "r", &[5, 5, 5])]);
        assert_eq!(detect(&three, &now, &TrendConfig::default()).len(), 1);
    }

    #[test]
    fn the_baseline_is_the_latest_window_of_runs() {
        // Twelve old runs at 100, then eight at 10: the old level is out of the window.
        let mut series = vec![100; 12];
        series.extend([10; 8]);
        let mut past = history(&[(Dimension::Category, "glp1", &series)]);
        past.reverse(); // order of the slice does not matter, run ids do
        let now = counts(&[(Dimension::Category, "glp1", 40)]);
        let signals = detect(&past, &now, &TrendConfig::default());
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].baseline_runs, 8);
        assert!((signals[0].baseline_mean - 10.0).abs() < 1e-12);
    }

    #[test]
    fn zero_baselines_do_not_fire_on_a_few_listings() {
        let past = history(&[(Dimension::Rule, "other", &[1, 1, 1])]);
        // Three series tested, so the threshold is 0.001 / 3; with three earlier zeros the
        // p-value is (1/4)^c: 4^-5 = 9.8e-4 does not pass, 4^-6 = 2.4e-4 does.
        for (n, fires) in [(1, false), (3, false), (5, false), (6, true)] {
            let now = counts(&[(Dimension::Rule, "r", n)]);
            let signals = detect(&past, &now, &TrendConfig::default());
            assert_eq!(!signals.is_empty(), fires, "{n}: {signals:#?}");
        }
    }

    #[test]
    fn small_rises_are_not_reported_however_significant() {
        // p = (1/4)^2 = 0.0625 passes a lax alpha of 0.5 (0.25 over two series).
        let past = history(&[(Dimension::Rule, "r", &[0, 0, 0])]);
        let now = counts(&[(Dimension::Rule, "r", 2)]);
        let lax = TrendConfig {
            alpha: 0.5,
            ..TrendConfig::default()
        };
        assert!(
            detect(&past, &now, &lax).is_empty(),
            "significant, but a rise of 2 < 3"
        );
        let no_minimum = TrendConfig {
            min_rise: 0.0,
            ..lax
        };
        assert_eq!(detect(&past, &now, &no_minimum).len(), 1);
    }

    #[test]
    fn first_appearances_of_drugs_and_categories_are_new() {
        let past = history(&[(Dimension::Drug, "sildenafil", &[5])]);
        let now = counts(&[
            (Dimension::Drug, "sildenafil", 5),
            (Dimension::Drug, "retatrutide", 30),
            (Dimension::Category, "glp1", 1),
            (Dimension::Rule, "new-rule", 30),
        ]);
        let signals = detect(&past, &now, &TrendConfig::default());
        let got: Vec<(SignalKind, &str, u64)> = signals
            .iter()
            .map(|s| (s.kind, s.key.as_str(), s.current))
            .collect();
        assert_eq!(
            got,
            [
                (SignalKind::New, "retatrutide", 30),
                (SignalKind::New, "glp1", 1)
            ],
            "rules are never new; one earlier run is enough"
        );
        assert!(
            signals
                .iter()
                .all(|s| s.p_value.is_none() && s.baseline_runs == 1)
        );
        assert!(
            detect(&[], &now, &TrendConfig::default()).is_empty(),
            "no earlier run"
        );
    }

    #[test]
    fn absurd_stored_counts_neither_overflow_nor_fire() {
        // A damaged store can hold counts up to i64::MAX; summing the window overflowed.
        let huge = i64::MAX as u64;
        let past = history(&[
            (Dimension::Rule, "r", &[huge, huge, huge, huge]),
            (Dimension::Rule, "s", &[1 << 41, 1 << 41, 1 << 41, 1 << 41]),
        ]);
        let now = counts(&[
            (Dimension::Rule, "r", u64::MAX),
            (Dimension::Rule, "s", (1 << 43) + 1),
        ]);
        assert!(detect(&past, &now, &TrendConfig::default()).is_empty());
    }

    #[test]
    fn a_new_series_is_not_also_a_rise() {
        let past = history(&[(Dimension::Drug, "sildenafil", &[5, 5, 5, 5])]);
        let now = counts(&[(Dimension::Drug, "retatrutide", 50)]);
        let signals = detect(&past, &now, &TrendConfig::default());
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].kind, SignalKind::New);
    }

    /// 200 series with means 3…42, 10 runs of Poisson noise: testing each run from the 4th
    /// on against its predecessors raises nothing. Then tripling 15 of them (means ≥ 15)
    /// finds exactly those.
    #[test]
    fn stable_series_raise_no_alarm_and_tripled_ones_are_found() {
        let mut rng = fastrand::Rng::with_seed(20261123);
        let means: Vec<f64> = (0..200).map(|i| 3.0 + (i % 40) as f64).collect();
        let key = |i: usize| format!("rule-{i:03}");
        let runs: Vec<(i64, RunCounts)> = (0..10)
            .map(|r| {
                let mut c = RunCounts::default();
                for (i, m) in means.iter().enumerate() {
                    c.set(Dimension::Rule, &key(i), poisson(&mut rng, *m));
                }
                (r as i64 + 1, c)
            })
            .collect();
        let config = TrendConfig::default();
        for r in 3..runs.len() {
            let alarms = detect(&runs[..r], &runs[r].1, &config);
            assert!(alarms.is_empty(), "run {r}: {alarms:#?}");
        }

        let spiked: Vec<usize> = (0..200).filter(|i| means[*i] >= 15.0).step_by(9).collect();
        assert!(spiked.len() >= 14, "{}", spiked.len());
        let mut now = RunCounts::default();
        for (i, m) in means.iter().enumerate() {
            let factor = if spiked.contains(&i) { 3.0 } else { 1.0 };
            now.set(
                Dimension::Rule,
                &key(i),
                poisson(&mut rng, m * factor).max((m * factor) as u64 * 9 / 10),
            );
        }
        let found: BTreeSet<String> = detect(&runs, &now, &config)
            .into_iter()
            .inspect(|s| assert_eq!(s.kind, SignalKind::Rise))
            .map(|s| s.key)
            .collect();
        let want: BTreeSet<String> = spiked.iter().map(|&i| key(i)).collect();
        assert_eq!(found, want);
    }
}
