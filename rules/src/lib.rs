//! The pharmwatch rules engine: what a listing is flagged for, and why.
//!
//! * Rule packs are TOML files (`rules/packs/*.toml`, format in the crate README and
//!   DESIGN.md §3) loaded and validated as a whole by [`RuleSet::load`]; every problem comes
//!   back as a [`Diagnostic`] with file:line:column.
//! * Text is normalised against obfuscation ([`normalize`]) with an offset map, so evidence
//!   always points at the original words of the listing.
//! * The [`Lexicon`] (`config/reference/drugs.csv`) names drugs; [`CurrencyRates`]
//!   (`config/reference/currency_rates.csv`) converts prices to US dollars.
//! * [`RuleSet::evaluate`] gives a [`Verdict`], [`RuleSet::explain`] every condition's outcome,
//!   [`RuleSet::run_embedded_tests`] the packs' own test cases.

#![warn(missing_docs)]

mod aside;
mod csv;
mod diagnostic;
mod engine;
mod explain;
mod lexicon;
mod load;
pub mod normalize;
mod rates;
mod regex_bank;
mod rule;
mod testing;

use std::path::{Path, PathBuf};

use pharmwatch_model::{Field, Listing, Verdict};

pub use diagnostic::{Diagnostic, LoadError};
pub use engine::score;
pub use explain::{Explanation, NodeExplanation, RuleExplanation, SeverityExplanation};
pub use lexicon::{Drug, DrugClass, LEXICON_FILE, Lexicon};
pub use rates::{CurrencyRates, RATES_FILE, Rate};
pub use rule::{Rule, SeverityIf, TestCase};
pub use testing::{MIN_TESTS_EACH_WAY, TestReport, TestResult};

use engine::ListingCtx;
use regex_bank::{BankBuilder, RegexBank, field_index};
use rule::{Condition, Node, Part};

/// A validated, compiled set of rules with the lexicon and currency rates they use.
///
/// Cheap to share across threads (`&RuleSet` is `Sync`); evaluation allocates only per listing.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    lexicon: Lexicon,
    rates: CurrencyRates,
    bank: RegexBank,
    plan: FieldPlan,
    /// Whether a medicine named besides the title's is offered too.
    aside: aside::AsideCues,
    /// `rule = [...]` conditions naming rules that are not loaded (they never hold).
    unresolved: Vec<Diagnostic>,
}

/// Which views of which fields the rules need, so a listing computes nothing else.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldPlan {
    /// Normal view needed for text patterns.
    pub normal: [bool; Field::ALL.len()],
    /// Original text needed for raw text patterns.
    pub raw: [bool; Field::ALL.len()],
    /// Lexicon names searched (both views).
    pub drug: [bool; Field::ALL.len()],
}

impl RuleSet {
    /// Loads every rule file in `rule_paths` (files, or folders of `*.toml`) and the reference
    /// data in `reference_dir` (`drugs.csv`, `currency_rates.csv`). The whole set is validated
    /// before any rule is used: unknown keys, bad regexes, duplicate ids across files, unknown
    /// classes, categories, schedules, fields and severities, malformed tests. All problems are
    /// returned together in the [`LoadError`].
    pub fn load(rule_paths: &[PathBuf], reference_dir: &Path) -> Result<RuleSet, LoadError> {
        let mut diags = Vec::new();
        let lexicon = Lexicon::load(reference_dir)
            .map_err(|d| diags.extend(d))
            .ok();
        let rates = CurrencyRates::load(reference_dir)
            .map_err(|d| diags.extend(d))
            .ok();
        let aside = aside::AsideCues::new()
            .map_err(|m| {
                diags.push(Diagnostic {
                    file: reference_dir.to_path_buf(),
                    line: 0,
                    column: 0,
                    rule_id: None,
                    message: m,
                })
            })
            .ok();
        let files = load::rule_files(rule_paths, &mut diags);
        let mut bank = BankBuilder::new();
        let (rules, unresolved) = load::load_rules(&files, lexicon.as_ref(), &mut bank, &mut diags);
        let bank = match bank.finish() {
            Ok(b) => Some(b),
            Err(m) => {
                diags.push(Diagnostic {
                    file: files.first().cloned().unwrap_or_default(),
                    line: 0,
                    column: 0,
                    rule_id: None,
                    message: m,
                });
                None
            }
        };
        match (lexicon, rates, bank, aside) {
            (Some(lexicon), Some(rates), Some(bank), Some(aside)) if diags.is_empty() => {
                let plan = plan(&rules);
                for d in &unresolved {
                    tracing::warn!("{d}");
                }
                tracing::debug!(
                    rules = rules.len(),
                    drugs = lexicon.drugs().len(),
                    "rule set loaded"
                );
                Ok(RuleSet {
                    rules,
                    lexicon,
                    rates,
                    bank,
                    plan,
                    aside,
                    unresolved,
                })
            }
            _ => {
                diags.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
                Err(LoadError { diagnostics: diags })
            }
        }
    }

