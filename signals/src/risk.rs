//! A risk class for every shop, in the spirit of the public classifications of pharmacy
//! sites (rogue / unapproved / unverified / no concern), with the reasons for it.
//!
//! # Decision table
//!
//! Only rule hits of severity `low` or above count (an `info` hit is a note, not a finding).
//! A shop *offers medicines* when any of its listings names a lexicon drug or is flagged.
//! Every reason that applies is listed; the class is the highest class among them.
//!
//! | class | reason code | when |
//! |---|---|---|
//! | rogue | `rx_without_prescription` | a hit of rule category `prescription` (`rx-without-prescription`, `rx-questionnaire-only`: a questionnaire is not a prescription) |
//! | rogue | `controlled_substance` | a hit of rule category `controlled` (`controlled-substance-online`) |
//! | rogue | `darknet_market` | the shop offers medicines on a `darknet-market` site |
//! | unapproved | `unapproved_product` | a hit of rule category `product`, `device` or `regulation` (GLP-1 pens outside regulated dispensing, mercury creams, banned slimming agents, unapproved peptides, devices without approval, products banned from online sale) |
//! | unverified | `crypto_only_payment` | offers medicines; some listing has a `payment` hit (`crypto-only-payment`) and no listing of the shop names a payment method without one |
//! | unverified | `messaging_only_contact` | offers medicines; it can be reached by a messaging app (a messaging contact or a `contact` hit) and no listing gives an e-mail address, phone number or other direct contact |
//! | unverified | `no_postal_address` | offers medicines; no page of the shop shows a postal address |
//! | unverified | `no_licence_claim` | offers medicines; no page of the shop claims a pharmacy licence or registration |
//! | unverified | `red_flag` | offers medicines; any other hit (price, shipping, obfuscation, informal channel, a `payment`/`contact` hit the shop-level check did not confirm, or a category this table does not know), one reason per rule |
//! | no concern | `no_medicines` | no reason above, and the shop offers no medicines |
//! | no concern | `address_and_licence` | no reason above: medicines with an address and a licence claim and nothing flagged |
//!
//! Why these rows: certification services call a site *rogue* when it sells prescription
//! drugs without a valid prescription or sells controlled substances; *unapproved* when it
//! sells drugs not approved where it ships; *unverified* when its legitimacy cannot be
//! established — no address, no licence, or the hallmarks of rogue sites (crypto-only
//! payment, messaging-only contact, stealth shipping) without a finding that makes it rogue.
//! A licence *claim* is not a verified licence, so "no concern" means only that pharmwatch
//! found nothing; it is not a certification.
//!
//! On shared platforms the shop is a seller ([`Shop`]), so a rogue seller does not make the
//! whole classifieds site rogue; the site-level checks (address, licence) then see the
//! platform's pages, which is why they only ever argue for `unverified`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use pharmwatch_model::text::count;
use pharmwatch_model::{ContactKind, Listing, RuleHit, Severity, SiteKind, Verdict};
use serde::{Deserialize, Serialize};

use crate::shop::{Examples, Exposure, ListingRef, Shop};

/// Risk classes, lowest first (so `max` picks the worst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskClass {
    /// pharmwatch found nothing of concern (not a certification).
    NoConcern,
    /// Offers medicines but its legitimacy cannot be established, or shows red flags.
    Unverified,
    /// Offers products not approved, banned or unregistered where it sells.
    Unapproved,
    /// Sells prescription medicines without a prescription, or controlled substances.
    Rogue,
}

impl RiskClass {
    /// Every class, lowest first.
    pub const ALL: [RiskClass; 4] = [
        RiskClass::NoConcern,
        RiskClass::Unverified,
        RiskClass::Unapproved,
        RiskClass::Rogue,
    ];

    /// `no_concern`, `unverified`, `unapproved`, `rogue` (the names in JSON and `--class`).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskClass::NoConcern => "no_concern",
            RiskClass::Unverified => "unverified",
            RiskClass::Unapproved => "unapproved",
            RiskClass::Rogue => "rogue",
        }
    }
}

