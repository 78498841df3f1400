//! Evaluating rules on one listing: normalise the fields once, find the lexicon's names once,
//! run each field's regex set once, then walk every rule's match tree over those results.

use std::borrow::Cow;
use std::ops::Range;

use pharmwatch_model::{ContactKind, DrugMatch, Evidence, Field, Listing, RuleHit, Verdict};
use rust_decimal::Decimal;

use crate::RuleSet;
use crate::explain::{NodeExplanation, RuleExplanation, SeverityExplanation};
use crate::lexicon::NameHit;
use crate::normalize::Normalized;
use crate::regex_bank::{SLOTS, View, field_index, slot};
use crate::rule::{
    Condition, ContactCond, DrugCond, FiredCond, Node, PageCond, Part, PaymentCond, PriceCond,
    PricePer, Rule, SeverityIf, ShippingCond, SiteCond, TextCond,
};

/// Most evidence spans kept per pattern and field, so a page repeating a word 500 times
/// does not bloat the index.
const MAX_SPANS_PER_PATTERN: usize = 5;

/// One field's text and its views.
struct FieldText<'a> {
    original: Cow<'a, str>,
    normal: Normalized,
    deep: Option<Normalized>,
}

/// A lexicon name found in a field.
#[derive(Debug, Clone)]
pub(crate) struct DrugHit {
    pub field: Field,
    pub hit: NameHit,
}

/// Everything computed once per listing, shared by all rules.
pub(crate) struct ListingCtx<'a> {
    set: &'a RuleSet,
    listing: &'a Listing,
    fields: Vec<Option<FieldText<'a>>>,
    /// Bit `slot * patterns + id`: pattern `id` matched on that field and view.
    matched: Vec<u64>,
    pub drugs: Vec<DrugHit>,
    /// Scripts seen in title and description (bits of [`LANGUAGE_SCRIPTS`]), computed once.
    scripts: std::cell::OnceCell<u32>,
    /// Normal views of the shipping claims and whether only crypto pays, computed once.
    shipping_views: std::cell::OnceCell<Vec<String>>,
    shop_shipping_views: std::cell::OnceCell<Vec<String>>,
    /// Per payment method: whether it names a crypto-currency, and whether anything else
    /// that pays; read once per listing.
    payment_kinds: std::cell::OnceCell<Vec<PaymentKind>>,
    /// Per rule (load order), whether its match holds, once asked: rules name each other in
    /// `rule = [...]` contexts, and a hit's severity must not walk those rules again.
    rule_fired: Vec<std::cell::OnceCell<bool>>,
    /// Whether conditions write their detail lines (`rules explain`); a verdict needs only
    /// the evidence, and formatting details for every hit costs more than finding it.
    details: bool,
}

impl<'a> ListingCtx<'a> {
    pub fn new(set: &'a RuleSet, listing: &'a Listing) -> Self {
        let plan = &set.plan;
        let mut fields: Vec<Option<FieldText<'a>>> = Vec::with_capacity(Field::ALL.len());
        for (i, f) in Field::ALL.iter().enumerate() {
            if !plan.normal[i] && !plan.drug[i] && !plan.raw[i] {
                fields.push(None);
                continue;
            }
            let original = listing.text(*f);
            let normal = Normalized::new(&original);
            // The de-obfuscated view is built only when it could differ in a way that matters.
            let deep = (plan.drug[i] && crate::normalize::needs_deobfuscation(&original, &normal))
                .then(|| normal.deobfuscated_view());
            fields.push(Some(FieldText {
                original,
                normal,
                deep,
            }));
        }
        let n = set.bank.len();
        let mut matched = vec![0u64; (SLOTS * n).div_ceil(64)];
        for (i, f) in Field::ALL.iter().enumerate() {
            let Some(ft) = &fields[i] else { continue };
            for (view, text) in [
                (View::Normal, ft.normal.text.as_str()),
                (View::Raw, &*ft.original),
            ] {
                let s = slot(*f, view);
                if set.bank.has_slot(s) && !text.is_empty() {
                    set.bank.scan(s, text, |id| {
                        let bit = s * n + id;
                        matched[bit / 64] |= 1 << (bit % 64);
                    });
                }
            }
        }
        let mut ctx = ListingCtx {
            set,
            listing,
            fields,
            matched,
            drugs: Vec::new(),
            scripts: std::cell::OnceCell::new(),
            shipping_views: std::cell::OnceCell::new(),
            shop_shipping_views: std::cell::OnceCell::new(),
            payment_kinds: std::cell::OnceCell::new(),
            rule_fired: vec![std::cell::OnceCell::new(); set.rules().len()],
            details: false,
        };
        ctx.find_drugs();
        ctx
    }

    /// The same, writing every condition's detail line, for `rules explain` and rule tests.
    pub fn with_details(mut self) -> Self {
        self.details = true;
        self
    }

    fn find_drugs(&mut self) {
        let lex = &self.set.lexicon;
        let mut hits = Vec::new();
        for (i, f) in Field::ALL.iter().enumerate() {
            if !self.set.plan.drug[i] {
                continue;
            }
            let Some(ft) = &self.fields[i] else { continue };
            for hit in lex.find(&ft.normal, ft.deep.as_ref(), &ft.original) {
                hits.push(DrugHit { field: *f, hit });
            }
        }
        let any_plain_name = hits.iter().any(|h| !h.hit.context_required);
        hits.retain(|h| {
            if !h.hit.context_required || any_plain_name {
                return true;
            }
            let ft = self.fields[field_index(h.field)].as_ref();
            ft.is_some_and(|ft| lex.has_context(&ft.original, &h.hit.range))
        });
        let fields = &self.fields;
        keep_what_the_title_offers(&mut hits, |h| {
            let ft = fields[field_index(h.field)].as_ref();
            ft.is_some_and(|ft| self.set.aside.offered(&ft.original, &h.hit.range))
        });
        self.drugs = hits;
    }

