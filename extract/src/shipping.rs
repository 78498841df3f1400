//! Shipping claims made on a page, as lower-case canonical phrases.
//!
//! Canonical claims: "stealth" ("stealth shipping", "vacuum sealed"), "discreet" ("discreet
//! packaging", "neutral envelope", "envío discreto"; the bare word is no claim: "Discreet
//! treatments for erectile dysfunction"), "no customs" (also "customs-free", "guaranteed
//! delivery through customs", 包过海关, "sin aduana", "без таможни"), "reship guarantee",
//! "worldwide", "overnight", "express", "tracked", "free shipping", "domestic" ("US to US",
//! "EU to EU", "ships from within …"), "no prescription needed" is NOT a shipping claim.

use std::sync::LazyLock;

use crate::keywords::Catalogue;

static CLAIMS: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::new(&[
        // A claim about the parcel, never a bare adjective: "Discreet treatments for erectile
        // dysfunction" and "stealth mode" headphones say nothing about how anything ships.
        (
            "stealth",
            r"\bstealth(?:[\s-]+(?:ship\w*|pack\w*|deliver\w*|mail\w*|post\w*|parcels?|envelopes?|methods?|options?)|\s*:)|\b(?:in|with|great|perfect|pro|professional|best|top|triple|double)\s+stealth\b|\bvacuum[\s-]*sealed\b|\bsmell[\s-]*proof\b|\bvakuumiert\b|隐形包装|скрытн\w*\s+(?:доставк|упаковк|отправк)\w*|вакуумн\w*\s+упаковк\w*",
        ),
        (
            "discreet",
            r"\bdiscre(?:et|te)(?:ly)?[\s-]+(?:packag\w*|packed|ship\w*|deliver\w*|parcels?|wrapp\w*|envelopes?|box(?:es)?|mail\w*|post)\b|\b(?:shipped|packed|packaged|sent|delivered|mailed|wrapped)\s+(?:very\s+)?discre(?:et|te)ly\b|\b(?:unmarked|neutral|plain|unbranded|anonymous)\s+(?:packag\w*|parcels?|box(?:es)?|envelopes?|wrapping|sender)\b|\b(?:env[ií]o|empaque|embalaje|paquete|entrega|embalagem)\s+discret[oa]\b|\b(?:embalaje|sobre|embalagem)\s+neutr[oa]\b|\b(?:colis|envoi|emballage|livraison|exp[ée]dition|paquet)\s+discret\b|\b(?:emballage|enveloppe)\s+neutre\b|\b(?:exp[ée]di|envoy|livr)[ée]e?s?\s+discr[èe]tement\b|\bdiskret(?:e|er|es|en)?\s+(?:verpack\w*|versand\w*|versendet|geliefert|lieferung|zustellung)|\bneutral(?:e|er|es|en)?\s+(?:verpack\w*|versand\w*|umschlag|briefumschlag|paket)|\b(?:spedizione|imballaggio|confezione)\s+(?:discret[ao]|anonim[ao]|neutr[ao])\b|\bdiscrete\s+verpakking\b|\bdyskretn\w*\s+(?:wysy[łl]k\w*|opakowani\w*|przesy[łl]k\w*)|隐秘包装|隐蔽包装|保密包装|保密发货|анонимн\w*\s+(?:доставк|упаковк)\w*|нейтральн\w*\s+упаковк\w*",
        ),
        (
            "no customs",
            r"\bno\s+customs\b|\b(?:avoid|pass|passes|bypass)\w*\s+customs\b|\bcustoms[\s-]*free\b|\b(?:guaranteed|100%)\s+(?:delivery\s+)?(?:through|past|via)\s+customs\b|\bcustoms\s+(?:clearance\s+)?guarantee\w*|\bsin\s+aduanas?\b|\bsans\s+douane\b|\bsem\s+alfândega\b|\bohne\s+zoll\b|без\s+таможн\w*|包过海关|包清关|免清关|无需清关|不走海关",
        ),
        (
            "reship guarantee",
            r"\bre-?ship(?:ping)?\s+(?:guarantee|policy)\w*|\bfree\s+re-?ship\w*|\bre-?send\s+guarantee\w*|包补发|丢件补发",
        ),
        (
            "worldwide",
            r"\bworld\s?wide\b|\bships?\s+(?:to\s+)?(?:all\s+countries|anywhere|internationally)\b|\binternational\s+shipping\b|\ba\s+todo\s+el\s+mundo\b|\bdans\s+le\s+monde\s+entier\b|\bpara\s+todo\s+o\s+mundo\b|\bweltweit\b|по\s+всему\s+миру|全球|国际快递|全国包邮",
        ),
        (
            "overnight",
            r"\bovernight\b|\bnext[\s-]day\b|\bsame[\s-]day\b|次日达|当日达",
        ),
        (
            "express",
            r"\bexpress\s+(?:shipping|delivery|post)\b|顺丰|快递|\benvío\s+express\w*",
        ),
        (
            "tracked",
            r"\btracking\s+(?:number|code|provided|included)\b|\btracked\b|\bwith\s+tracking\b|物流单号|快递单号",
        ),
        (
            "free shipping",
            r"\bfree\s+(?:shipping|delivery)\b|\benvío\s+gratis\b|\blivraison\s+gratuite\b|\bfrete\s+grátis\b|бесплатн\w*\s+доставк\w*|包邮|免运费",
        ),
        (
            "domestic",
            r"\b(?:us|usa|eu|uk|au|ca)\s*(?:to|2)\s*(?:us|usa|eu|uk|au|ca)\b|\bdomestic\s+(?:shipping|delivery)\b|\bships?\s+from\s+within\b",
        ),
    ])
});

/// Canonical shipping claims found in `text`, in order of first appearance.
pub fn parse_shipping_claims(text: &str) -> Vec<String> {
    CLAIMS.find(text)
}

/// The guarded regexes of this module, for the gate-equivalence tests.
#[cfg(test)]
pub(crate) fn guarded_regexes() -> Vec<&'static crate::guarded::GuardedRegex> {
    CLAIMS.regexes().collect()
}

#[cfg(test)]
mod tests {
    use super::parse_shipping_claims;

    #[test]
    fn a_claim_is_about_the_parcel_not_a_bare_word() {
        for (text, claim) in [
            ("Shipped in a neutral envelope", "discreet"),
            ("Vacuum sealed, smell proof", "stealth"),
            ("Diskreter Versand", "discreet"),
            ("Colis discret", "discreet"),
            ("Envio discreto, embalagem neutra", "discreet"),
            ("We pass customs every time", "no customs"),
        ] {
            assert!(
                parse_shipping_claims(text).iter().any(|c| c == claim),
                "{text}: {:?}",
                parse_shipping_claims(text)
            );
        }
        for text in [
            "Discreet treatments for erectile dysfunction",
            "Stealth mode, discreet design",
            "Discrete mathematics textbook",
            "Stealthy bike lights",
            "Customs duties may apply",
        ] {
            assert!(
                parse_shipping_claims(text).is_empty(),
                "{text}: {:?}",
                parse_shipping_claims(text)
            );
        }
    }
}