impl fmt::Display for RiskClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a shop got its class: one row of the decision table (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Listings offer prescription-only medicines without a valid prescription.
    RxWithoutPrescription,
    /// Listings offer controlled substances.
    ControlledSubstance,
    /// The shop is a darknet market.
    DarknetMarket,
    /// Listings offer unapproved, banned or unregistered products.
    UnapprovedProduct,
    /// The shop takes cryptocurrency only.
    CryptoOnlyPayment,
    /// The shop is reached through messaging apps only.
    MessagingOnlyContact,
    /// The shop shows no postal address.
    NoPostalAddress,
    /// The shop claims no pharmacy licence.
    NoLicenceClaim,
    /// Another red flag of the rules fired on its listings.
    RedFlag,
    /// The shop offers no medicines.
    NoMedicines,
    /// The shop shows an address and a licence claim.
    AddressAndLicence,
}

impl ReasonCode {
    /// The code's snake_case name, as in the decision table and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::RxWithoutPrescription => "rx_without_prescription",
            ReasonCode::ControlledSubstance => "controlled_substance",
            ReasonCode::DarknetMarket => "darknet_market",
            ReasonCode::UnapprovedProduct => "unapproved_product",
            ReasonCode::CryptoOnlyPayment => "crypto_only_payment",
            ReasonCode::MessagingOnlyContact => "messaging_only_contact",
            ReasonCode::NoPostalAddress => "no_postal_address",
            ReasonCode::NoLicenceClaim => "no_licence_claim",
            ReasonCode::RedFlag => "red_flag",
            ReasonCode::NoMedicines => "no_medicines",
            ReasonCode::AddressAndLicence => "address_and_licence",
        }
    }

    /// The class this reason argues for.
    pub fn class(self) -> RiskClass {
        match self {
            ReasonCode::RxWithoutPrescription
            | ReasonCode::ControlledSubstance
            | ReasonCode::DarknetMarket => RiskClass::Rogue,
            ReasonCode::UnapprovedProduct => RiskClass::Unapproved,
            ReasonCode::CryptoOnlyPayment
            | ReasonCode::MessagingOnlyContact
            | ReasonCode::NoPostalAddress
            | ReasonCode::NoLicenceClaim
            | ReasonCode::RedFlag => RiskClass::Unverified,
            ReasonCode::NoMedicines | ReasonCode::AddressAndLicence => RiskClass::NoConcern,
        }
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason for a shop's class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// Which row of the decision table.
    pub code: ReasonCode,
    /// The class this reason argues for (`code.class()`).
    pub class: RiskClass,
    /// What was found, in a sentence for the report (plain text: escape it when shown).
    pub sentence: String,
    /// How many of the shop's listings it rests on.
    pub listings: usize,
    /// Up to [`crate::MAX_EXAMPLES`] of them, by id.
    pub examples: Vec<ListingRef>,
}

/// The risk class of one shop, with every reason that applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopRisk {
    /// The shop judged.
    pub shop: Shop,
    /// The worst class among its reasons.
    pub class: RiskClass,
    /// Worst class first, then by listings.
    pub reasons: Vec<Reason>,
    /// All the shop's listings together.
    pub exposure: Exposure,
}

impl ShopRisk {
    /// Whether a reason with this code applies.
    pub fn has(&self, code: ReasonCode) -> bool {
        self.reasons.iter().any(|r| r.code == code)
    }
}

/// Judges every shop among `items` (listings with their current verdicts). Worst class
/// first, then most exposed.
pub fn assess_risk<'a>(
    items: impl IntoIterator<Item = (&'a Listing, &'a Verdict)>,
) -> Vec<ShopRisk> {
    let mut builder = RiskBuilder::default();
    for (listing, verdict) in items {
        builder.add(listing, verdict);
    }
    builder.finish()
}

/// [`assess_risk`] one listing at a time, for callers that stream listings from storage: it
/// keeps what each shop's listings showed (flags, counts, a few examples), never the
/// listings themselves.
#[derive(Default)]
pub struct RiskBuilder {
    facts: HashMap<Shop, Facts>,
}