    fn original(&self, field: Field) -> &str {
        self.fields[field_index(field)]
            .as_ref()
            .map_or("", |f| &f.original)
    }

    fn evidence(&self, field: Field, range: Range<usize>, matched: String) -> Evidence {
        let text = self
            .original(field)
            .get(range.clone())
            .unwrap_or("")
            .to_string();
        Evidence {
            field,
            start: range.start,
            end: range.end,
            text,
            matched,
        }
    }

    /// The drugs found, for the verdict.
    pub fn drug_matches(&self) -> Vec<DrugMatch> {
        let lex = &self.set.lexicon;
        self.drugs
            .iter()
            .map(|h| {
                let d = lex.drug(h.hit.drug);
                DrugMatch {
                    drug: d.id.clone(),
                    class: d.class.as_str().to_string(),
                    category: d.category.clone(),
                    field: h.field,
                    start: h.hit.range.start,
                    end: h.hit.range.end,
                    text: self
                        .original(h.field)
                        .get(h.hit.range.clone())
                        .unwrap_or("")
                        .to_string(),
                }
            })
            .collect()
    }

    // ---- fast boolean evaluation ----

    pub fn holds(&self, node: &Node) -> bool {
        node.parts.iter().all(|p| self.part_holds(p))
    }

    /// Whether rule `index` (load order) fires, evaluated at most once per listing.
    pub fn rule_fires(&self, index: usize) -> bool {
        *self.rule_fired[index].get_or_init(|| self.holds(&self.set.rules()[index].matcher))
    }

    fn part_holds(&self, part: &Part) -> bool {
        match part {
            Part::All(ns) => ns.iter().all(|n| self.holds(n)),
            Part::Any(ns) => ns.iter().any(|n| self.holds(n)),
            Part::None(ns) => !ns.iter().any(|n| self.holds(n)),
            Part::AtLeast(k, ns) => ns.iter().filter(|n| self.holds(n)).count() >= *k,
            Part::Cond(c) => self.check(c, None).0,
        }
    }

    // ---- explanation with evidence ----

    pub fn explain_rule(&self, rule: &Rule) -> RuleExplanation {
        let root = self.explain_node(&rule.matcher);
        let context: Vec<SeverityExplanation> = rule
            .severity_if
            .iter()
            .map(|c| SeverityExplanation {
                severity: c.severity,
                reason: c.reason.clone(),
                root: self.explain_node(&c.matcher),
            })
            .collect();
        let chosen = context.iter().find(|c| c.root.held);
        RuleExplanation {
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            severity: chosen.map_or(rule.severity, |c| c.severity),
            base_severity: rule.severity,
            severity_reason: chosen.map(|c| c.reason.clone()),
            fired: root.held,
            root,
            severity_if: context,
        }
    }

