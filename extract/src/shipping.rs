//! Shipping claims made on a page, as lower-case canonical phrases.
//!
//! Canonical claims: "stealth", "discreet", "no customs" (also "customs-free", "guaranteed
//! delivery through customs", 包过海关, "sin aduana", "без таможни"), "reship guarantee",
//! "worldwide", "overnight", "express", "tracked", "free shipping", "domestic" ("US to US",
//! "EU to EU", "ships from within …"), "no prescription needed" is NOT a shipping claim.

use std::sync::LazyLock;

use crate::keywords::Catalogue;

static CLAIMS: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::new(&[
        (
            "stealth",
            r"\bstealth\w*|\bvacuum[\s-]*sealed\b|\bsmell[\s-]*proof\b|隐形包装|скрытн\w*",
        ),
        (
            "discreet",
            r"\bdiscre[et]{2}\w*|\bunmarked\s+(?:package|packaging|parcel|box)\b|\bplain\s+(?:package|packaging|box|envelope)\b|\bdiscret\w*|\bdiscreto\w*|\bdiscreta\w*|隐秘|隐蔽|保密包装|анонимн\w*\s+(?:доставк|упаковк)\w*",
        ),
        (
            "no customs",
            r"\bno\s+customs\b|\bcustoms[\s-]*free\b|\b(?:guaranteed|100%)\s+(?:delivery\s+)?(?:through|past|via)\s+customs\b|\bcustoms\s+(?:clearance\s+)?guarantee\w*|\bsin\s+aduanas?\b|\bsans\s+douane\b|\bsem\s+alfândega\b|\bohne\s+zoll\b|без\s+таможн\w*|包过海关|包清关|免清关|无需清关|不走海关",
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