impl RiskBuilder {
    /// Counts one listing (with its current verdict) towards its shop.
    pub fn add(&mut self, listing: &Listing, verdict: &Verdict) {
        self.facts
            .entry(Shop::of(listing))
            .or_default()
            .add(listing, verdict);
    }

    /// Judges every shop seen. Worst class first, then most exposed.
    pub fn finish(self) -> Vec<ShopRisk> {
        let mut out: Vec<ShopRisk> = self
            .facts
            .into_iter()
            .map(|(shop, facts)| facts.judge(shop))
            .collect();
        out.sort_by(|a, b| {
            b.class
                .cmp(&a.class)
                .then(b.exposure.cmp_risk(&a.exposure))
                .then(a.shop.cmp(&b.shop))
        });
        out
    }
}

/// What one shop's listings show, gathered before judging.
#[derive(Default)]
struct Facts {
    exposure: Exposure,
    all: Examples,
    medicines: bool,
    address: bool,
    licence: bool,
    /// Hit-based rows: the listings and the rule ids behind them.
    found: BTreeMap<ReasonCode, (Examples, BTreeSet<String>)>,
    /// Hits no row takes directly, by rule id.
    other: BTreeMap<String, OtherRule>,
    /// Listings with a `payment` hit.
    crypto_only: Examples,
    /// A listing names payment methods and has no `payment` hit.
    other_payment: bool,
    /// Listings with a messaging contact or a `contact` hit.
    messaging: Examples,
    /// A listing gives an e-mail address, a phone number or another direct contact.
    direct_contact: bool,
}

struct OtherRule {
    title: String,
    category: String,
    listings: Examples,
}

impl Facts {
    fn add(&mut self, listing: &Listing, verdict: &Verdict) {
        self.exposure.add(verdict);
        self.all.add(listing);
        let offers_medicine = verdict.flagged || !verdict.drugs.is_empty();
        self.medicines |= offers_medicine;
        self.address |= listing.page.postal_address;
        self.licence |= listing.page.licence_claim;
        let hits: Vec<&RuleHit> = verdict
            .hits
            .iter()
            .filter(|h| h.severity >= Severity::Low)
            .collect();
        let mut rows: BTreeMap<ReasonCode, BTreeSet<&str>> = BTreeMap::new();
        for hit in &hits {
            match row_of(&hit.category) {
                Some(code) => {
                    rows.entry(code).or_default().insert(&hit.rule_id);
                }
                None => self.add_other(listing, hit),
            }
        }
        if listing.site_kind == SiteKind::DarknetMarket && offers_medicine {
            rows.entry(ReasonCode::DarknetMarket).or_default();
        }
        for (code, rules) in rows {
            let (examples, all_rules) = self.found.entry(code).or_default();
            examples.add(listing);
            for rule in rules {
                // Clone a rule id only the first time: a shop has few rules, many listings.
                if !all_rules.contains(rule) {
                    all_rules.insert(rule.to_string());
                }
            }
        }
        self.add_payment_and_contacts(listing, &hits);
    }

    fn add_other(&mut self, listing: &Listing, hit: &RuleHit) {
        if let Some(other) = self.other.get_mut(&hit.rule_id) {
            other.listings.add(listing);
            return;
        }
        self.other
            .entry(hit.rule_id.clone())
            .or_insert_with(|| OtherRule {
                title: hit.title.clone(),
                category: hit.category.clone(),
                listings: Examples::default(),
            })
            .listings
            .add(listing);
    }

    fn add_payment_and_contacts(&mut self, listing: &Listing, hits: &[&RuleHit]) {
        if hits.iter().any(|h| h.category == CATEGORY_PAYMENT) {
            self.crypto_only.add(listing);
        } else if !listing.payment_methods.is_empty() {
            self.other_payment = true;
        }
        let contact_hit = hits.iter().any(|h| h.category == CATEGORY_CONTACT);
        if contact_hit || listing.contacts.iter().any(|c| c.kind.is_messaging()) {
            self.messaging.add(listing);
        }
        self.direct_contact |= listing.contacts.iter().any(|c| {
            matches!(
                c.kind,
                ContactKind::Email | ContactKind::Phone | ContactKind::Other
            )
        });
    }