    /// The first `severity_if` of `rule` whose context holds: it sets the hit's severity.
    pub fn severity_context<'r>(&self, rule: &'r Rule) -> Option<&'r SeverityIf> {
        rule.severity_if.iter().find(|c| self.holds(&c.matcher))
    }

    pub fn rule_hit(&self, rule: &Rule) -> RuleHit {
        let mut evidence = Vec::new();
        self.collect_node(&rule.matcher, &mut evidence);
        evidence.sort_by_key(|e| (e.field, e.start, e.end));
        evidence.dedup_by(|a, b| a.field == b.field && a.start == b.start && a.end == b.end);
        let severity = self
            .severity_context(rule)
            .map_or(rule.severity, |c| c.severity);
        RuleHit {
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            severity,
            category: rule.category.clone(),
            evidence,
        }
    }

    /// Whether `node` holds; if it does, the evidence of the parts that made it hold is
    /// appended to `out` (nothing from `none` parts or from children that did not hold).
    fn collect_node(&self, node: &Node, out: &mut Vec<Evidence>) -> bool {
        let mark = out.len();
        for p in &node.parts {
            if !self.collect_part(p, out) {
                out.truncate(mark);
                return false;
            }
        }
        true
    }

    fn collect_part(&self, part: &Part, out: &mut Vec<Evidence>) -> bool {
        let mark = out.len();
        let held = match part {
            Part::All(ns) => ns.iter().all(|n| self.collect_node(n, out)),
            Part::Any(ns) => {
                // Every child is visited: each one that holds adds its evidence.
                let mut any = false;
                for n in ns {
                    any |= self.collect_node(n, out);
                }
                any
            }
            Part::None(ns) => !ns.iter().any(|n| self.holds(n)),
            Part::AtLeast(k, ns) => ns.iter().filter(|n| self.collect_node(n, out)).count() >= *k,
            Part::Cond(c) => self.check(c, Some(out)).0,
        };
        if !held {
            out.truncate(mark);
        }
        held
    }

    fn explain_node(&self, node: &Node) -> NodeExplanation {
        let mut parts: Vec<NodeExplanation> =
            node.parts.iter().map(|p| self.explain_part(p)).collect();
        if parts.len() == 1 {
            return parts.remove(0);
        }
        NodeExplanation {
            label: "all of".into(),
            held: parts.iter().all(|p| p.held),
            evidence: Vec::new(),
            detail: None,
            children: parts,
        }
    }

    fn explain_part(&self, part: &Part) -> NodeExplanation {
        let group = |label: String, children: Vec<NodeExplanation>, held: bool| NodeExplanation {
            label,
            held,
            evidence: Vec::new(),
            detail: None,
            children,
        };
        let kids = |ns: &[Node]| -> Vec<NodeExplanation> {
            ns.iter().map(|n| self.explain_node(n)).collect()
        };
        match part {
            Part::All(ns) => {
                let c = kids(ns);
                let held = c.iter().all(|x| x.held);
                group("all".into(), c, held)
            }
            Part::Any(ns) => {
                let c = kids(ns);
                let held = c.iter().any(|x| x.held);
                group("any".into(), c, held)
            }
            Part::None(ns) => {
                let c = kids(ns);
                let held = !c.iter().any(|x| x.held);
                group("none".into(), c, held)
            }
            Part::AtLeast(k, ns) => {
                let c = kids(ns);
                let n = c.iter().filter(|x| x.held).count();
                group(format!("at least {k} of ({n} held)"), c, n >= *k)
            }
            Part::Cond(cond) => {
                let mut ev = Vec::new();
                let (held, detail) = self.check(cond, Some(&mut ev));
                NodeExplanation {
                    label: describe(cond, self.set),
                    held,
                    evidence: ev,
                    detail,
                    children: Vec::new(),
                }
            }
        }
    }

    // ---- conditions ----

    /// Whether the condition holds; with `ev`, also where (and a detail line when useful).
    fn check(&self, c: &Condition, ev: Option<&mut Vec<Evidence>>) -> (bool, Option<String>) {
        let explaining = ev.is_some();
        let (held, detail) = self.check_inner(c, ev);
        // Details are for people; the boolean pass skips formatting them.
        (held, detail.filter(|_| explaining))
    }

    fn check_inner(&self, c: &Condition, ev: Option<&mut Vec<Evidence>>) -> (bool, Option<String>) {
        match c {
            Condition::Text(t) => (self.text(t, ev), None),
            Condition::Drug(d) => (self.drug(d, ev), None),
            Condition::Price(p) => self.price(p, ev),
            Condition::Contact(k) => self.contact(k, ev),
            Condition::Payment(p) => self.payment(p, ev),
            Condition::Shipping(s) => (self.shipping(s, ev), None),
            Condition::Site(s) => self.site(s, ev),
            Condition::Page(p) => self.page(p),
            Condition::Fired(f) => self.fired(f, ev.is_some() && self.details),
            Condition::Language(codes) => self.language(codes),
        }
    }

    fn text(&self, t: &TextCond, ev: Option<&mut Vec<Evidence>>) -> bool {
        let view = if t.normalize { View::Normal } else { View::Raw };
        let n = self.set.bank.len();
        let is_hit = |f: Field, id: usize| {
            let bit = slot(f, view) * n + id;
            self.matched[bit / 64] & (1 << (bit % 64)) != 0
        };
        let held = t
            .fields
            .iter()
            .any(|f| t.patterns.iter().any(|&id| is_hit(*f, id)));
        let Some(ev) = ev else { return held };
        for f in &t.fields {
            let Some(ft) = &self.fields[field_index(*f)] else {
                continue;
            };
            for (k, &id) in t.patterns.iter().enumerate() {
                if !is_hit(*f, id) {
                    continue;
                }
                let re = self.set.bank.regex(id);
                let hay: &str = if t.normalize {
                    &ft.normal.text
                } else {
                    &ft.original
                };
                for m in re.find_iter(hay).take(MAX_SPANS_PER_PATTERN) {
                    let range = if t.normalize {
                        ft.normal.to_original(m.range())
                    } else {
                        m.range()
                    };
                    ev.push(self.evidence(*f, range, format!("text {}", t.sources[k])));
                }
            }
        }
        held
    }

    fn drug_selected(&self, d: &DrugCond, h: &DrugHit) -> bool {
        let drug = self.set.lexicon.drug(h.hit.drug);
        d.fields.contains(&h.field)
            && (d.classes.is_empty() || d.classes.contains(&drug.class))
            && (d.categories.is_empty() || d.categories.contains(&drug.category))
            && (d.schedules.is_empty()
                || drug
                    .schedule
                    .as_ref()
                    .is_some_and(|s| d.schedules.contains(s)))
            && (d.ids.is_empty() || d.ids.contains(&drug.id))
            && d.obfuscated.is_none_or(|o| o == h.hit.obfuscated)
    }

    fn drug(&self, d: &DrugCond, ev: Option<&mut Vec<Evidence>>) -> bool {
        let Some(ev) = ev else {
            return self.drugs.iter().any(|h| self.drug_selected(d, h));
        };
        let mut held = false;
        let mut shown: Vec<(usize, Field, usize)> = Vec::new();
        for h in self.drugs.iter().filter(|h| self.drug_selected(d, h)) {
            held = true;
            // A few spans per drug and field are enough to show why; pages repeat names.
            match shown
                .iter_mut()
                .find(|(i, f, _)| *i == h.hit.drug && *f == h.field)
            {
                Some((_, _, n)) if *n >= MAX_SPANS_PER_PATTERN => continue,
                Some((_, _, n)) => *n += 1,
                None => shown.push((h.hit.drug, h.field, 1)),
            }
            let label = self
                .set
                .lexicon
                .evidence_label(h.hit.drug, h.hit.obfuscated);
            ev.push(self.evidence(h.field, h.hit.range.clone(), label.to_string()));
        }
        held
    }

    /// The drug whose reference price a listing's price is compared with: the first named in
    /// the title, else (when the title names none) the first named in the description. The
    /// price is the title's offer's, never that of a medicine the description offers besides.
    fn priced_drug(&self) -> Option<&DrugHit> {
        let lex = &self.set.lexicon;
        let has_price = |h: &&DrugHit| lex.drug(h.hit.drug).reference_price.is_some();
        let mut in_title = self
            .drugs
            .iter()
            .filter(|h| h.field == Field::Title)
            .peekable();
        if in_title.peek().is_some() {
            return in_title.find(has_price);
        }
        self.drugs
            .iter()
            .filter(|h| h.field == Field::Description)
            .find(has_price)
    }

    fn price(&self, p: &PriceCond, ev: Option<&mut Vec<Evidence>>) -> (bool, Option<String>) {
        let rates = &self.set.rates;
        let Some(price) = self.listing.price else {
            return (
                false,
                self.details.then(|| "no price on the listing".into()),
            );
        };
        // The offer's total; for a per-unit price with no unit count, the printed unit price
        // (a lower bound of the total).
        let total = self.listing.offer_price().unwrap_or(price);
        let Some(total_usd) = rates.to_usd(&total) else {
            return (
                false,
                self.details
                    .then(|| format!("no rate for {} in currency_rates.csv", price.currency)),
            );
        };
        // The listing knows whether its price is per unit ("$1.04/pill") or the offer's;
        // without a unit count an offer's total is an upper bound of the unit price, which
        // is still enough to call a price implausibly low.
        let unit = self.listing.unit_price();
        let unit_usd = match unit {
            Some(u) => rates.to_usd(&u).unwrap_or(total_usd),
            None => total_usd,
        };
        let per_unit_note = if unit.is_some() {
            "unit price"
        } else {
            "price (unit count unknown)"
        };
        let explaining = ev.is_some();
        let mut notes = Vec::new();
        let mut held = true;
        let mut evidence = Vec::new();
        if let Some(frac) = p.below_reference_fraction {
            let reference = self.priced_drug().and_then(|h| {
                let d = self.set.lexicon.drug(h.hit.drug);
                let r = d.reference_price?;
                Some((h, d, rates.to_usd(&r)?))
            });
            match reference {
                Some((h, d, ref_usd)) if !ref_usd.is_zero() => {
                    let ratio = unit_usd / ref_usd;
                    let ok = ratio < frac;
                    held &= ok;
                    if !explaining {
                        return (held, None);
                    }
                    let note = format!(
                        "{per_unit_note} {} USD is {}% of the reference {} USD per {} of {} (threshold {}%)",
                        round2(unit_usd),
                        round2(ratio * Decimal::from(100)),
                        round2(ref_usd),
                        d.unit,
                        d.id,
                        round2(frac * Decimal::from(100))
                    );
                    if ok {
                        evidence.push(self.evidence(h.field, h.hit.range.clone(), note.clone()));
                    }
                    notes.push(note);
                }
                _ => {
                    held = false;
                    notes.push("no drug with a reference price named".into());
                }
            }
        }
        let value = match p.per {
            PricePer::Unit => unit_usd,
            PricePer::Total => total_usd,
        };
        if let Some(min) = p.min_usd {
            held &= value >= min;
            if explaining {
                notes.push(format!("{} USD ≥ {min}?", round2(value)));
            }
        }
        if let Some(max) = p.max_usd {
            held &= value <= max;
            if explaining {
                notes.push(format!("{} USD ≤ {max}?", round2(value)));
            }
        }
        if !explaining {
            return (held, None);
        }
        if let Some(ev) = ev
            && held
        {
            ev.extend(evidence);
        }
        (
            held,
            self.details
                .then(|| format!("{} ({price}): {}", per_unit_note, notes.join("; "))),
        )
    }

    fn contact(&self, c: &ContactCond, ev: Option<&mut Vec<Evidence>>) -> (bool, Option<String>) {
        let contacts = &self.listing.contacts;
        let explaining = ev.is_some();
        let mut held = true;
        if let Some(want) = c.empty {
            held &= contacts.is_empty() == want;
        }
        if let Some(want) = c.only_messaging {
            let messaging = contacts.iter().any(|k| k.kind.is_messaging());
            let direct = contacts
                .iter()
                .any(|k| matches!(k.kind, ContactKind::Email | ContactKind::Phone));
            held &= (messaging && !direct) == want;
        }
        if !c.kinds.is_empty() {
            held &= contacts.iter().any(|k| c.kinds.contains(&k.kind));
        }
        if let Some(ev) = ev
            && held
        {
            let mut at = 0;
            for k in contacts {
                let end = at + k.value.len();
                let relevant = if c.kinds.is_empty() {
                    k.kind.is_messaging()
                } else {
                    c.kinds.contains(&k.kind)
                };
                if relevant {
                    ev.push(self.joined_evidence(
                        Field::Contacts,
                        at..end,
                        format!("contact {:?}", k.kind),
                    ));
                }
                at = end + 1;
            }
        }
        if !explaining || !self.details {
            return (held, None);
        }
        let kinds: Vec<String> = contacts
            .iter()
            .map(|k| format!("{:?}", k.kind).to_lowercase())
            .collect();
        (held, Some(format!("contacts: [{}]", kinds.join(", "))))
    }

    /// Evidence in a field that `Listing::text` builds by joining a list.
    fn joined_evidence(&self, field: Field, range: Range<usize>, matched: String) -> Evidence {
        // The field's text when the rules already needed it, else joined again.
        let text = match &self.fields[field_index(field)] {
            Some(ft) => Cow::Borrowed(&*ft.original),
            None => self.listing.text(field),
        };
        Evidence {
            field,
            start: range.start,
            end: range.end,
            text: text.get(range).unwrap_or("").to_string(),
            matched,
        }
    }

    fn payment_kinds(&self) -> &[PaymentKind] {
        self.payment_kinds.get_or_init(|| {
            self.listing
                .payment_methods
                .iter()
                .map(|m| PaymentKind::of(m))
                .collect()
        })
    }

    fn payment(&self, p: &PaymentCond, ev: Option<&mut Vec<Evidence>>) -> (bool, Option<String>) {
        let methods = &self.listing.payment_methods;
        let explaining = ev.is_some();
        let mut held = true;
        if let Some(want) = p.empty {
            held &= methods.is_empty() == want;
        }
        if let Some(want) = p.only_crypto {
            held &= PaymentKind::only_crypto(self.payment_kinds()) == want;
        }
        if !p.any.is_empty() {
            held &= methods.iter().any(|m| {
                let m = m.to_lowercase();
                p.any.iter().any(|a| m.contains(a.as_str()))
            });
        }
        if let Some(ev) = ev
            && held
        {
            let mut at = 0;
            for (m, kind) in methods.iter().zip(self.payment_kinds()) {
                let end = at + m.len();
                let relevant = if p.any.is_empty() {
                    kind.crypto
                } else {
                    let lower = m.to_lowercase();
                    p.any.iter().any(|a| lower.contains(a.as_str()))
                };
                if relevant {
                    ev.push(self.joined_evidence(Field::Payment, at..end, "payment method".into()));
                }
                at = end + 1;
            }
        }
        (
            held,
            (explaining && self.details).then(|| format!("payment methods: {methods:?}")),
        )
    }

    fn shipping(&self, s: &ShippingCond, mut ev: Option<&mut Vec<Evidence>>) -> bool {
        let matches = |n: &String| {
            let n = n.trim();
            s.claims.iter().any(|c| c == n) || s.any.iter().any(|a| n.contains(a.as_str()))
        };
        let listing = (
            Field::Shipping,
            &self.listing.shipping_claims,
            &self.shipping_views,
        );
        let shop = (
            Field::ShopShipping,
            &self.listing.shop.shipping_claims,
            &self.shop_shipping_views,
        );
        let sources = if s.shop {
            &[listing, shop][..]
        } else {
            &[listing][..]
        };
        let mut held = false;
        for (field, claims, cache) in sources {
            let views =
                cache.get_or_init(|| claims.iter().map(|c| Normalized::new(c).text).collect());
            let here = views.iter().any(matches);
            held |= here;
            let Some(ev) = ev.as_deref_mut() else {
                if held {
                    return true;
                }
                continue;
            };
            let mut at = 0;
            for (c, n) in claims.iter().zip(views) {
                let end = at + c.len();
                if matches(n) {
                    ev.push(self.joined_evidence(*field, at..end, "shipping claim".into()));
                }
                at = end + 1;
            }
        }
        held
    }

    fn site(&self, s: &SiteCond, ev: Option<&mut Vec<Evidence>>) -> (bool, Option<String>) {
        let l = self.listing;
        let explaining = ev.is_some();
        let host = if l.domain.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(l.domain.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(l.domain.as_str())
        };
        let mut held = true;
        if !s.kinds.is_empty() {
            held &= s.kinds.contains(&l.site_kind);
        }
        if !s.hosts.is_empty() {
            held &= s.hosts.iter().any(|g| glob_match(g, &host));
        }
        if !s.tlds.is_empty() {
            let tld = host.rsplit('.').next().unwrap_or("");
            held &= s.tlds.iter().any(|t| t == tld);
        }
        if let Some(ev) = ev
            && held
        {
            let range = l
                .url
                .to_lowercase()
                .find(&*host)
                .filter(|_| !host.is_empty())
                .map_or(0..0, |i| i..i + host.len());
            ev.push(self.evidence_url(range, format!("site {} ({})", host, l.site_kind)));
        }
        (
            held,
            (explaining && self.details).then(|| format!("site kind {}, host {host}", l.site_kind)),
        )
    }

    fn fired(&self, f: &FiredCond, explaining: bool) -> (bool, Option<String>) {
        if !explaining {
            return (f.indices.iter().any(|&i| self.rule_fires(i)), None);
        }
        let rules = self.set.rules();
        let fired: Vec<&str> = f
            .indices
            .iter()
            .filter(|&&i| self.rule_fires(i))
            .map(|&i| rules[i].id.as_str())
            .collect();
        let detail = if fired.is_empty() {
            "none of them fired".to_string()
        } else {
            format!("fired: {}", fired.join(", "))
        };
        (!fired.is_empty(), Some(detail))
    }

    fn page(&self, p: &PageCond) -> (bool, Option<String>) {
        let marks = &self.listing.page;
        let held = p.postal_address.is_none_or(|w| w == marks.postal_address)
            && p.licence_claim.is_none_or(|w| w == marks.licence_claim);
        (
            held,
            self.details.then(|| {
                format!(
                    "page shows a postal address: {}, claims a licence: {}",
                    marks.postal_address, marks.licence_claim
                )
            }),
        )
    }

    fn language(&self, codes: &[String]) -> (bool, Option<String>) {
        let declared = self
            .listing
            .language
            .as_deref()
            .map(|l| l.split(['-', '_']).next().unwrap_or("").to_lowercase());
        if let Some(d) = &declared
            && codes.contains(d)
        {
            return (true, self.details.then(|| format!("declared language {d}")));
        }
        let seen = *self.scripts.get_or_init(|| {
            let mut mask = 0u32;
            for t in [
                self.listing.title.as_str(),
                self.listing.description.as_str(),
            ] {
                if t.is_ascii() {
                    continue;
                }
                mask |= text_script_bits(t);
            }
            mask
        });
        for code in codes {
            let Some(i) = LANGUAGE_SCRIPTS.iter().position(|(c, _)| c == code) else {
                continue;
            };
            if seen & (1 << i) != 0 {
                return (
                    true,
                    self.details
                        .then(|| format!("{code} script in title or description")),
                );
            }
        }
        (
            false,
            self.details.then(|| {
                format!(
                    "declared language {}",
                    declared.as_deref().unwrap_or("unknown")
                )
            }),
        )
    }

    fn evidence_url(&self, range: Range<usize>, matched: String) -> Evidence {
        let url = &self.listing.url;
        let range = if url.is_char_boundary(range.start) && url.is_char_boundary(range.end) {
            range
        } else {
            0..0
        };
        Evidence {
            field: Field::Url,
            text: url.get(range.clone()).unwrap_or("").to_string(),
            start: range.start,
            end: range.end,
            matched,
        }
    }
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp(2)
}

