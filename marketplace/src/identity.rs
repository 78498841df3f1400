//! Who runs a shop, as its pages show it: theme, analytics tag, contacts, wallet, affiliate
//! and checkout links, licence claim and address.
//!
//! Every shop has its own values unless a planted network (see [`crate::networks`]) makes
//! some of them shared: a clustering stage must link exactly the planted networks.

use crate::archetype::Archetype;

/// The analytics tag a shop's pages load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Analytics {
    /// Google tag (`gtag.js`) with a `UA-…` or `G-…` id.
    Google(String),
    /// Google Tag Manager container `GTM-…`.
    TagManager(String),
    /// Yandex Metrika counter.
    Yandex(u64),
    /// Baidu 统计 site key (32 hex digits).
    Baidu(String),
}

impl Analytics {
    /// The id as extraction normalises it (`UA-…`, `GTM-…`, `YM-…`, `BAIDU-<HEX>`).
    pub fn normalised(&self) -> String {
        match self {
            Analytics::Google(id) | Analytics::TagManager(id) => id.clone(),
            Analytics::Yandex(n) => format!("YM-{n}"),
            Analytics::Baidu(key) => format!("BAIDU-{}", key.to_ascii_uppercase()),
        }
    }

    /// The `<script>` (and `<noscript>`) markup of the tag, for the page head.
    pub fn snippet(&self) -> String {
        match self {
            Analytics::Google(id) => format!(
                "<script async src=\"https://www.googletagmanager.com/gtag/js?id={id}\"></script>\n\
                 <script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}\
                 gtag('js',new Date());gtag('config','{id}');</script>\n"
            ),
            Analytics::TagManager(id) => format!(
                "<script>(function(w,d,s,l,i){{w[l]=w[l]||[];w[l].push({{'gtm.start':new Date().getTime(),event:'gtm.js'}});\
                 var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;\
                 j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);}})\
                 (window,document,'script','dataLayer','{id}');</script>\n"
            ),
            Analytics::Yandex(n) => format!(
                "<script>(function(m,e,t,r,i,k,a){{m[i]=m[i]||function(){{(m[i].a=m[i].a||[]).push(arguments)}};\
                 k=e.createElement(t);a=e.getElementsByTagName(t)[0];k.async=1;k.src=r;a.parentNode.insertBefore(k,a)}})\
                 (window,document,'script','https://mc.yandex.ru/metrika/tag.js','ym');\
                 ym({n}, \"init\", {{clickmap:true, trackLinks:true}});</script>\n"
            ),
            Analytics::Baidu(key) => format!(
                "<script>var _hmt=_hmt||[];(function(){{var hm=document.createElement(\"script\");\
                 hm.src=\"https://hm.baidu.com/hm.js?{key}\";var s=document.getElementsByTagName(\"script\")[0];\
                 s.parentNode.insertBefore(hm,s);}})();</script>\n"
            ),
        }
    }
}

/// A card processor's hosted checkout: used by many unrelated shops, the legitimate one too,
/// so sharing it links nobody.
pub const COMMON_CHECKOUT: &str = "https://checkout.stripe.com/c/pay/";
/// Host of [`COMMON_CHECKOUT`], as extraction reports it.
pub const COMMON_CHECKOUT_HOST: &str = "checkout.stripe.com";

/// Everything a shop's pages show about its operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Class token of the theme: `theme-<token>` on `<body>`. Letters only (extraction ignores
    /// digits in class names), so cycled shops get `meridian-b`, not `meridian2`.
    pub theme: String,
    /// The analytics tag of every page.
    pub analytics: Analytics,
    /// E-mail and phone lines, as printed; `{handle}` stands for a classified ad poster.
    pub plain: Vec<String>,
    /// Messaging lines, as printed; `{handle}` as above.
    pub messaging: Vec<String>,
    /// A plain contact printed on every listing that is not messaging-only (a network's
    /// shared phone must show up on the pages).
    pub pinned: Option<String>,
    /// Bitcoin wallet printed on every product page.
    pub wallet: Option<String>,
    /// Affiliate-program link in the footer (`…?aff=…`).
    pub affiliate_link: Option<String>,
    /// Prefix of the off-site checkout link on product pages.
    pub checkout: Option<&'static str>,
    /// Footer line that claims a licence or registration.
    pub licence_line: Option<String>,
    /// Postal address in the footer (`<address>`).
    pub address: Option<String>,
}

/// Street address of the legitimate pharmacy.
pub const LEGIT_ADDRESS: &str = "CareWell Pharmacy Ltd, 12 Park Row, Leeds LS1 5HD, United Kingdom";

impl Identity {
    /// The identity of the `cycle`-th shop of `arch` (0 for the first).
    pub fn of_archetype(arch: Archetype, cycle: usize) -> Identity {
        let base = base_identity(arch);
        if cycle == 0 {
            return base;
        }
        Identity {
            theme: format!("{}-{}", base.theme, cycle_letters(cycle)),
            analytics: vary_analytics(&base.analytics, cycle),
            plain: base.plain.iter().map(|c| vary(c, cycle)).collect(),
            messaging: base.messaging.iter().map(|c| vary(c, cycle)).collect(),
            ..base
        }
    }
}