    fn judge(self, shop: Shop) -> ShopRisk {
        let fallback = self.no_concern();
        let mut reasons: Vec<Reason> = Vec::new();
        let crypto_only = self.crypto_only.count() > 0 && !self.other_payment;
        let messaging_only = self.messaging.count() > 0 && !self.direct_contact;
        for (code, (examples, rules)) in self.found {
            reasons.push(reason(
                code,
                row_sentence(code, examples.count(), &rules),
                examples,
            ));
        }
        if self.medicines {
            let n = self.all.count();
            if crypto_only {
                let k = self.crypto_only.count();
                let sentence = format!(
                    "takes crypto-currency only: {k} of its {n} listings say so and none names another payment method"
                );
                reasons.push(reason(
                    ReasonCode::CryptoOnlyPayment,
                    sentence,
                    self.crypto_only,
                ));
            }
            if messaging_only {
                let sentence = format!(
                    "can be reached through messaging apps only: no e-mail address or phone number on any of its {n} listings"
                );
                reasons.push(reason(
                    ReasonCode::MessagingOnlyContact,
                    sentence,
                    self.messaging,
                ));
            }
            if !self.address {
                let sentence = format!("no page of its {n} listings shows a postal address");
                reasons.push(reason(
                    ReasonCode::NoPostalAddress,
                    sentence,
                    self.all.clone(),
                ));
            }
            if !self.licence {
                let sentence = format!(
                    "no page of its {n} listings claims a pharmacy licence or registration"
                );
                reasons.push(reason(
                    ReasonCode::NoLicenceClaim,
                    sentence,
                    self.all.clone(),
                ));
            }
            for (rule_id, other) in self.other {
                let confirmed = (other.category == CATEGORY_PAYMENT && crypto_only)
                    || (other.category == CATEGORY_CONTACT && messaging_only);
                if confirmed {
                    continue;
                }
                let sentence = format!(
                    "{} ({rule_id}) on {}",
                    other.title,
                    count(other.listings.count(), "listing", "listings")
                );
                reasons.push(reason(ReasonCode::RedFlag, sentence, other.listings));
            }
        }
        if reasons.is_empty() {
            reasons.push(fallback);
        }
        reasons.sort_by(|a, b| {
            b.class
                .cmp(&a.class)
                .then(b.listings.cmp(&a.listings))
                .then(a.code.cmp(&b.code))
        });
        ShopRisk {
            shop,
            class: reasons[0].class,
            reasons,
            exposure: self.exposure,
        }
    }

    /// The reason when no row of concern applies (medicines need an address and a licence
    /// claim to get here: their absence is a row).
    fn no_concern(&self) -> Reason {
        let n = self.all.count();
        if self.medicines {
            let sentence = format!(
                "shows a postal address and claims a licence, and no rule flagged any of its {n} listings"
            );
            reason(ReasonCode::AddressAndLicence, sentence, self.all.clone())
        } else {
            let sentence = format!(
                "none of its {n} listings names a medicine the lexicon knows, and no rule flagged any"
            );
            reason(ReasonCode::NoMedicines, sentence, self.all.clone())
        }
    }
}

const CATEGORY_PAYMENT: &str = "payment";
const CATEGORY_CONTACT: &str = "contact";

/// The table row a rule category feeds directly, if any.
fn row_of(category: &str) -> Option<ReasonCode> {
    match category {
        "prescription" => Some(ReasonCode::RxWithoutPrescription),
        "controlled" => Some(ReasonCode::ControlledSubstance),
        "product" | "device" | "regulation" => Some(ReasonCode::UnapprovedProduct),
        _ => None,
    }
}

fn row_sentence(code: ReasonCode, n: usize, rules: &BTreeSet<String>) -> String {
    let rules = rules
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    match code {
        ReasonCode::RxWithoutPrescription => format!(
            "{} prescription-only medicines without a valid prescription ({rules})",
            count(n, "listing offers", "listings offer")
        ),
        ReasonCode::ControlledSubstance => {
            format!(
                "{} controlled substances ({rules})",
                count(n, "listing offers", "listings offer")
            )
        }
        ReasonCode::DarknetMarket => format!(
            "{} medicines on a darknet market",
            count(n, "listing offers", "listings offer")
        ),
        ReasonCode::UnapprovedProduct => {
            format!(
                "{} unapproved, banned or unregistered products ({rules})",
                count(n, "listing offers", "listings offer")
            )
        }
        other => format!("{}: {other}", count(n, "listing", "listings")),
    }
}

