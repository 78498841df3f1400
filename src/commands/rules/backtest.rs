//! `pharmwatch rules backtest`: what a changed rule set would flag among everything already
//! crawled, compared with the verdicts stored from the rules in force at the time.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use pharmwatch_model::{Listing, Severity};
use pharmwatch_rules::RuleSet;
use pharmwatch_store::StateStore;
use serde::Serialize;

use super::BacktestArgs;
use crate::commands::{ConfigError, Global};

fn open_store(global: &Global) -> Result<Box<dyn StateStore>> {
    global.data()?.open_existing_store()
}

/// A stored listing by id, or the first listing of the page at a URL.
pub fn stored_listing(global: &Global, key: &str) -> Result<Listing> {
    let store = open_store(global)?;
    let by_id = store.listing(&pharmwatch_model::ListingId::from_stored(key))?;
    let found = match by_id {
        Some(s) => Some(s),
        None => store.listings_on_page(key)?.into_iter().next(),
    };
    found.map(|s| s.listing).ok_or_else(|| {
        ConfigError(format!("no stored listing with the id or page URL `{key}`")).into()
    })
}

/// Per rule: listings it fired on before and now, and samples of the difference.
#[derive(Debug, Default, Serialize)]
struct RuleDelta {
    before: u64,
    now: u64,
    gained: Vec<String>,
    lost: Vec<String>,
    gained_count: u64,
    lost_count: u64,
}

/// Precision and recall of one label against the candidate rules.
#[derive(Debug, Default, Serialize)]
struct Score {
    true_positives: u64,
    false_positives: u64,
    false_negatives: u64,
    precision: Option<f64>,
    recall: Option<f64>,
}

impl Score {
    fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.true_positives += 1,
            (true, false) => self.false_positives += 1,
            (false, true) => self.false_negatives += 1,
            (false, false) => {}
        }
    }

    fn finish(&mut self) {
        let (tp, fp, fn_) = (
            self.true_positives as f64,
            self.false_positives as f64,
            self.false_negatives as f64,
        );
        self.precision = (tp + fp > 0.0).then(|| tp / (tp + fp));
        self.recall = (tp + fn_ > 0.0).then(|| tp / (tp + fn_));
    }
}

#[derive(Debug, Default, Serialize)]
struct Backtest {
    listings: u64,
    flagged_before: u64,
    flagged_now: u64,
    rules: BTreeMap<String, RuleDelta>,
    /// Against the labels' `flagged` column.
    flagged_score: Option<Score>,
    /// Per rule, against the labels' `rules` column.
    rule_scores: BTreeMap<String, Score>,
}

/// What a labels file says of one listing.
#[derive(Debug, Default)]
struct Label {
    flagged: Option<bool>,
    rules: Option<BTreeSet<String>>,
}

pub fn run(global: &Global, rules: &RuleSet, args: &BacktestArgs) -> Result<ExitCode> {
    if let Some(corpus) = &args.corpus {
        return run_corpus(rules, corpus, args.json);
    }
    let store = open_store(global)?;
    let labels = match &args.labels {
        Some(path) => read_labels(path)?,
        None => HashMap::new(),
    };
    let mut result = Backtest::default();
    let mut flagged_score = Score::default();
    let mut labelled_flags = 0;
    for stored in pharmwatch_store::AllListings::new(&*store) {
        let stored = stored?;
        let before: BTreeSet<String> = stored.verdict.rule_ids().map(str::to_string).collect();
        let verdict = rules.evaluate(&stored.listing);
        let now: BTreeSet<String> = verdict.rule_ids().map(str::to_string).collect();
        result.listings += 1;
        result.flagged_before += u64::from(stored.verdict.flagged);
        result.flagged_now += u64::from(verdict.flagged);
        record_deltas(
            &mut result.rules,
            &before,
            &now,
            &stored.listing,
            args.samples,
        );
        let label = labels
            .get(stored.listing.id.as_str())
            .or_else(|| labels.get(&stored.listing.url));
        if let Some(label) = label {
            if let Some(actual) = label.flagged {
                labelled_flags += 1;
                flagged_score.add(verdict.flagged, actual);
            }
            if let Some(expected) = &label.rules {
                for rule in expected.union(&now) {
                    result
                        .rule_scores
                        .entry(rule.clone())
                        .or_default()
                        .add(now.contains(rule), expected.contains(rule));
                }
            }
        }
    }
    if labelled_flags > 0 {
        flagged_score.finish();
        result.flagged_score = Some(flagged_score);
    }
    result.rule_scores.values_mut().for_each(Score::finish);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_human(&result);
    }
    Ok(ExitCode::SUCCESS)
}

