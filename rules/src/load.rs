//! Reading rule files: TOML with spans → compiled [`Rule`]s, every problem reported with its
//! file:line:column instead of stopping at the first.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pharmwatch_model::{ContactKind, Field, Severity, SiteKind};
use rust_decimal::Decimal;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, SourceMap};
use crate::lexicon::{DrugClass, Lexicon};
use crate::regex_bank::{BankBuilder, View};
use crate::rule::{
    Condition, ContactCond, DrugCond, FiredCond, Node, PageCond, Part, PaymentCond, PriceCond,
    PricePer, Rule, SeverityIf, ShippingCond, SiteCond, TestCase, TextCond,
};

type Value<'i> = Spanned<DeValue<'i>>;

const RULE_KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "category",
    "description",
    "references",
    "match",
    "severity_if",
    "test",
];
const SEVERITY_IF_KEYS: &[&str] = &["severity", "reason", "match"];
const NODE_KEYS: &[&str] = &[
    "all", "any", "none", "at_least", "of", "text", "drug", "price", "contact", "payment",
    "shipping", "site", "page", "rule", "language",
];
const TEST_KEYS: &[&str] = &[
    "title",
    "description",
    "seller",
    "url",
    "price",
    "currency",
    "quantity",
    "site_kind",
    "contacts",
    "payment",
    "shipping",
    "shop_shipping",
    "reviews",
    "postal_address",
    "licence_claim",
    "price_basis",
    "language",
    "expect",
    "severity",
];

/// Rule files named by `paths` (files, or folders whose `*.toml` files are read in name
/// order).
pub(crate) fn rule_files(paths: &[PathBuf], diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|f| f.extension().is_some_and(|x| x == "toml") && f.is_file())
                        .collect();
                    found.sort();
                    files.extend(found);
                }
                Err(e) => diags.push(whole_file(p, format!("cannot read the folder: {e}"))),
            }
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            diags.push(whole_file(
                p,
                "no such rule file or folder: check the `rules.packs` setting".into(),
            ));
        }
    }
    files
}

fn whole_file(p: &Path, message: String) -> Diagnostic {
    Diagnostic {
        file: p.to_path_buf(),
        line: 0,
        column: 0,
        rule_id: None,
        message,
    }
}

/// Parses every file; rules with problems are left out and their problems added to `diags`.
pub(crate) fn load_rules(
    files: &[PathBuf],
    lexicon: Option<&Lexicon>,
    bank: &mut BankBuilder,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Rule>, Vec<Diagnostic>) {
    let mut rules = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for file in files {
        let src = match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                diags.push(whole_file(file, format!("cannot read the rule file: {e}")));
                continue;
            }
        };
        let mut p = FileParser {
            map: SourceMap::new(file, &src),
            diags,
            rule_id: None,
            lexicon,
            bank,
        };
        let (parsed, ids) = p.parse_file(&src);
        let mut duplicates = Vec::new();
        for (id, id_span) in ids {
            let (line, col) = p.map.position(id_span.start);
            let here = format!("{}:{line}:{col}", file.display());
            if let Some(first) = seen.get(&id) {
                let msg = format!(
                    "duplicate rule id `{id}`: first defined at {first}; rule ids must be unique across all loaded files"
                );
                p.diags.push(p.map.diag(id_span.start, Some(&id), msg));
                duplicates.push(id_span);
                continue;
            }
            seen.insert(id, here);
        }
        rules.extend(
            parsed
                .into_iter()
                .filter(|(_, span)| !duplicates.contains(span))
                .map(|(r, _)| r),
        );
    }
    let unresolved = resolve_fired(&mut rules, diags);
    (rules, unresolved)
}

/// Fills in the rule positions of every `rule = [...]` condition. A rule whose match depends on
/// itself is an error. An id that names no loaded rule is returned, not an error: a rule
/// author who loads one pack, or drops a rule to backtest without it, still gets a rule set
/// (the condition then holds for none of them); `rules lint` reports it.
fn resolve_fired(rules: &mut [Rule], diags: &mut Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut unresolved = Vec::new();
    let positions: HashMap<String, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    let mut depends: Vec<Vec<usize>> = Vec::with_capacity(rules.len());
    for r in rules.iter_mut() {
        let owner = r.id.clone();
        let mut own = Vec::new();
        fill_fired(
            &mut r.matcher,
            &owner,
            &positions,
            &mut unresolved,
            &mut own,
        );
        depends.push(own);
        for c in &mut r.severity_if {
            fill_fired(
                &mut c.matcher,
                &owner,
                &positions,
                &mut unresolved,
                &mut Vec::new(),
            );
        }
    }
    for (i, r) in rules.iter().enumerate() {
        if reaches(&depends, i, i, &mut vec![false; rules.len()]) {
            diags.push(Diagnostic {
                file: r.file.clone(),
                line: r.line,
                column: 1,
                rule_id: Some(r.id.clone()),
                message: "the rule's match depends on itself through `rule = [...]` conditions: remove the cycle (a `severity_if` may name any rule)".into(),
            });
        }
    }
    unresolved
}