fn reason(code: ReasonCode, sentence: String, examples: Examples) -> Reason {
    Reason {
        code,
        class: code.class(),
        sentence,
        listings: examples.count(),
        examples: examples.into_vec(),
    }
}

#[cfg(test)]
mod tests {
    use pharmwatch_model::{ContactKind as C, Severity::*};

    use super::*;
    use crate::shop::testing::*;

    const OXY: (&str, &str, &str) = ("oxycodone", "controlled", "opioid");
    const SILD: (&str, &str, &str) = ("sildenafil", "rx", "pde5");

    /// A pharmacy listing whose page shows an address and a licence claim: only what the
    /// test adds can raise a concern.
    fn proper(url: &str) -> Listing {
        let mut l = pharmacy(url);
        l.page.postal_address = true;
        l.page.licence_claim = true;
        contact(&mut l, C::Email, "shop@example.org");
        l
    }

    fn judge(items: &[(Listing, Verdict)]) -> Vec<ShopRisk> {
        assess_risk(items.iter().map(|(l, v)| (l, v)))
    }

    fn only(items: &[(Listing, Verdict)]) -> ShopRisk {
        let mut out = judge(items);
        assert_eq!(out.len(), 1);
        out.remove(0)
    }

    fn codes(risk: &ShopRisk) -> Vec<ReasonCode> {
        risk.reasons.iter().map(|r| r.code).collect()
    }

    #[test]
    fn rx_without_prescription_is_rogue() {
        let l = proper("http://rx.example/p/1");
        let v = verdict(
            &l,
            &[("rx-without-prescription", "prescription", High)],
            &[SILD],
        );
        let risk = only(&[(l.clone(), v)]);
        assert_eq!(risk.class, RiskClass::Rogue);
        assert_eq!(codes(&risk), [ReasonCode::RxWithoutPrescription]);
        let reason = &risk.reasons[0];
        assert_eq!((reason.listings, reason.class), (1, RiskClass::Rogue));
        assert_eq!(reason.examples[0].id, l.id);
        assert!(
            reason.sentence.contains("rx-without-prescription"),
            "{}",
            reason.sentence
        );
    }

    #[test]
    fn a_questionnaire_is_not_a_prescription() {
        let l = proper("http://quiz.example/p/1");
        let v = verdict(
            &l,
            &[("rx-questionnaire-only", "prescription", Medium)],
            &[SILD],
        );
        assert_eq!(only(&[(l, v)]).class, RiskClass::Rogue);
    }

    #[test]
    fn controlled_substances_are_rogue() {
        let l = proper("http://opi.example/p/1");
        let v = verdict(
            &l,
            &[("controlled-substance-online", "controlled", Critical)],
            &[OXY],
        );
        let risk = only(&[(l, v)]);
        assert_eq!(risk.class, RiskClass::Rogue);
        assert!(risk.has(ReasonCode::ControlledSubstance));
    }

    #[test]
    fn medicines_on_a_darknet_market_are_rogue() {
        let mut l = listing(
            "http://market.onion/l/1",
            SiteKind::DarknetMarket,
            Some("vendor"),
        );
        l.page.postal_address = true;
        l.page.licence_claim = true;
        contact(&mut l, C::Email, "v@mail.example");
        let v = verdict(&l, &[], &[SILD]);
        let risk = only(&[(l.clone(), v)]);
        assert_eq!(risk.class, RiskClass::Rogue);
        assert_eq!(codes(&risk), [ReasonCode::DarknetMarket]);
        // A vendor selling no medicine there raises nothing.
        let mut other = listing(
            "http://market.onion/l/2",
            SiteKind::DarknetMarket,
            Some("books"),
        );
        other.page = l.page.clone();
        let clean = clean(&other);
        assert_eq!(only(&[(other, clean)]).class, RiskClass::NoConcern);
    }