/// Whether a character belongs to a script.
pub(crate) type ScriptTest = fn(char) -> bool;

/// Languages a `language` condition can name, with the script that reveals them in text.
pub(crate) const LANGUAGE_SCRIPTS: &[(&str, ScriptTest)] = &[
    (
        "zh",
        |c| matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF),
    ),
    ("ja", |c| matches!(c as u32, 0x3040..=0x30FF)),
    ("ko", |c| matches!(c as u32, 0xAC00..=0xD7A3)),
    ("ru", |c| matches!(c as u32, 0x0400..=0x04FF)),
    ("ar", |c| matches!(c as u32, 0x0600..=0x06FF)),
    ("el", |c| matches!(c as u32, 0x0370..=0x03FF)),
    ("he", |c| matches!(c as u32, 0x0590..=0x05FF)),
    ("th", |c| matches!(c as u32, 0x0E00..=0x0E7F)),
    ("hi", |c| matches!(c as u32, 0x0900..=0x097F)),
];

/// The scripts (bits of [`LANGUAGE_SCRIPTS`]) of the characters of `t`, decoded byte by
/// byte: ASCII is skipped, and every listed script lies below U+10000.
fn text_script_bits(t: &str) -> u32 {
    let b = t.as_bytes();
    let cont = |i: usize| u32::from(b.get(i).copied().unwrap_or(0x80) & 0x3F);
    let mut mask = 0;
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        let (cp, len) = match x {
            0x00..=0x7F => {
                // Jump over the ASCII run.
                i = crate::normalize::next_non_ascii(b, i).unwrap_or(b.len());
                continue;
            }
            // U+5000–U+9FFF: Han, the bulk of Chinese text, without decoding.
            0xE5..=0xE9 => (0x5000, 3),
            0xC0..=0xDF => ((u32::from(x & 0x1F) << 6) | cont(i + 1), 2),
            0xE0..=0xEF => (
                (u32::from(x & 0x0F) << 12) | (cont(i + 1) << 6) | cont(i + 2),
                3,
            ),
            _ => (0x1_0000, 4),
        };
        mask |= script_bits_of(cp);
        i += len;
    }
    mask
}