/// The rules scored on a labelled corpus.
#[derive(Debug, Default, Serialize)]
struct CorpusScores {
    listings: u64,
    /// Flagged (any hit of severity low or above) against the labels' `flagged`.
    flagged: Score,
    /// Per severity S: the listing's highest severity is S or above, against the label's.
    severities: BTreeMap<String, Score>,
    /// Per rule: fired against the labels' `rules`.
    rules: BTreeMap<String, RuleScore>,
}

#[derive(Debug, Default, Serialize)]
struct RuleScore {
    /// The rule's own severity (a `severity_if` may change a hit's).
    severity: String,
    #[serde(flatten)]
    score: Score,
    /// Up to three listings (id: the label's reason) the rule fired on against the labels.
    false_positive_ids: Vec<String>,
    /// Up to three listings (id: reason) it missed.
    false_negative_ids: Vec<String>,
}

fn run_corpus(rules: &RuleSet, path: &Path, json: bool) -> Result<ExitCode> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the corpus {}", path.display()))?;
    let mut scores = CorpusScores::default();
    for rule in rules.rules() {
        scores.rules.insert(
            rule.id.clone(),
            RuleScore {
                severity: rule.severity.to_string(),
                ..RuleScore::default()
            },
        );
    }
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let input = super::read_listing_line(line, n + 1)
            .map_err(|e| ConfigError(format!("{}: {}", path.display(), e.0)))?;
        let label = input.label.ok_or_else(|| {
            ConfigError(format!(
                "{}: line {}: no `label`: a corpus line needs {{\"flagged\", \"severity\", \"rules\", \"reason\"}}",
                path.display(),
                n + 1
            ))
        })?;
        let verdict = rules.evaluate(&input.listing);
        scores.listings += 1;
        scores.flagged.add(verdict.flagged, label.flagged);
        for level in Severity::ALL {
            scores.severities.entry(level.to_string()).or_default().add(
                verdict.severity.is_some_and(|s| s >= level),
                label.severity.is_some_and(|s| s >= level),
            );
        }
        let fired: BTreeSet<&str> = verdict.rule_ids().collect();
        for (id, score) in scores.rules.iter_mut() {
            let (predicted, actual) = (
                fired.contains(id.as_str()),
                label.rules.iter().any(|r| r == id),
            );
            score.score.add(predicted, actual);
            let sample = match (predicted, actual) {
                (true, false) => Some(&mut score.false_positive_ids),
                (false, true) => Some(&mut score.false_negative_ids),
                _ => None,
            };
            if let Some(ids) = sample.filter(|ids| ids.len() < 3) {
                ids.push(format!("{}: {}", input.id, label.reason));
            }
        }
        if let Some(unknown) = label.rules.iter().find(|r| !scores.rules.contains_key(*r)) {
            return Err(ConfigError(format!(
                "{}: line {}: label names rule `{unknown}`, which the loaded rules do not have",
                path.display(),
                n + 1
            ))
            .into());
        }
    }
    scores.flagged.finish();
    scores.severities.values_mut().for_each(Score::finish);
    scores.rules.values_mut().for_each(|r| r.score.finish());
    if json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        print_corpus(&scores);
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| format!("{:.1}%", x * 100.0))
}