    #[test]
    fn unapproved_products_are_unapproved() {
        for category in ["product", "device", "regulation"] {
            let l = proper("http://glp.example/p/1");
            let v = verdict(&l, &[("glp1-pen-unregulated", category, High)], &[]);
            let risk = only(&[(l, v)]);
            assert_eq!(risk.class, RiskClass::Unapproved, "{category}");
            assert_eq!(codes(&risk), [ReasonCode::UnapprovedProduct]);
        }
    }

    #[test]
    fn the_worst_reason_decides_and_every_reason_is_listed() {
        let mut a = pharmacy("http://mix.example/p/1");
        contact(&mut a, C::Telegram, "mixer");
        let va = verdict(&a, &[("glp1-pen-unregulated", "product", High)], &[]);
        let b = pharmacy("http://mix.example/p/2");
        let vb = verdict(
            &b,
            &[("rx-without-prescription", "prescription", High)],
            &[SILD],
        );
        let risk = only(&[(a, va), (b, vb)]);
        assert_eq!(risk.class, RiskClass::Rogue);
        assert_eq!(
            codes(&risk),
            [
                ReasonCode::RxWithoutPrescription,
                ReasonCode::UnapprovedProduct,
                ReasonCode::NoPostalAddress,
                ReasonCode::NoLicenceClaim,
                ReasonCode::MessagingOnlyContact,
            ]
        );
        assert_eq!(risk.exposure.flagged, 2);
    }

    #[test]
    fn medicines_without_address_or_licence_are_unverified() {
        let mut l = pharmacy("http://anon.example/p/1");
        contact(&mut l, C::Email, "a@anon.example");
        l.page.licence_claim = true;
        let v = verdict(&l, &[], &[SILD]);
        let risk = only(&[(l.clone(), v.clone())]);
        assert_eq!(risk.class, RiskClass::Unverified);
        assert_eq!(codes(&risk), [ReasonCode::NoPostalAddress]);
        assert!(risk.reasons[0].sentence.contains("postal address"));

        let mut l2 = l.clone();
        l2.page.postal_address = true;
        l2.page.licence_claim = false;
        let risk = only(&[(l2, v)]);
        assert_eq!(codes(&risk), [ReasonCode::NoLicenceClaim]);
    }

    #[test]
    fn an_address_on_any_page_counts_for_the_shop() {
        let with_address = proper("http://one.example/about");
        let mut without = pharmacy("http://one.example/p/1");
        contact(&mut without, C::Email, "shop@example.org");
        let v1 = verdict(&with_address, &[], &[]);
        let v2 = verdict(&without, &[], &[SILD]);
        let risk = only(&[(with_address, v1), (without, v2)]);
        assert_eq!(risk.class, RiskClass::NoConcern, "{risk:#?}");
        assert_eq!(codes(&risk), [ReasonCode::AddressAndLicence]);
    }

    #[test]
    fn crypto_only_payment_is_unverified_when_no_page_offers_anything_else() {
        let mut l = proper("http://btc.example/p/1");
        l.payment_methods = vec!["Bitcoin".into()];
        let v = verdict(&l, &[("crypto-only-payment", "payment", Medium)], &[SILD]);
        let risk = only(&[(l.clone(), v.clone())]);
        assert_eq!(risk.class, RiskClass::Unverified);
        assert_eq!(codes(&risk), [ReasonCode::CryptoOnlyPayment]);

        // Another page of the same shop takes cards: not crypto-only, but the rule's hit
        // still stands as a red flag.
        let mut cards = proper("http://btc.example/p/2");
        cards.payment_methods = vec!["Visa".into()];
        let vc = verdict(&cards, &[], &[SILD]);
        let risk = only(&[(l, v), (cards, vc)]);
        assert_eq!(risk.class, RiskClass::Unverified);
        assert_eq!(codes(&risk), [ReasonCode::RedFlag]);
        assert!(risk.reasons[0].sentence.contains("crypto-only-payment"));
    }

