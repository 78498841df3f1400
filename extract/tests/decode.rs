//! Charset decoding: header, BOM, meta, detection, for GBK, Shift_JIS and Windows-1251.

use encoding_rs::{Encoding, GBK, SHIFT_JIS, WINDOWS_1251};
use pharmwatch_extract::{CharsetSource, decode_html};

const ZH: &str = "康健大药房 西地那非 100mg 30片 价格：￥128.00 微信: kangjian888 隐秘包装，包过海关。\
本店所有药品均为正品，全国包邮，货到付款。处方药须凭处方在药师指导下购买和使用。\
我们提供专业的药学服务，欢迎咨询。阿莫西林胶囊 0.25克 24粒，布洛芬缓释胶囊。";
const JA: &str = "こちらは日本語のテキストです。お薬の通販サイトでは、処方箋が必要な医薬品を販売しています。\
送料無料、代金引換もご利用いただけます。価格は税込みで表示しております。ご注文をお待ちしております。";
const RU: &str = "Аптека без рецепта: Трамадол 50 мг 20 таблеток, цена 1 299 руб. Доставка по всему миру, \
без таможни. Оплата биткоином. Мы работаем круглосуточно и отвечаем на все вопросы покупателей.";

fn page(body: &str, meta: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head>{meta}<title>t</title></head><body><p>{body}</p><p>{body}</p></body></html>"
    )
}

fn encode(text: &str, enc: &'static Encoding) -> Vec<u8> {
    let (bytes, _, unmappable) = enc.encode(text);
    assert!(
        !unmappable,
        "test text must be representable in {}",
        enc.name()
    );
    bytes.into_owned()
}

#[test]
fn header_charset_wins() {
    let html = page(ZH, "");
    let bytes = encode(&html, GBK);
    let d = decode_html(&bytes, Some("text/html; charset=GBK"), None);
    assert_eq!(d.source, CharsetSource::Header);
    assert_eq!(d.encoding, "GBK");
    assert!(d.text.contains("西地那非") && !d.had_errors);
    // Quoted, upper-case parameter names and gb2312 labels work too (GB18030-compatible).
    let d = decode_html(&bytes, Some("text/html; CHARSET=\"gb2312\""), None);
    assert!(d.text.contains("康健大药房"));
}

#[test]
fn meta_charset_and_http_equiv() {
    let bytes = encode(&page(ZH, r#"<meta charset="gbk">"#), GBK);
    let d = decode_html(&bytes, None, None);
    assert_eq!((d.source, d.encoding), (CharsetSource::Meta, "GBK"));
    assert!(d.text.contains("包过海关"));

    let bytes = encode(
        &page(
            JA,
            r#"<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">"#,
        ),
        SHIFT_JIS,
    );
    let d = decode_html(&bytes, None, None);
    assert_eq!((d.source, d.encoding), (CharsetSource::Meta, "Shift_JIS"));
    assert!(d.text.contains("処方箋"));

    let bytes = encode(&page(RU, "<META CHARSET=windows-1251>"), WINDOWS_1251);
    let d = decode_html(&bytes, None, None);
    assert_eq!(
        (d.source, d.encoding),
        (CharsetSource::Meta, "windows-1251")
    );
    assert!(d.text.contains("Трамадол"));
}

#[test]
fn undeclared_charsets_are_detected() {
    for (text, enc, tld, needle) in [
        (ZH, GBK, Some("cn"), "西地那非"),
        (ZH, GBK, None, "西地那非"),
        (JA, SHIFT_JIS, Some("shop.example.jp"), "処方箋"),
        (JA, SHIFT_JIS, None, "処方箋"),
        (RU, WINDOWS_1251, Some(".ru"), "Трамадол"),
        (RU, WINDOWS_1251, None, "Трамадол"),
    ] {
        let bytes = encode(&page(text, ""), enc);
        let d = decode_html(&bytes, Some("text/html"), tld);
        assert_eq!(d.source, CharsetSource::Detected);
        assert!(
            d.text.contains(needle),
            "{} (tld {tld:?}) detected as {}",
            enc.name(),
            d.encoding
        );
    }
}

#[test]
fn bom_beats_a_wrong_header() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(page(ZH, "").as_bytes());
    let d = decode_html(&bytes, Some("text/html; charset=iso-8859-1"), None);
    assert_eq!((d.source, d.encoding), (CharsetSource::Bom, "UTF-8"));
    assert!(d.text.starts_with("<!DOCTYPE"));
    assert!(d.text.contains("西地那非"));
}

#[test]
fn malformed_input_still_gives_valid_utf8() {
    let bytes = [b'<', b'p', b'>', 0xFF, 0xFE, 0x81, b'a', 0xC3];
    let d = decode_html(&bytes, Some("text/html; charset=utf-8"), None);
    assert!(d.had_errors);
    assert!(d.text.contains('\u{FFFD}'));
    let d = decode_html(b"", None, None);
    assert_eq!((d.text.as_str(), d.source), ("", CharsetSource::Default));
    let d = decode_html(b"<p>plain ascii</p>", None, None);
    assert_eq!((d.encoding, d.source), ("UTF-8", CharsetSource::Default));
    // An unknown label falls through to the next source.
    let d = decode_html(
        "<p>héllo wörld, çà et là</p>".as_bytes(),
        Some("text/html; charset=bogus"),
        None,
    );
    assert_eq!(d.source, CharsetSource::Detected);
    assert!(d.text.contains("héllo"));
}
