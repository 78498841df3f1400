//! The words a shop of one language prints: form nouns, per-unit price suffixes, the notes a
//! listing makes about prescriptions, payment and contact, and how amounts are written.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalogue::Form;

/// Language of a family shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Locale {
    /// English.
    En,
    /// German.
    De,
    /// Russian.
    Ru,
}

impl Locale {
    /// BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Ru => "ru",
        }
    }

    /// "30 tablets", "30 Tabletten", "30 таблеток".
    pub fn count(self, units: u32, form: Form) -> String {
        let noun = match (self, form) {
            (Locale::En, Form::Tablet) => plural_en(units, "tablet", "tablets"),
            (Locale::En, Form::Capsule) => plural_en(units, "capsule", "capsules"),
            (Locale::En, Form::Pen) => plural_en(units, "pen", "pens"),
            (Locale::De, Form::Tablet) => plural_en(units, "Tablette", "Tabletten"),
            (Locale::De, Form::Capsule) => plural_en(units, "Kapsel", "Kapseln"),
            (Locale::De, Form::Pen) => plural_en(units, "Fertigpen", "Fertigpens"),
            (Locale::Ru, Form::Tablet) => plural_ru(units, ["таблетка", "таблетки", "таблеток"]),
            (Locale::Ru, Form::Capsule) => plural_ru(units, ["капсула", "капсулы", "капсул"]),
            (Locale::Ru, Form::Pen) => {
                plural_ru(units, ["шприц-ручка", "шприц-ручки", "шприц-ручек"])
            }
        };
        format!("{units} {noun}")
    }

    /// What follows a per-unit price ("/pill", "per tab", "pro Tablette", "за таблетку");
    /// `variant` picks among the ways shops write it.
    pub fn per_unit(self, form: Form, variant: u8) -> &'static str {
        match (self, form) {
            (Locale::En, Form::Tablet) => {
                ["/pill", " per tab", " per pill"][usize::from(variant % 3)]
            }
            (Locale::En, Form::Capsule) => {
                ["/cap", " per capsule", " per cap"][usize::from(variant % 3)]
            }
            (Locale::En, Form::Pen) => " per pen",
            (Locale::De, Form::Tablet) => " pro Tablette",
            (Locale::De, Form::Capsule) => " pro Kapsel",
            (Locale::De, Form::Pen) => " pro Pen",
            (Locale::Ru, Form::Tablet) => " за таблетку",
            (Locale::Ru, Form::Capsule) => " за капсулу",
            (Locale::Ru, Form::Pen) => " за шприц-ручку",
        }
    }

    /// The listing's own statement that it needs a prescription.
    pub fn prescription_required(self) -> &'static str {
        match self {
            Locale::En => {
                "Prescription required: upload or post your prescription before we dispense."
            }
            Locale::De => "Rezeptpflichtig: Bitte senden Sie uns Ihr Originalrezept.",
            Locale::Ru => "Отпускается строго по рецепту врача.",
        }
    }

    /// The listing's own claim that no prescription is needed.
    pub fn no_prescription(self) -> &'static str {
        match self {
            Locale::En => "No prescription needed, order today.",
            Locale::De => "Ohne Rezept bestellen, keine Wartezeit.",
            Locale::Ru => "Без рецепта, заказ за две минуты.",
        }
    }

    /// The listing's own payment line when it takes crypto-currency only.
    pub fn crypto_only(self) -> &'static str {
        match self {
            Locale::En => "Payment: Bitcoin or USDT only",
            Locale::De => "Zahlung nur per Bitcoin oder USDT",
            Locale::Ru => "Оплата только Bitcoin или USDT",
        }
    }

    /// The listing's own stealth-shipping claim.
    pub fn stealth(self) -> &'static str {
        match self {
            Locale::En => "Shipped in stealth packaging, no customs problems.",
            Locale::De => "Versand in neutraler Tarnverpackung, kein Zoll.",
            Locale::Ru => "Скрытая упаковка, без проблем с таможней.",
        }
    }

    /// The listing's own, ordinary shipping line.
    pub fn tracked(self) -> &'static str {
        match self {
            Locale::En => "Dispatched within 24 hours by tracked post.",
            Locale::De => "Versand innerhalb von 24 Stunden mit Sendungsverfolgung.",
            Locale::Ru => "Отправка в течение суток, с трек-номером.",
        }
    }

    /// The listing's own, ordinary payment line.
    pub fn card_payment(self) -> &'static str {
        match self {
            Locale::En => "Payment: Visa, Mastercard, PayPal",
            Locale::De => "Zahlung: Visa, Mastercard, PayPal, Rechnung",
            Locale::Ru => "Оплата: Visa, Mastercard, МИР",
        }
    }

    /// A mobile number as the country writes it (fictional ranges where there are some).
    pub fn phone(self, rng: &mut fastrand::Rng) -> String {
        match self {
            Locale::En => format!("+44 7700 900{:03}", rng.u16(..1000)),
            Locale::De => format!("+49 151 {:08}", rng.u32(..100_000_000)),
            Locale::Ru => format!(
                "+7 912 {:03}-{:02}-{:02}",
                rng.u16(..1000),
                rng.u8(..100),
                rng.u8(..100)
            ),
        }
    }

    /// An amount as people of this language write it: `1.04`, `1,04`.
    pub fn amount(self, amount: Decimal) -> String {
        let text = format!("{:.2}", amount.round_dp(2));
        match self {
            Locale::En => text,
            Locale::De | Locale::Ru => text.replace('.', ","),
        }
    }
}

fn plural_en(units: u32, one: &'static str, many: &'static str) -> &'static str {
    if units == 1 { one } else { many }
}

/// Russian plural forms: one (1, 21…), few (2–4, 22–24…), many (the rest, 11–14).
fn plural_ru(units: u32, [one, few, many]: [&'static str; 3]) -> &'static str {
    let (tens, ones) = (units % 100, units % 10);
    if (11..=14).contains(&tens) {
        many
    } else if ones == 1 {
        one
    } else if (2..=4).contains(&ones) {
        few
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_counts_agree_with_the_number() {
        assert_eq!(Locale::Ru.count(1, Form::Tablet), "1 таблетка");
        assert_eq!(Locale::Ru.count(24, Form::Tablet), "24 таблетки");
        assert_eq!(Locale::Ru.count(12, Form::Tablet), "12 таблеток");
        assert_eq!(Locale::Ru.count(30, Form::Capsule), "30 капсул");
    }

    #[test]
    fn amounts_use_the_local_decimal_mark() {
        assert_eq!(Locale::De.amount(Decimal::new(104, 2)), "1,04");
        assert_eq!(Locale::En.amount(Decimal::new(36899, 2)), "368.99");
    }
}