/// The bits of [`LANGUAGE_SCRIPTS`] whose script `c` belongs to: the same ranges in one
/// `match`, instead of nine calls per character.
#[cfg(test)]
fn script_bits(c: char) -> u32 {
    script_bits_of(c as u32)
}

fn script_bits_of(cp: u32) -> u32 {
    match cp {
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => 1 << 0,
        0x3040..=0x30FF => 1 << 1,
        0xAC00..=0xD7A3 => 1 << 2,
        0x0400..=0x04FF => 1 << 3,
        0x0600..=0x06FF => 1 << 4,
        0x0370..=0x03FF => 1 << 5,
        0x0590..=0x05FF => 1 << 6,
        0x0E00..=0x0E7F => 1 << 7,
        0x0900..=0x097F => 1 << 8,
        _ => 0,
    }
}

/// Words that name crypto-currencies as payment methods.
const CRYPTO: &[&str] = &[
    "bitcoin",
    "btc",
    "monero",
    "xmr",
    "usdt",
    "tether",
    "ethereum",
    "eth",
    "ether",
    "litecoin",
    "ltc",
    "crypto",
    "cryptocurrency",
    "cryptocurrencies",
    "usdc",
    "bch",
    "dogecoin",
    "doge",
    "dash",
    "zcash",
    "zec",
    "tron",
    "trx",
    "solana",
    "bnb",
    "比特币",
    "泰达币",
    "加密货币",
    "биткоин",
    "биткойн",
    "криптовалюта",
];