    #[test]
    fn messaging_only_contact_is_unverified_unless_a_direct_contact_exists() {
        let mut l = pharmacy("http://tg.example/p/1");
        l.page.postal_address = true;
        l.page.licence_claim = true;
        contact(&mut l, C::Whatsapp, "+15550100");
        contact(&mut l, C::BitcoinWallet, "1Boat");
        let v = verdict(&l, &[], &[SILD]);
        let risk = only(&[(l.clone(), v.clone())]);
        assert_eq!(codes(&risk), [ReasonCode::MessagingOnlyContact]);
        assert_eq!(risk.class, RiskClass::Unverified);

        let mut direct = l.clone();
        direct.url = "http://tg.example/contact".into();
        direct.id = pharmwatch_model::ListingId::derive(&direct.url, 0);
        contact(&mut direct, C::Phone, "+15550101");
        let vd = verdict(&direct, &[], &[]);
        assert_eq!(only(&[(l, v), (direct, vd)]).class, RiskClass::NoConcern);
    }

    #[test]
    fn other_rule_hits_are_red_flags() {
        let l = proper("http://stealth.example/p/1");
        let v = verdict(&l, &[("stealth-shipping", "shipping", Medium)], &[SILD]);
        let risk = only(&[(l, v)]);
        assert_eq!(risk.class, RiskClass::Unverified);
        assert_eq!(codes(&risk), [ReasonCode::RedFlag]);
        assert!(
            risk.reasons[0]
                .sentence
                .contains("stealth-shipping title (stealth-shipping)")
        );
    }

    #[test]
    fn info_hits_raise_no_concern() {
        let l = proper("http://cn.example/p/1");
        let v = verdict(
            &l,
            &[("cn-rx-warning-missing", "regulation", Info)],
            &[SILD],
        );
        let risk = only(&[(l, v)]);
        assert_eq!(risk.class, RiskClass::NoConcern);
        assert_eq!(codes(&risk), [ReasonCode::AddressAndLicence]);
    }

    #[test]
    fn a_shop_without_medicines_is_no_concern_even_without_an_address() {
        let l = pharmacy("http://bikes.example/p/1");
        let v = clean(&l);
        let risk = only(&[(l, v)]);
        assert_eq!(risk.class, RiskClass::NoConcern);
        assert_eq!(codes(&risk), [ReasonCode::NoMedicines]);
        assert_eq!(risk.reasons[0].listings, 1);
    }

    #[test]
    fn one_rogue_seller_does_not_make_the_classifieds_site_rogue() {
        let bad = listing("http://ads.example/a/1", SiteKind::Classifieds, Some("opi"));
        let vb = verdict(
            &bad,
            &[("controlled-substance-online", "controlled", Critical)],
            &[OXY],
        );
        let good = listing(
            "http://ads.example/a/2",
            SiteKind::Classifieds,
            Some("sofa"),
        );
        let vg = clean(&good);
        let out = judge(&[(good, vg), (bad, vb)]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].class, RiskClass::Rogue, "worst first");
        assert_eq!(out[0].shop.to_string(), "seller opi on ads.example");
        assert_eq!(out[1].class, RiskClass::NoConcern);
    }

    #[test]
    fn reason_codes_map_to_the_documented_classes() {
        use ReasonCode::*;
        let expected = [
            (RxWithoutPrescription, RiskClass::Rogue),
            (ControlledSubstance, RiskClass::Rogue),
            (DarknetMarket, RiskClass::Rogue),
            (UnapprovedProduct, RiskClass::Unapproved),
            (CryptoOnlyPayment, RiskClass::Unverified),
            (MessagingOnlyContact, RiskClass::Unverified),
            (NoPostalAddress, RiskClass::Unverified),
            (NoLicenceClaim, RiskClass::Unverified),
            (RedFlag, RiskClass::Unverified),
            (NoMedicines, RiskClass::NoConcern),
            (AddressAndLicence, RiskClass::NoConcern),
        ];
        for (code, class) in expected {
            assert_eq!(code.class(), class, "{code}");
        }
        assert!(RiskClass::Rogue > RiskClass::Unapproved);
        assert!(RiskClass::Unverified > RiskClass::NoConcern);
    }
}