/// Whether `to` can be reached from `from` along match dependencies.
fn reaches(depends: &[Vec<usize>], from: usize, to: usize, seen: &mut [bool]) -> bool {
    depends[from].iter().any(|&next| {
        if next == to {
            return true;
        }
        if std::mem::replace(&mut seen[next], true) {
            return false;
        }
        reaches(depends, next, to, seen)
    })
}

fn fill_fired(
    node: &mut Node,
    owner: &str,
    positions: &HashMap<String, usize>,
    diags: &mut Vec<Diagnostic>,
    used: &mut Vec<usize>,
) {
    for part in &mut node.parts {
        match part {
            Part::All(ns) | Part::Any(ns) | Part::None(ns) | Part::AtLeast(_, ns) => {
                for n in ns {
                    fill_fired(n, owner, positions, diags, used);
                }
            }
            Part::Cond(Condition::Fired(f)) => {
                for id in &f.ids {
                    match positions.get(id) {
                        Some(&i) => {
                            f.indices.push(i);
                            used.push(i);
                        }
                        None => diags.push(Diagnostic {
                            file: f.file.clone(),
                            line: f.line,
                            column: f.column,
                            rule_id: Some(owner.to_string()),
                            message: format!(
                                "`rule` names `{id}`, but no rule with that id is loaded, so this condition never holds for it: check the id, and load its file too"
                            ),
                        }),
                    }
                }
            }
            Part::Cond(_) => {}
        }
    }
}

struct FileParser<'a, 'd> {
    map: SourceMap<'a>,
    diags: &'d mut Vec<Diagnostic>,
    rule_id: Option<String>,
    lexicon: Option<&'a Lexicon>,
    bank: &'d mut BankBuilder,
}