/// Words that say nothing about how one pays ("Payment: Bitcoin only", "USDT (TRC20)").
const FILLER: &[&str] = &[
    "payment",
    "payments",
    "method",
    "methods",
    "accepted",
    "we",
    "accept",
    "pay",
    "with",
    "via",
    "by",
    "in",
    "only",
    "trc20",
    "erc20",
    "bep20",
    "lightning",
    "network",
    "wallet",
    "coin",
    "coins",
    "escrow",
    "fe",
    "finalize",
    "early",
    "multisig",
    "付款方式",
    "支付方式",
    "付款",
    "支付",
    "оплата",
];

/// How one piece of a payment line reads.
#[derive(PartialEq)]
enum PaymentPiece {
    Crypto,
    Neutral,
    Other,
}

fn payment_pieces(method: &str) -> Vec<PaymentPiece> {
    // Most lines are a plain ASCII word ("Visa", "Bitcoin"): no Unicode case mapping and no
    // rewriting for them.
    let mut lower = if method.is_ascii() {
        method.to_ascii_lowercase()
    } else {
        method.to_lowercase()
    };
    for joiner in [" and ", " or "] {
        if lower.contains(joiner) {
            lower = lower.replace(joiner, ",");
        }
    }
    lower
        .split([',', ';', '/', '&', '+', '、', '，', '|', ':', '：'])
        .map(payment_piece)
        .collect()
}