fn print_corpus(s: &CorpusScores) {
    let line = |name: &str, sc: &Score| {
        println!(
            "{name:<40} {:>9} {:>9} {:>6} {:>6} {:>6}",
            pct(sc.precision),
            pct(sc.recall),
            sc.true_positives,
            sc.false_positives,
            sc.false_negatives
        );
    };
    println!("{} labelled listings", s.listings);
    println!(
        "{:<40} {:>9} {:>9} {:>6} {:>6} {:>6}",
        "", "PRECISION", "RECALL", "TP", "FP", "FN"
    );
    line("overall (flagged)", &s.flagged);
    for level in Severity::ALL {
        if let Some(sc) = s.severities.get(level.as_str()) {
            line(&format!("severity {level} or above"), sc);
        }
    }
    println!("\nper rule (its own severity):");
    for (id, r) in &s.rules {
        line(&format!("{id} ({})", r.severity), &r.score);
        for fp in &r.false_positive_ids {
            println!("    false positive: {}", pharmwatch::output::sanitize(fp));
        }
        for fn_ in &r.false_negative_ids {
            println!("    missed: {}", pharmwatch::output::sanitize(fn_));
        }
    }
}

fn record_deltas(
    deltas: &mut BTreeMap<String, RuleDelta>,
    before: &BTreeSet<String>,
    now: &BTreeSet<String>,
    listing: &Listing,
    samples: usize,
) {
    let sample = || {
        format!(
            "{} {}",
            listing.url,
            pharmwatch::output::sanitize(&listing.title)
        )
    };
    for rule in before.union(now) {
        let d = deltas.entry(rule.clone()).or_default();
        let (was, is) = (before.contains(rule), now.contains(rule));
        d.before += u64::from(was);
        d.now += u64::from(is);
        if is && !was {
            d.gained_count += 1;
            if d.gained.len() < samples {
                d.gained.push(sample());
            }
        } else if was && !is {
            d.lost_count += 1;
            if d.lost.len() < samples {
                d.lost.push(sample());
            }
        }
    }
}

fn read_labels(path: &Path) -> Result<HashMap<String, Label>> {
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("cannot read labels {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let key = column("id").or_else(|| column("url")).ok_or_else(|| {
        ConfigError(format!(
            "{}: the header needs an `id` or `url` column",
            path.display()
        ))
    })?;
    let (flagged, rules) = (column("flagged"), column("rules"));
    if flagged.is_none() && rules.is_none() {
        return Err(ConfigError(format!(
            "{}: the header needs a `flagged` and/or a `rules` column",
            path.display()
        ))
        .into());
    }
    let mut labels = HashMap::new();
    for (n, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("{}: line {}", path.display(), n + 2))?;
        let field = |i: Option<usize>| i.and_then(|i| row.get(i)).map(str::trim);
        let flagged = match field(flagged) {
            None | Some("") => None,
            Some(v) => Some(parse_bool(v).ok_or_else(|| {
                ConfigError(format!(
                    "{}: line {}: `flagged` is `{v}`; write true or false",
                    path.display(),
                    n + 2
                ))
            })?),
        };
        let rules = field(rules).map(|v| {
            v.split(';')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect()
        });
        labels.insert(
            field(Some(key)).unwrap_or("").to_string(),
            Label { flagged, rules },
        );
    }
    Ok(labels)
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" => Some(true),
        "false" | "0" | "no" | "n" => Some(false),
        _ => None,
    }
}

fn print_human(r: &Backtest) {
    println!(
        "{} listings: flagged {} with the stored verdicts, {} with these rules",
        r.listings, r.flagged_before, r.flagged_now
    );
    println!(
        "{:<40} {:>7} {:>7} {:>7} {:>7}",
        "RULE", "BEFORE", "NOW", "GAINED", "LOST"
    );
    for (rule, d) in &r.rules {
        println!(
            "{rule:<40} {:>7} {:>7} {:>7} {:>7}",
            d.before, d.now, d.gained_count, d.lost_count
        );
        for s in &d.gained {
            println!("    + {s}");
        }
        for s in &d.lost {
            println!("    - {s}");
        }
    }
    if let Some(s) = &r.flagged_score {
        println!(
            "flagged vs labels: precision {}, recall {} (tp {}, fp {}, fn {})",
            pct(s.precision),
            pct(s.recall),
            s.true_positives,
            s.false_positives,
            s.false_negatives
        );
    }
    for (rule, s) in &r.rule_scores {
        println!(
            "{rule}: precision {}, recall {}",
            pct(s.precision),
            pct(s.recall)
        );
    }
}