fn lines(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn base_identity(arch: Archetype) -> Identity {
    let blank = Identity {
        theme: String::new(),
        analytics: Analytics::TagManager(String::new()),
        plain: Vec::new(),
        messaging: Vec::new(),
        pinned: None,
        wallet: None,
        affiliate_link: None,
        checkout: None,
        licence_line: None,
        address: None,
    };
    match arch {
        Archetype::RoguePharmacy => Identity {
            theme: "meridian".into(),
            analytics: Analytics::Google("UA-31415926-1".into()),
            plain: lines(&["support@medsdirect-rx.com", "Phone: +1 202 555 0143"]),
            messaging: lines(&[
                "WhatsApp: +44 7700 900123",
                "Telegram: @pillsdirect",
                "Signal: +1 202 555 0173",
                "Wickr: medsdirect",
            ]),
            checkout: Some(COMMON_CHECKOUT),
            ..blank
        },
        Archetype::ChinesePharmacy => Identity {
            theme: "jade".into(),
            analytics: Analytics::Baidu("3f1c9a7be2d84c6f90ab41d27e5c8b06".into()),
            plain: lines(&["kangjian_service@163.com", "电话: +86 20 8888 6666"]),
            messaging: lines(&[
                "微信: kangjian888",
                "WhatsApp: +86 138 0013 8000",
                "Telegram: @kangjianrx",
            ]),
            ..blank
        },
        Archetype::Classifieds => Identity {
            theme: "bazaar".into(),
            analytics: Analytics::TagManager("GTM-QK7ADS".into()),
            plain: lines(&["{handle}@gmail.com", "Tel: +34 91 1{phone}"]),
            messaging: lines(&["WhatsApp: +34 612 {phone}", "Telegram: @{handle}"]),
            ..blank
        },
        Archetype::LegitPharmacy => Identity {
            theme: "clinic".into(),
            analytics: Analytics::Google("G-CW4RE11X".into()),
            plain: lines(&["help@carewell-pharmacy.co.uk", "Phone: 0113 496 0000"]),
            checkout: Some(COMMON_CHECKOUT),
            licence_line: Some(
                "GPhC registered pharmacy premises 9011223 · Superintendent pharmacist: Dr A. Patel"
                    .into(),
            ),
            address: Some(LEGIT_ADDRESS.into()),
            ..blank
        },
    }
}

/// `b`, `c`, …, `z`, `ba`, …: a cycle number without digits.
fn cycle_letters(cycle: usize) -> String {
    let mut n = cycle;
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    out.into_iter().collect()
}

fn vary_analytics(a: &Analytics, cycle: usize) -> Analytics {
    let n = cycle as u64;
    match a {
        Analytics::Google(id) if id.starts_with("UA-") => {
            Analytics::Google(format!("UA-{}-1", 31_415_926 + 7_919 * n))
        }
        Analytics::Google(_) => Analytics::Google(format!("G-CW{:06}X", 4_111 * n)),
        Analytics::TagManager(_) => Analytics::TagManager(format!("GTM-QK{:05}", 373 * n)),
        Analytics::Yandex(c) => Analytics::Yandex(c + 1_009 * n),
        Analytics::Baidu(key) => Analytics::Baidu(format!(
            "{:08x}{}",
            0x1000_0000 + n,
            &key[8.min(key.len())..]
        )),
    }
}

/// A contact line of the `cycle`-th copy of a shop: phone numbers get other last digits,
/// e-mail addresses and handles a number, so no two shops share a contact by accident.
fn vary(line: &str, cycle: usize) -> String {
    let digits = line.chars().filter(char::is_ascii_digit).count();
    if digits >= 7 {
        // Replace the last two digits.
        let mut out: Vec<char> = line.chars().collect();
        let mut replaced = 0;
        let suffix = format!("{:02}", (cycle * 17 + 11) % 100);
        let mut new_digits = suffix.chars().rev();
        for c in out.iter_mut().rev() {
            if replaced == 2 {
                break;
            }
            if c.is_ascii_digit() {
                if let Some(d) = new_digits.next() {
                    *c = d;
                }
                replaced += 1;
            }
        }
        return out.into_iter().collect();
    }
    let n = cycle + 1;
    match line.split_once('@') {
        // An e-mail address: number the local part.
        Some((local, domain)) if !local.is_empty() && !local.ends_with(' ') => {
            format!("{local}{n}@{domain}")
        }
        _ => format!("{line}{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycled_identities_share_nothing_with_the_first() {
        for arch in Archetype::ALL {
            let a = Identity::of_archetype(arch, 0);
            let b = Identity::of_archetype(arch, 1);
            let c = Identity::of_archetype(arch, 2);
            assert_ne!(a.theme, b.theme);
            assert!(!b.theme.chars().any(|c| c.is_ascii_digit()));
            assert_ne!(a.analytics.normalised(), b.analytics.normalised());
            assert_ne!(b.analytics.normalised(), c.analytics.normalised());
            for (x, y) in a
                .plain
                .iter()
                .chain(&a.messaging)
                .zip(b.plain.iter().chain(&b.messaging))
            {
                assert_ne!(x, y);
            }
        }
        assert_eq!(
            vary("support@medsdirect-rx.com", 1),
            "support2@medsdirect-rx.com"
        );
        assert_eq!(vary("Telegram: @pillsdirect", 1), "Telegram: @pillsdirect2");
        assert_eq!(vary("Phone: +1 202 555 0143", 1), "Phone: +1 202 555 0128");
        assert_eq!(cycle_letters(1), "b");
        assert_eq!(cycle_letters(27), "bb");
    }
}