fn payment_piece(piece: &str) -> PaymentPiece {
    let words = || {
        piece
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
    };
    let crypto = words().any(|w| CRYPTO.contains(&w))
        || ["比特币", "泰达币", "加密货币"]
            .iter()
            .any(|w| piece.contains(w));
    if crypto {
        PaymentPiece::Crypto
    } else if words().all(|w| FILLER.contains(&w)) {
        PaymentPiece::Neutral
    } else {
        PaymentPiece::Other
    }
}

/// What one payment line names: a crypto-currency, and something else that pays.
struct PaymentKind {
    crypto: bool,
    other: bool,
}

impl PaymentKind {
    fn of(method: &str) -> PaymentKind {
        let pieces = payment_pieces(method);
        PaymentKind {
            crypto: pieces.contains(&PaymentPiece::Crypto),
            other: pieces.contains(&PaymentPiece::Other),
        }
    }

    /// Whether the lines name crypto-currencies and nothing else that pays.
    fn only_crypto(kinds: &[PaymentKind]) -> bool {
        kinds.iter().any(|k| k.crypto) && !kinds.iter().any(|k| k.other)
    }
}

/// Whether a payment method names a crypto-currency (word-wise: "ethereum", not "method").
#[cfg(test)]
fn is_crypto(method: &str) -> bool {
    payment_pieces(method).contains(&PaymentPiece::Crypto)
}

/// Whether the payment methods name crypto-currencies and nothing else that pays. Robust to
/// unsplit lines such as "Payment: Visa, Bitcoin". (The engine reads each line once, as a
/// [`PaymentKind`], and combines them the same way.)
#[cfg(test)]
fn only_crypto(methods: &[String]) -> bool {
    let pieces: Vec<PaymentPiece> = methods.iter().flat_map(|m| payment_pieces(m)).collect();
    pieces.contains(&PaymentPiece::Crypto) && !pieces.contains(&PaymentPiece::Other)
}

/// `*` matches any run of characters; everything else literally.
pub(crate) fn glob_match(glob: &str, s: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == s;
    }
    let mut rest = s;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// The rule author's terms for a condition.
fn describe(c: &Condition, set: &RuleSet) -> String {
    let list = |v: &[String]| v.join("|");
    let fields = |v: &[Field]| v.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ");
    match c {
        Condition::Text(t) => format!(
            "text {} in {}{}",
            t.sources.join(" or "),
            fields(&t.fields),
            if t.normalize { "" } else { " (raw)" }
        ),
        Condition::Drug(d) => {
            let mut s = String::from("drug");
            if !d.classes.is_empty() {
                let c: Vec<&str> = d.classes.iter().map(|c| c.as_str()).collect();
                s.push_str(&format!(" class {}", c.join("|")));
            }
            if !d.categories.is_empty() {
                s.push_str(&format!(" category {}", list(&d.categories)));
            }
            if !d.schedules.is_empty() {
                s.push_str(&format!(" schedule {}", list(&d.schedules)));
            }
            if !d.ids.is_empty() {
                s.push_str(&format!(" id {}", list(&d.ids)));
            }
            match d.obfuscated {
                Some(true) => s.push_str(", name obfuscated"),
                Some(false) => s.push_str(", name printed plainly"),
                None => {}
            }
            s.push_str(&format!(" in {}", fields(&d.fields)));
            s
        }
        Condition::Price(p) => {
            let mut parts = Vec::new();
            if let Some(f) = p.below_reference_fraction {
                parts.push(format!("unit price below {f} × reference price"));
            }
            let per = if p.per == PricePer::Unit {
                "unit"
            } else {
                "total"
            };
            if let Some(m) = p.min_usd {
                parts.push(format!("{per} price ≥ {m} USD"));
            }
            if let Some(m) = p.max_usd {
                parts.push(format!("{per} price ≤ {m} USD"));
            }
            format!("price: {}", parts.join(", "))
        }
        Condition::Contact(k) => {
            let mut parts = Vec::new();
            if let Some(b) = k.only_messaging {
                parts.push(format!("only messaging apps = {b}"));
            }
            if let Some(b) = k.empty {
                parts.push(format!("no contacts = {b}"));
            }
            if !k.kinds.is_empty() {
                parts.push(format!("any of {:?}", k.kinds));
            }
            format!("contact: {}", parts.join(", "))
        }
        Condition::Payment(p) => {
            let mut parts = Vec::new();
            if let Some(b) = p.only_crypto {
                parts.push(format!("only crypto = {b}"));
            }
            if let Some(b) = p.empty {
                parts.push(format!("none listed = {b}"));
            }
            if !p.any.is_empty() {
                parts.push(format!("any of {}", list(&p.any)));
            }
            format!("payment: {}", parts.join(", "))
        }
        Condition::Shipping(s) => {
            let mut parts = Vec::new();
            if !s.claims.is_empty() {
                parts.push(format!("equal to {}", list(&s.claims)));
            }
            if !s.any.is_empty() {
                parts.push(format!("containing {}", list(&s.any)));
            }
            let whose = if s.shop { "listing's or shop's " } else { "" };
            format!("{whose}shipping claim {}", parts.join(" or "))
        }
        Condition::Fired(f) => format!("rule {} fires", f.ids.join(" or ")),
        Condition::Page(p) => {
            let mut parts = Vec::new();
            if let Some(b) = p.postal_address {
                parts.push(format!("postal address = {b}"));
            }
            if let Some(b) = p.licence_claim {
                parts.push(format!("licence claim = {b}"));
            }
            format!("page: {}", parts.join(", "))
        }
        Condition::Language(codes) => format!("language {}", codes.join("|")),
        Condition::Site(s) => {
            let mut parts = Vec::new();
            if !s.kinds.is_empty() {
                let k: Vec<&str> = s.kinds.iter().map(|k| k.as_str()).collect();
                parts.push(format!("kind {}", k.join("|")));
            }
            if !s.hosts.is_empty() {
                parts.push(format!("host {}", list(&s.hosts)));
            }
            if !s.tlds.is_empty() {
                parts.push(format!("tld {}", list(&s.tlds)));
            }
            let _ = set;
            format!("site: {}", parts.join(", "))
        }
    }
}