    /// The rules, in load order (files by name, rules in file order).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The drug lexicon.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The currency rates (e.g. to compute a listing's unit price in USD for the index).
    pub fn rates(&self) -> &CurrencyRates {
        &self.rates
    }

    /// Every rule that fires on `listing`, with evidence spans on the original text of
    /// `Listing::text(field)`, the drugs found, the highest severity and the score
    /// (see [`score`]). `flagged` is true when any hit has severity `low` or above.
    pub fn evaluate(&self, listing: &Listing) -> Verdict {
        let ctx = ListingCtx::new(self, listing);
        let hits = self
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| ctx.rule_fires(*i))
            .map(|(_, r)| ctx.rule_hit(r))
            .collect();
        engine::verdict(&ctx, listing, hits)
    }

    /// Every condition of every rule on `listing`, held or not, and where.
    pub fn explain(&self, listing: &Listing) -> Explanation {
        let ctx = ListingCtx::new(self, listing).with_details();
        let rules: Vec<RuleExplanation> = self.rules.iter().map(|r| ctx.explain_rule(r)).collect();
        let hits = self
            .rules
            .iter()
            .zip(&rules)
            .filter(|(_, e)| e.fired)
            .map(|(r, _)| ctx.rule_hit(r))
            .collect();
        Explanation {
            listing_id: listing.id.clone(),
            verdict: engine::verdict(&ctx, listing, hits),
            rules,
        }
    }

    /// Runs every rule's embedded `[[rule.test]]` cases.
    pub fn run_embedded_tests(&self) -> TestReport {
        testing::run(self)
    }
}

/// Validates rule files and reference data without keeping the result: load errors, then
/// `rule = [...]` conditions naming rules that are not loaded, then every rule with too few
/// embedded tests (the same policy `rules test` applies, see [`MIN_TESTS_EACH_WAY`]).
pub fn lint(paths: &[PathBuf], reference_dir: &Path) -> Vec<Diagnostic> {
    match RuleSet::load(paths, reference_dir) {
        Err(e) => e.diagnostics,
        Ok(set) => {
            let mut problems = set.unresolved.clone();
            problems.extend(testing::too_few_tests(&set));
            problems
        }
    }
}

fn plan(rules: &[Rule]) -> FieldPlan {
    let mut p = FieldPlan::default();
    p.drug[field_index(Field::Title)] = true;
    p.drug[field_index(Field::Description)] = true;
    fn walk(n: &Node, p: &mut FieldPlan) {
        for part in &n.parts {
            match part {
                Part::All(ns) | Part::Any(ns) | Part::None(ns) | Part::AtLeast(_, ns) => {
                    ns.iter().for_each(|n| walk(n, p));
                }
                Part::Cond(Condition::Text(t)) => {
                    for f in &t.fields {
                        if t.normalize {
                            p.normal[field_index(*f)] = true;
                        } else {
                            p.raw[field_index(*f)] = true;
                        }
                    }
                }
                Part::Cond(Condition::Drug(d)) => {
                    for f in &d.fields {
                        p.drug[field_index(*f)] = true;
                    }
                }
                Part::Cond(_) => {}
            }
        }
    }
    for r in rules {
        walk(&r.matcher, &mut p);
        for c in &r.severity_if {
            walk(&c.matcher, &mut p);
        }
    }
    p
}