impl FileParser<'_, '_> {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        let d = self
            .map
            .diag(span.start, self.rule_id.as_deref(), message.into());
        self.diags.push(d);
    }

    /// The rules that parsed cleanly, and the id (with its span) of every rule that has one.
    #[allow(clippy::type_complexity)]
    fn parse_file(
        &mut self,
        src: &str,
    ) -> (Vec<(Rule, Range<usize>)>, Vec<(String, Range<usize>)>) {
        let doc = match DeTable::parse(src) {
            Ok(d) => d,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let msg = format!("invalid TOML: {}", one_line(e.message()));
                self.err(span, msg);
                return (Vec::new(), Vec::new());
            }
        };
        let mut out = Vec::new();
        let mut ids = Vec::new();
        for (key, value) in doc.get_ref().iter() {
            if key.get_ref() != "rule" {
                let msg = unknown_key_msg(key.get_ref(), "a rule file", &["rule"]);
                self.err(key.span(), msg);
                continue;
            }
            let Some(items) = value.get_ref().as_array() else {
                self.err(
                    value.span(),
                    "`rule` must be an array of tables: write `[[rule]]`",
                );
                continue;
            };
            for item in items.iter() {
                self.rule_id = None;
                let rule = self.parse_rule(item);
                if let Some(t) = item.get_ref().as_table()
                    && let Some(v) = t.get("id")
                    && let Some(id) = v.get_ref().as_str()
                {
                    ids.push((id.to_string(), v.span()));
                }
                if let Some(r) = rule {
                    out.push(r);
                }
            }
        }
        (out, ids)
    }

    fn parse_rule(&mut self, item: &Value<'_>) -> Option<(Rule, Range<usize>)> {
        let span = item.span();
        let Some(t) = item.get_ref().as_table() else {
            self.err(span, "each `rule` must be a table: write `[[rule]]`");
            return None;
        };
        let before = self.diags.len();
        let (id, id_span) = match t.get("id") {
            Some(v) => {
                let id = self.string(v, "`id`")?;
                if id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
                {
                    self.err(v.span(), format!("rule id `{id}` must be non-empty and use only letters, digits, `-`, `_`, `.`"));
                }
                self.rule_id = Some(id.clone());
                (id, v.span())
            }
            None => {
                self.err(span, "rule has no `id`: add `id = \"some-rule-id\"`");
                return None;
            }
        };
        self.check_keys(t, RULE_KEYS, "a rule");
        let title = self.required_string(t, "title", &span);
        let severity = match t.get("severity") {
            Some(v) => self.severity(v),
            None => {
                self.err(
                    span.clone(),
                    "rule has no `severity`: add one of info, low, medium, high, critical",
                );
                None
            }
        };
        let category = self.required_string(t, "category", &span);
        let description = t
            .get("description")
            .and_then(|v| self.string(v, "`description`"))
            .unwrap_or_default();
        let references = t
            .get("references")
            .and_then(|v| self.string_list(v, "`references`"))
            .map(|l| l.into_iter().map(|(s, _)| s).collect())
            .unwrap_or_default();
        let matcher = self.match_table(t, &span, "rule");
        let severity_if = match t.get("severity_if") {
            Some(v) => match v.get_ref().as_array() {
                Some(items) => items
                    .iter()
                    .filter_map(|i| self.parse_severity_if(i))
                    .collect(),
                None => {
                    self.err(
                        v.span(),
                        "`severity_if` must be an array of tables: write `[[rule.severity_if]]`",
                    );
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        let tests = match t.get("test") {
            Some(v) => match v.get_ref().as_array() {
                Some(items) => items.iter().filter_map(|i| self.parse_test(i)).collect(),
                None => {
                    self.err(
                        v.span(),
                        "`test` must be an array of tables: write `[[rule.test]]`",
                    );
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        if self.diags.len() > before {
            return None;
        }
        let (line, _) = self.map.position(span.start);
        Some((
            Rule {
                id,
                title: title?,
                severity: severity?,
                severity_if,
                category: category?,
                description,
                references,
                matcher: matcher?,
                tests,
                file: self.map.file.to_path_buf(),
                line,
            },
            id_span,
        ))
    }

    /// The `match` table of a rule (`owner` = "rule") or of a `severity_if`.
    fn match_table(&mut self, t: &DeTable<'_>, span: &Range<usize>, owner: &str) -> Option<Node> {
        match t.get("match") {
            Some(v) => match v.get_ref().as_table() {
                Some(mt) => self.parse_node(mt, v.span()),
                None => {
                    self.err(
                        v.span(),
                        format!("`match` must be a table: write `[{}.match]`", header(owner)),
                    );
                    None
                }
            },
            None => {
                self.err(
                    span.clone(),
                    format!(
                        "{owner} has no `[{}.match]` table: add one with conditions",
                        header(owner)
                    ),
                );
                None
            }
        }
    }

    fn severity(&mut self, v: &Value<'_>) -> Option<Severity> {
        self.parsed(v, "`severity`")
    }

    /// A string value read with `T::from_str`; its error message is the diagnostic.
    fn parsed<T: FromStr>(&mut self, v: &Value<'_>, what: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        let s = self.string(v, what)?;
        match T::from_str(&s) {
            Ok(x) => Some(x),
            Err(e) => {
                self.err(v.span(), e.to_string());
                None
            }
        }
    }

    /// One `[[rule.severity_if]]`: `severity`, `reason` and a `[rule.severity_if.match]`.
    fn parse_severity_if(&mut self, item: &Value<'_>) -> Option<SeverityIf> {
        let span = item.span();
        let Some(t) = item.get_ref().as_table() else {
            self.err(
                span,
                "each `severity_if` must be a table: write `[[rule.severity_if]]`",
            );
            return None;
        };
        let before = self.diags.len();
        self.check_keys(t, SEVERITY_IF_KEYS, "a `severity_if`");
        let severity = match t.get("severity") {
            Some(v) => self.severity(v),
            None => {
                self.err(span.clone(), "`severity_if` has no `severity`: add the severity this context gives (info, low, medium, high, critical)");
                None
            }
        };
        let reason = self.required_string(t, "reason", &span);
        let matcher = self.match_table(t, &span, "severity_if");
        if self.diags.len() > before {
            return None;
        }
        let (line, _) = self.map.position(span.start);
        Some(SeverityIf {
            severity: severity?,
            reason: reason?,
            matcher: matcher?,
            line,
        })
    }

    fn parse_node(&mut self, t: &DeTable<'_>, span: Range<usize>) -> Option<Node> {
        self.check_keys(t, NODE_KEYS, "a match table");
        let mut node = Node::default();
        let mut ok = true;
        for (key, value) in t.iter() {
            let k = key.get_ref().as_ref();
            let part = match k {
                "all" => self.node_list(value).map(Part::All),
                "any" => self.node_list(value).map(Part::Any),
                "none" => self.node_list(value).map(Part::None),
                "at_least" => {
                    let n = self.integer(value, "`at_least`");
                    let of = match t.get("of") {
                        Some(of) => self.node_list(of),
                        None => {
                            self.err(key.span(), "`at_least = N` needs `of = [ ... ]` listing the conditions to count");
                            None
                        }
                    };
                    match (n, of) {
                        (Some(n), Some(of)) if n >= 1 && (n as usize) <= of.len() => {
                            Some(Part::AtLeast(n as usize, of))
                        }
                        (Some(n), Some(of)) => {
                            self.err(value.span(), format!("`at_least = {n}` must be between 1 and the {} conditions of `of`", of.len()));
                            None
                        }
                        _ => None,
                    }
                }
                "of" => {
                    if t.get("at_least").is_none() {
                        self.err(key.span(), "`of` is only meaningful with `at_least = N`");
                    }
                    continue;
                }
                "language" => self.language_cond(value).map(Part::Cond),
                "rule" => self.fired_cond(value).map(Part::Cond),
                "text" | "drug" | "price" | "contact" | "payment" | "shipping" | "site"
                | "page" => match value.get_ref().as_table() {
                    Some(ct) => self.parse_condition(k, ct, value.span()).map(Part::Cond),
                    None => {
                        self.err(
                            value.span(),
                            format!("`{k}` must be a table, e.g. `{k} = {{ ... }}`"),
                        );
                        None
                    }
                },
                _ => continue,
            };
            match part {
                Some(p) => node.parts.push(p),
                None => ok = false,
            }
        }
        if ok && node.parts.is_empty() {
            self.err(span, "empty match table: add conditions (`text`, `drug`, …) or `all`/`any`/`none`/`at_least`");
            return None;
        }
        ok.then_some(node)
    }

    fn node_list(&mut self, v: &Value<'_>) -> Option<Vec<Node>> {
        let Some(items) = v.get_ref().as_array() else {
            self.err(
                v.span(),
                "expected a list of conditions: `[ { drug = { ... } }, ... ]`",
            );
            return None;
        };
        if items.is_empty() {
            self.err(v.span(), "empty list of conditions");
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            match item.get_ref().as_table() {
                Some(t) => match self.parse_node(t, item.span()) {
                    Some(n) => out.push(n),
                    None => ok = false,
                },
                None => {
                    self.err(
                        item.span(),
                        format!(
                            "expected a condition table, found {}",
                            item.get_ref().type_str()
                        ),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    fn parse_condition(
        &mut self,
        kind: &str,
        t: &DeTable<'_>,
        span: Range<usize>,
    ) -> Option<Condition> {
        let before = self.diags.len();
        let cond = match kind {
            "text" => self.text_cond(t, &span).map(Condition::Text),
            "drug" => self.drug_cond(t).map(Condition::Drug),
            "price" => self.price_cond(t, &span).map(Condition::Price),
            "contact" => self.contact_cond(t, &span).map(Condition::Contact),
            "payment" => self.payment_cond(t, &span).map(Condition::Payment),
            "shipping" => self.shipping_cond(t, &span).map(Condition::Shipping),
            "page" => self.page_cond(t, &span).map(Condition::Page),
            _ => self.site_cond(t, &span).map(Condition::Site),
        };
        if self.diags.len() > before {
            None
        } else {
            cond
        }
    }

    fn fields(&mut self, t: &DeTable<'_>, default: &[Field]) -> Vec<Field> {
        let Some(v) = t.get("fields") else {
            return default.to_vec();
        };
        let Some(list) = self.string_list(v, "`fields`") else {
            return default.to_vec();
        };
        let mut out = Vec::new();
        for (name, sp) in list {
            match Field::from_str(&name) {
                Ok(f) => out.push(f),
                Err(e) => self.err(sp, e),
            }
        }
        out
    }

    fn text_cond(&mut self, t: &DeTable<'_>, span: &Range<usize>) -> Option<TextCond> {
        self.check_keys(
            t,
            &["any", "words", "fields", "normalize"],
            "a `text` condition",
        );
        let fields = self.fields(t, &[Field::Title, Field::Description]);
        let normalize = match t.get("normalize") {
            Some(v) => self.boolean(v, "`normalize`")?,
            None => true,
        };
        let view = if normalize { View::Normal } else { View::Raw };
        let mut patterns = Vec::new();
        let mut sources = Vec::new();
        if let Some(v) = t.get("any") {
            for (p, sp) in self.string_list(v, "`any`").unwrap_or_default() {
                match self.bank.add(&p, &fields, view) {
                    Ok(id) => {
                        patterns.push(id);
                        sources.push(format!("/{p}/"));
                    }
                    Err(e) => self.err(sp, format!("invalid regex `{p}`: {}", one_line(&e))),
                }
            }
        }
        if let Some(v) = t.get("words") {
            let words = self.string_list(v, "`words`").unwrap_or_default();
            for (w, sp) in words {
                let p = crate::regex_bank::words_pattern(std::slice::from_ref(&w));
                match self.bank.add(&p, &fields, view) {
                    Ok(id) => {
                        patterns.push(id);
                        sources.push(format!("\"{w}\""));
                    }
                    Err(e) => self.err(sp, format!("cannot use word `{w}`: {}", one_line(&e))),
                }
            }
        }
        if t.get("any").is_none() && t.get("words").is_none() {
            self.err(
                span.clone(),
                "a `text` condition needs `any = [regexes]` or `words = [keywords]`",
            );
            return None;
        }
        Some(TextCond {
            patterns,
            sources,
            fields,
            normalize,
        })
    }

    fn drug_cond(&mut self, t: &DeTable<'_>) -> Option<DrugCond> {
        self.check_keys(
            t,
            &[
                "class",
                "schedule",
                "category",
                "id",
                "obfuscated",
                "fields",
            ],
            "a `drug` condition",
        );
        let mut c = DrugCond {
            fields: self.fields(t, &[Field::Title, Field::Description]),
            ..Default::default()
        };
        let lex = self.lexicon;
        if let Some(v) = t.get("class") {
            for (s, sp) in self.string_list(v, "`class`").unwrap_or_default() {
                match DrugClass::from_str(&s) {
                    Ok(cl) => c.classes.push(cl),
                    Err(e) => self.err(sp, e),
                }
            }
        }
        if let Some(v) = t.get("schedule") {
            for (s, sp) in self.string_list(v, "`schedule`").unwrap_or_default() {
                if let Some(l) = lex
                    && !l.schedules().contains(s.as_str())
                {
                    let known: Vec<&str> = l.schedules().into_iter().collect();
                    self.err(
                        sp,
                        format!(
                            "unknown schedule `{s}`: the lexicon uses {}",
                            known.join(", ")
                        ),
                    );
                }
                c.schedules.push(s);
            }
        }
        if let Some(v) = t.get("category") {
            for (s, sp) in self.string_list(v, "`category`").unwrap_or_default() {
                if let Some(l) = lex
                    && !l.categories().contains(s.as_str())
                {
                    let known: Vec<&str> = l.categories().into_iter().collect();
                    let hint = suggestion(&s, &known);
                    self.err(
                        sp,
                        format!(
                            "unknown drug category `{s}`{hint}: the lexicon's categories are {}",
                            known.join(", ")
                        ),
                    );
                }
                c.categories.push(s);
            }
        }
        if let Some(v) = t.get("id") {
            for (s, sp) in self.string_list(v, "`id`").unwrap_or_default() {
                if let Some(l) = lex
                    && l.get(&s).is_none()
                {
                    self.err(
                        sp,
                        format!(
                            "unknown drug id `{s}`: use the lexicon's id (the INN in lower case)"
                        ),
                    );
                }
                c.ids.push(s);
            }
        }
        if let Some(v) = t.get("obfuscated") {
            c.obfuscated = Some(self.boolean(v, "`obfuscated`")?);
        }
        Some(c)
    }

    fn price_cond(&mut self, t: &DeTable<'_>, span: &Range<usize>) -> Option<PriceCond> {
        self.check_keys(
            t,
            &["below_reference_fraction", "min_usd", "max_usd", "per"],
            "a `price` condition",
        );
        let mut c = PriceCond {
            below_reference_fraction: None,
            min_usd: None,
            max_usd: None,
            per: PricePer::Unit,
        };
        if let Some(v) = t.get("below_reference_fraction") {
            let f = self.decimal(v, "`below_reference_fraction`")?;
            if f <= Decimal::ZERO {
                self.err(
                    v.span(),
                    "`below_reference_fraction` must be positive, e.g. 0.25",
                );
            }
            c.below_reference_fraction = Some(f);
        }
        if let Some(v) = t.get("min_usd") {
            c.min_usd = Some(self.decimal(v, "`min_usd`")?);
        }
        if let Some(v) = t.get("max_usd") {
            c.max_usd = Some(self.decimal(v, "`max_usd`")?);
        }
        if let Some(v) = t.get("per") {
            c.per = match self.string(v, "`per`")?.as_str() {
                "unit" => PricePer::Unit,
                "total" => PricePer::Total,
                other => {
                    self.err(
                        v.span(),
                        format!("`per = \"{other}\"`: expected \"unit\" or \"total\""),
                    );
                    return None;
                }
            };
        }
        if c.below_reference_fraction.is_none() && c.min_usd.is_none() && c.max_usd.is_none() {
            self.err(
                span.clone(),
                "a `price` condition needs `below_reference_fraction`, `min_usd` or `max_usd`",
            );
            return None;
        }
        Some(c)
    }

    fn contact_cond(&mut self, t: &DeTable<'_>, span: &Range<usize>) -> Option<ContactCond> {
        self.check_keys(
            t,
            &["only_messaging", "kinds", "empty"],
            "a `contact` condition",
        );
        let before = self.diags.len();
        let mut c = ContactCond::default();
        if let Some(v) = t.get("only_messaging") {
            c.only_messaging = Some(self.boolean(v, "`only_messaging`")?);
        }
        if let Some(v) = t.get("empty") {
            c.empty = Some(self.boolean(v, "`empty`")?);
        }
        if let Some(v) = t.get("kinds") {
            for (s, sp) in self.string_list(v, "`kinds`").unwrap_or_default() {
                match contact_kind(&s) {
                    Some(k) => c.kinds.push(k),
                    None => self.err(
                        sp,
                        format!(
                            "unknown contact kind `{s}`: expected one of {}",
                            CONTACT_KINDS.join(", ")
                        ),
                    ),
                }
            }
        }
        if c.only_messaging.is_none() && c.empty.is_none() && c.kinds.is_empty() {
            // Only kinds that were all unknown: their own errors say it; "needs `kinds`"
            // would be a second, false one.
            if self.diags.len() == before {
                self.err(
                    span.clone(),
                    "a `contact` condition needs `only_messaging`, `kinds` or `empty`",
                );
            }
            return None;
        }
        Some(c)
    }

    fn payment_cond(&mut self, t: &DeTable<'_>, span: &Range<usize>) -> Option<PaymentCond> {
        self.check_keys(t, &["only_crypto", "any", "empty"], "a `payment` condition");
        let mut c = PaymentCond::default();
        if let Some(v) = t.get("only_crypto") {
            c.only_crypto = Some(self.boolean(v, "`only_crypto`")?);
        }
        if let Some(v) = t.get("empty") {
            c.empty = Some(self.boolean(v, "`empty`")?);
        }
        if let Some(v) = t.get("any") {
            c.any = self.lower_list(v, "`any`");
        }
        if c.only_crypto.is_none() && c.empty.is_none() && c.any.is_empty() {
            self.err(
                span.clone(),
                "a `payment` condition needs `only_crypto`, `any` or `empty`",
            );
            return None;
        }
        Some(c)
    }

    fn shipping_cond(&mut self, t: &DeTable<'_>, span: &Range<usize>) -> Option<ShippingCond> {
        self.check_keys(t, &["any", "claims", "shop"], "a `shipping` condition");
        let any = t
            .get("any")
            .map(|v| self.lower_list(v, "`any`"))
            .unwrap_or_default();
        let claims = t
            .get("claims")
            .map(|v| self.lower_list(v, "`claims`"))
            .unwrap_or_default();
        let shop = match t.get("shop") {
            Some(v) => self.boolean(v, "`shop`")?,
            None => false,
        };
        if any.is_empty() && claims.is_empty() {
            self.err(
                span.clone(),
                "a `shipping` condition needs `any = [substrings]` or `claims = [claims]`",
            );
            return None;
        }
        Some(ShippingCond { any, claims, shop })
    }

    fn fired_cond(&mut self, v: &Value<'_>) -> Option<Condition> {
        let ids: Vec<String> = self
            .string_list(v, "`rule`")?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        if ids.is_empty() {
            self.err(v.span(), "`rule = []` names no rule: list rule ids");
            return None;
        }
        let (line, column) = self.map.position(v.span().start);
        Some(Condition::Fired(FiredCond {
            ids,
            indices: Vec::new(),
            file: self.map.file.to_path_buf(),
            line,
            column,
        }))
    }

    fn page_cond(&mut self, t: &DeTable<'_>, span: &Range<usize>) -> Option<PageCond> {
        self.check_keys(
            t,
            &["postal_address", "licence_claim"],
            "a `page` condition",
        );
        let mut c = PageCond::default();
        if let Some(v) = t.get("postal_address") {
            c.postal_address = Some(self.boolean(v, "`postal_address`")?);
        }
        if let Some(v) = t.get("licence_claim") {
            c.licence_claim = Some(self.boolean(v, "`licence_claim`")?);
        }
        if c.postal_address.is_none() && c.licence_claim.is_none() {
            self.err(
                span.clone(),
                "a `page` condition needs `postal_address` and/or `licence_claim`",
            );
            return None;
        }
        Some(c)
    }

    fn site_cond(&mut self, t: &DeTable<'_>, span: &Range<usize>) -> Option<SiteCond> {
        self.check_keys(t, &["kind", "host", "tld"], "a `site` condition");
        let before = self.diags.len();
        let mut c = SiteCond::default();
        if let Some(v) = t.get("kind") {
            for (s, sp) in self.string_list(v, "`kind`").unwrap_or_default() {
                match SiteKind::from_str(&s) {
                    Ok(k) => c.kinds.push(k),
                    Err(e) => self.err(sp, e.to_string()),
                }
            }
        }
        if let Some(v) = t.get("host") {
            c.hosts = self.lower_list(v, "`host`");
        }
        if let Some(v) = t.get("tld") {
            c.tlds = self
                .lower_list(v, "`tld`")
                .into_iter()
                .map(|s| s.trim_start_matches('.').to_string())
                .collect();
        }
        if c.kinds.is_empty() && c.hosts.is_empty() && c.tlds.is_empty() {
            // `kind = ["shop"]`: the unknown kind's error names the valid ones; "needs
            // `kind`" would be a second, false error.
            if self.diags.len() == before {
                self.err(
                    span.clone(),
                    "a `site` condition needs `kind`, `host` or `tld`",
                );
            }
            return None;
        }
        Some(c)
    }

    fn language_cond(&mut self, v: &Value<'_>) -> Option<Condition> {
        let list = self.string_list(v, "`language`")?;
        let mut out = Vec::new();
        for (code, sp) in list {
            let code = code.trim().to_lowercase();
            if crate::engine::LANGUAGE_SCRIPTS
                .iter()
                .any(|(c, _)| *c == code)
            {
                out.push(code);
            } else {
                let known: Vec<&str> = crate::engine::LANGUAGE_SCRIPTS
                    .iter()
                    .map(|(c, _)| *c)
                    .collect();
                self.err(
                    sp,
                    format!(
                        "unsupported language `{code}`: expected one of {}",
                        known.join(", ")
                    ),
                );
            }
        }
        (!out.is_empty()).then_some(Condition::Language(out))
    }

    fn parse_test(&mut self, item: &Value<'_>) -> Option<TestCase> {
        let span = item.span();
        let Some(t) = item.get_ref().as_table() else {
            self.err(span, "each `test` must be a table: write `[[rule.test]]`");
            return None;
        };
        let before = self.diags.len();
        for (key, _) in t.iter() {
            if !TEST_KEYS.contains(&key.get_ref().as_ref()) {
                let msg = format!(
                    "unknown test field `{}`{}: a test listing has {}",
                    key.get_ref(),
                    suggestion(key.get_ref(), TEST_KEYS),
                    TEST_KEYS.join(", ")
                );
                self.err(key.span(), msg);
            }
        }
        let opt_str = |p: &mut Self, k: &str| t.get(k).and_then(|v| p.string(v, &format!("`{k}`")));
        let title = opt_str(self, "title").unwrap_or_default();
        let description = opt_str(self, "description").unwrap_or_default();
        let seller = opt_str(self, "seller");
        let url = opt_str(self, "url");
        let language = opt_str(self, "language");
        let price = t.get("price").and_then(|v| self.decimal(v, "`price`"));
        let currency = match t.get("currency") {
            Some(v) => {
                let c = self.string(v, "`currency`")?;
                if pharmwatch_model::Currency::from_str(&c).is_err() {
                    self.err(
                        v.span(),
                        format!("`{c}` is not an ISO 4217 currency code (USD, EUR, CNY, …)"),
                    );
                }
                Some(c)
            }
            None => None,
        };
        let quantity = t
            .get("quantity")
            .and_then(|v| self.integer(v, "`quantity`"))
            .and_then(|q| u32::try_from(q).ok());
        let site_kind = t
            .get("site_kind")
            .and_then(|v| self.parsed::<SiteKind>(v, "`site_kind`"));
        let contacts = t
            .get("contacts")
            .and_then(|v| self.string_list(v, "`contacts`"))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let list = |p: &mut Self, k: &str| -> Vec<String> {
            t.get(k)
                .and_then(|v| p.string_list(v, &format!("`{k}`")))
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect()
        };
        let payment = list(self, "payment");
        let shipping = list(self, "shipping");
        let shop_shipping = list(self, "shop_shipping");
        let reviews = list(self, "reviews");
        let flag = |p: &mut Self, k: &str| {
            t.get(k)
                .and_then(|v| p.boolean(v, &format!("`{k}`")))
                .unwrap_or(false)
        };
        let postal_address = flag(self, "postal_address");
        let licence_claim = flag(self, "licence_claim");
        let per_unit = match t.get("price_basis") {
            Some(v) => match self.string(v, "`price_basis`").as_deref() {
                Some("unit") => true,
                Some("offer") => false,
                Some(other) => {
                    self.err(
                        v.span(),
                        format!("`price_basis = \"{other}\"`: write \"unit\" (price of one tablet, pen, …) or \"offer\" (the pack's price)"),
                    );
                    false
                }
                None => false,
            },
            None => false,
        };
        let severity = t.get("severity").and_then(|v| self.severity(v));
        let expect = match t.get("expect") {
            Some(v) => self.boolean(v, "`expect`"),
            None => {
                self.err(span.clone(), "test has no `expect`: add `expect = true` (rule must fire) or `expect = false`");
                None
            }
        };
        if self.diags.len() > before {
            return None;
        }
        let (line, _) = self.map.position(span.start);
        Some(TestCase {
            title,
            description,
            seller,
            url,
            price,
            currency,
            quantity,
            site_kind,
            contacts,
            payment,
            shipping,
            shop_shipping,
            reviews,
            postal_address,
            licence_claim,
            per_unit,
            language,
            expect: expect?,
            severity,
            line,
        })
    }

    // ---- value helpers ----

    fn check_keys(&mut self, t: &DeTable<'_>, allowed: &[&str], what: &str) {
        for (key, _) in t.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                let msg = unknown_key_msg(key.get_ref(), what, allowed);
                self.err(key.span(), msg);
            }
        }
    }

    fn required_string(
        &mut self,
        t: &DeTable<'_>,
        key: &str,
        span: &Range<usize>,
    ) -> Option<String> {
        match t.get(key) {
            Some(v) => self.string(v, &format!("`{key}`")),
            None => {
                self.err(
                    span.clone(),
                    format!("rule has no `{key}`: add `{key} = \"...\"`"),
                );
                None
            }
        }
    }

    fn string(&mut self, v: &Value<'_>, what: &str) -> Option<String> {
        match v.get_ref().as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.err(
                    v.span(),
                    format!("{what} must be a string, found {}", v.get_ref().type_str()),
                );
                None
            }
        }
    }

    fn boolean(&mut self, v: &Value<'_>, what: &str) -> Option<bool> {
        match v.get_ref().as_bool() {
            Some(b) => Some(b),
            None => {
                self.err(
                    v.span(),
                    format!(
                        "{what} must be true or false, found {}",
                        v.get_ref().type_str()
                    ),
                );
                None
            }
        }
    }

    fn integer(&mut self, v: &Value<'_>, what: &str) -> Option<i64> {
        let parsed = v.get_ref().as_integer().and_then(|i| {
            let digits = i.as_str().replace('_', "");
            i64::from_str_radix(
                digits
                    .trim_start_matches("0x")
                    .trim_start_matches("0o")
                    .trim_start_matches("0b"),
                i.radix(),
            )
            .ok()
        });
        if parsed.is_none() {
            self.err(
                v.span(),
                format!(
                    "{what} must be an integer, found {}",
                    v.get_ref().type_str()
                ),
            );
        }
        parsed
    }

    fn decimal(&mut self, v: &Value<'_>, what: &str) -> Option<Decimal> {
        let text = match v.get_ref() {
            DeValue::Integer(i) => Some(i.as_str().replace('_', "")),
            DeValue::Float(f) => Some(f.as_str().replace('_', "")),
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        };
        let d = text.and_then(|t| {
            Decimal::from_str(t.trim())
                .or_else(|_| Decimal::from_scientific(t.trim()))
                .ok()
        });
        if d.is_none() {
            self.err(
                v.span(),
                format!(
                    "{what} must be a number such as 12.99, found {}",
                    v.get_ref().type_str()
                ),
            );
        }
        d
    }

    /// A string or a list of strings, each with its span.
    fn string_list(&mut self, v: &Value<'_>, what: &str) -> Option<Vec<(String, Range<usize>)>> {
        if let Some(s) = v.get_ref().as_str() {
            return Some(vec![(s.to_string(), v.span())]);
        }
        let Some(items) = v.get_ref().as_array() else {
            self.err(
                v.span(),
                format!(
                    "{what} must be a string or a list of strings, found {}",
                    v.get_ref().type_str()
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push((s.to_string(), item.span())),
                None => self.err(
                    item.span(),
                    format!(
                        "{what} must list strings, found {}",
                        item.get_ref().type_str()
                    ),
                ),
            }
        }
        Some(out)
    }

    fn lower_list(&mut self, v: &Value<'_>, what: &str) -> Vec<String> {
        self.string_list(v, what)
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s.trim().to_lowercase())
            .collect()
    }
}

const CONTACT_KINDS: &[&str] = &[
    "email",
    "phone",
    "whatsapp",
    "telegram",
    "wechat",
    "signal",
    "wickr",
    "bitcoin_wallet",
    "ethereum_wallet",
    "tron_wallet",
    "other",
];

/// Parses a contact kind name (`telegram`, `bitcoin_wallet`, also `weixin`/`微信`).
pub(crate) fn contact_kind(s: &str) -> Option<ContactKind> {
    Some(
        match s.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
            "email" | "e_mail" | "mail" => ContactKind::Email,
            "phone" | "tel" | "telephone" => ContactKind::Phone,
            "whatsapp" => ContactKind::Whatsapp,
            "telegram" => ContactKind::Telegram,
            "wechat" | "weixin" | "微信" => ContactKind::Wechat,
            "signal" => ContactKind::Signal,
            "wickr" => ContactKind::Wickr,
            "bitcoin_wallet" | "bitcoin" | "btc" => ContactKind::BitcoinWallet,
            "ethereum_wallet" | "ethereum" | "eth" => ContactKind::EthereumWallet,
            "tron_wallet" | "tron" => ContactKind::TronWallet,
            "other" => ContactKind::Other,
            _ => return None,
        },
    )
}

/// The TOML header of a table: `rule` → `rule`, `severity_if` → `rule.severity_if`.
fn header(owner: &str) -> String {
    if owner == "rule" {
        owner.to_string()
    } else {
        format!("rule.{owner}")
    }
}

fn unknown_key_msg(key: &str, what: &str, allowed: &[&str]) -> String {
    format!(
        "unknown key `{key}` in {what}{}: expected one of {}",
        suggestion(key, allowed),
        allowed.join(", ")
    )
}

/// ` (did you mean `x`?)` when a known name is one or two edits away.
fn suggestion(got: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|k| (edit_distance(got, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Error texts from toml and regex span several lines (with carets); diagnostics are one line.
fn one_line(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines
        .iter()
        .rev()
        .find(|l| l.starts_with("error:"))
        .map(|l| l.trim_start_matches("error:").trim().to_string())
        .unwrap_or_else(|| lines.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(
            suggestion("severty", RULE_KEYS),
            " (did you mean `severity`?)"
        );
        assert_eq!(suggestion("zzzzzz", RULE_KEYS), "");
    }

    #[test]
    fn regex_errors_fit_on_one_line() {
        let broken = String::from("(unclosed");
        let e = regex::Regex::new(&broken).unwrap_err().to_string();
        assert_eq!(one_line(&e), "unclosed group");
    }
}