/// A listing whose title names a medicine offers that medicine: other medicines named only
/// elsewhere in it (a category blurb, "compare with", a list of related products) are not
/// what it sells, and an ibuprofen offer is not a controlled-substance offer because its
/// description mentions tramadol; unless the seller offers them there in so many words
/// (`offered_aside`, see [`crate::aside`]). Without a name in the title every name counts.
fn keep_what_the_title_offers(hits: &mut Vec<DrugHit>, offered_aside: impl Fn(&DrugHit) -> bool) {
    let offered: Vec<usize> = hits
        .iter()
        .filter(|h| h.field == Field::Title)
        .map(|h| h.hit.drug)
        .collect();
    if !offered.is_empty() {
        hits.retain(|h| {
            h.field == Field::Title || offered.contains(&h.hit.drug) || offered_aside(h)
        });
    }
}

/// Combined score of the hits: `100 × (1 − ∏(1 − weight/100))` over the hits' severity weights
/// (info 1, low 5, medium 15, high 40, critical 80). One critical hit scores 80; more hits
/// raise the score towards 100 without passing it; the order of hits does not matter.
pub fn score(hits: &[RuleHit]) -> f64 {
    let keep: f64 = hits
        .iter()
        .map(|h| 1.0 - h.severity.weight() / 100.0)
        .product();
    let s = 100.0 * (1.0 - keep);
    (s * 100.0).round() / 100.0
}

pub(crate) fn verdict(ctx: &ListingCtx<'_>, listing: &Listing, hits: Vec<RuleHit>) -> Verdict {
    let severity = hits.iter().map(|h| h.severity).max();
    Verdict {
        listing_id: listing.id.clone(),
        flagged: hits
            .iter()
            .any(|h| h.severity >= pharmwatch_model::Severity::Low),
        severity,
        score: score(&hits),
        hits,
        drugs: ctx.drug_matches(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.onion", "abc.onion"));
        assert!(!glob_match("*.onion", "abc.onion.example"));
        assert!(glob_match("*pharma*", "cheap-pharma-online.example"));
        assert!(glob_match("shop.example", "shop.example"));
    }

    #[test]
    fn script_bits_agree_with_the_script_list() {
        for cp in 0x80..0x3_0000u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let mut want = 0u32;
            for (i, (_, script)) in LANGUAGE_SCRIPTS.iter().enumerate() {
                if script(c) {
                    want |= 1 << i;
                }
            }
            assert_eq!(script_bits(c), want, "U+{cp:04X}");
            let text = format!("a{c}b{c}");
            assert_eq!(text_script_bits(&text), want, "U+{cp:04X} in text");
        }
    }

    #[test]
    fn crypto_words() {
        assert!(is_crypto("Bitcoin (BTC)"));
        assert!(is_crypto("USDT TRC20"));
        assert!(!is_crypto("Visa"));
        assert!(!is_crypto("method"));
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(only_crypto(&v(&["Bitcoin only"])));
        assert!(only_crypto(&v(&["Payment: BTC, USDT"])));
        assert!(only_crypto(&v(&["Monero", "Escrow"])));
        assert!(!only_crypto(&v(&["Payment: Visa, Mastercard, Bitcoin"])));
        assert!(!only_crypto(&v(&["Bitcoin", "PayPal"])));
        assert!(!only_crypto(&v(&["付款方式: 支付宝"])));
        assert!(!only_crypto(&v(&[])));
        // The engine's line-by-line reading agrees with reading all lines together.
        for lines in [
            &["Bitcoin only"][..],
            &["Payment: BTC, USDT"],
            &["Monero", "Escrow"],
            &["Payment: Visa, Mastercard, Bitcoin"],
            &["Bitcoin", "PayPal"],
            &["付款方式: 支付宝"],
            &["Escrow"],
            &[],
        ] {
            let kinds: Vec<PaymentKind> = lines.iter().map(|m| PaymentKind::of(m)).collect();
            assert_eq!(
                PaymentKind::only_crypto(&kinds),
                only_crypto(&v(lines)),
                "{lines:?}"
            );
        }
    }
}
