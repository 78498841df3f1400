//! Measures recall and precision of Chinese drug-name search: the crate's CJK bigram analyzer
//! against the jieba dictionary segmenter (tantivy-jieba).
//!
//! Ground truth: a text is relevant to a name when it contains the name (what an investigator
//! who types 奥施康定 expects). Both analyzers are queried through tantivy's own QueryParser, so
//! a multi-token name becomes a phrase query of that analyzer's tokens.
//!
//! `cargo test -p pharmwatch-indexer --test cjk_recall -- --nocapture` (bigrams only);
//! `cargo test -p pharmwatch-indexer --features jieba-compare --test cjk_recall -- --nocapture`
//! adds jieba (compiles jieba-rs and its embedded dictionary).

use tantivy::collector::DocSetCollector;
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, TantivyDocument};

/// Realistic titles/descriptions from Chinese sellers (drug names in many contexts).
const TEXTS: &[&str] = &[
    "正品奥施康定40mg无需处方",
    "奥施康定缓释片 20mg*30片 原装进口",
    "美国进口奥施康定OxyContin止痛",
    "出售奥施康定，微信联系",
    "西地那非片100mg*30片",
    "万艾可(西地那非)50mg 正品",
    "国产西地那非枸橼酸片 男性保健",
    "司美格鲁肽注射液笔",
    "诺和盈司美格鲁肽减肥针 现货",
    "司美格鲁肽1mg一支无需处方",
    "羟考酮 10mg 60片 隐秘包装",
    "盐酸羟考酮缓释片止痛",
    "氨酚羟考酮片代购",
    "阿普唑仑 0.4mg 100片",
    "阿普唑仑片安眠药免处方",
    "佳静安定(阿普唑仑)助眠",
    "他达拉非片20mg 希爱力",
    "希爱力他达拉非5mg*28",
    "曲马多缓释片100mg代发",
    "盐酸曲马多胶囊无需处方",
    "地西泮片 安定 2.5mg",
    "唑吡坦10mg思诺思安眠",
    "酒石酸唑吡坦片现货",
    "莫达非尼提神200mg",
    "普瑞巴林胶囊75mg乐瑞卡",
    "布洛芬缓释胶囊 300mg 20粒",
    "阿莫西林胶囊0.25g*24粒",
    "二甲双胍缓释片0.5g",
    "对乙酰氨基酚片退烧",
    "氯雷他定片过敏",
    "万艾可正品蓝色小药丸",
    // distractors: share characters or bigrams with the names, but do not contain them
    "康定红景天口服液",
    "西地区批发那非常便宜",
    "司美容院格鲁吉亚红酒",
    "曲马戏团门票",
    "地西兰花泮塘直供",
    "达拉非洲之旅",
    "非那雄胺片",
    "维生素C泡腾片",
    "安眠枕头 助眠神器",
];

/// Names an investigator searches for.
const NAMES: &[&str] = &[
    "奥施康定",
    "西地那非",
    "司美格鲁肽",
    "羟考酮",
    "阿普唑仑",
    "他达拉非",
    "希爱力",
    "万艾可",
    "曲马多",
    "地西泮",
    "唑吡坦",
    "莫达非尼",
    "普瑞巴林",
    "布洛芬",
    "阿莫西林",
    "二甲双胍",
    "对乙酰氨基酚",
    "氯雷他定",
    "安定",
];

#[derive(Debug, Default)]
struct Score {
    relevant: usize,
    found: usize,
    found_relevant: usize,
    missed: Vec<String>,
    false_hits: Vec<String>,
}

impl Score {
    fn recall(&self) -> f64 {
        self.found_relevant as f64 / self.relevant as f64
    }
    fn precision(&self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.found_relevant as f64 / self.found as f64
        }
    }
}

fn measure(name: &str, analyzer: TextAnalyzer) -> Score {
    let mut sb = Schema::builder();
    let opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(name)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let text = sb.add_text_field("text", opts | STORED);
    let index = Index::create_in_ram(sb.build());
    index.tokenizers().register(name, analyzer);
    let mut w = index.writer_with_num_threads(1, 20_000_000).unwrap();
    for t in TEXTS {
        let mut d = TantivyDocument::default();
        d.add_text(text, t);
        w.add_document(d).unwrap();
    }
    w.commit().unwrap();
    let searcher = index.reader().unwrap().searcher();
    let parser = QueryParser::for_index(&index, vec![text]);
    let mut score = Score::default();
    for q in NAMES {
        let query = parser.parse_query(q).unwrap();
        let found = searcher.search(&query, &DocSetCollector).unwrap();
        for (i, t) in TEXTS.iter().enumerate() {
            let relevant = t.contains(q);
            let hit = found.iter().any(|a| a.doc_id as usize == i);
            score.relevant += usize::from(relevant);
            score.found += usize::from(hit);
            score.found_relevant += usize::from(relevant && hit);
            if relevant && !hit {
                score.missed.push(format!("{q} in {t}"));
            }
            if hit && !relevant {
                score.false_hits.push(format!("{q} → {t}"));
            }
        }
    }
    score
}

fn report(label: &str, s: &Score) {
    println!(
        "{label:<22} recall {:>5.1}% ({}/{})  precision {:>5.1}% ({}/{})",
        100.0 * s.recall(),
        s.found_relevant,
        s.relevant,
        100.0 * s.precision(),
        s.found_relevant,
        s.found
    );
    for m in &s.missed {
        println!("    missed: {m}");
    }
    for f in &s.false_hits {
        println!("    false hit: {f}");
    }
}

#[test]
fn bigrams_find_every_chinese_name() {
    let s = measure("pw_text", pharmwatch_indexer::analysis::text_analyzer());
    report("CJK bigrams (ours)", &s);
    assert_eq!(s.relevant, 36);
    assert_eq!(s.recall(), 1.0, "missed: {:?}", s.missed);
    // Bigram phrases only match the contiguous name, so the distractors are not hit.
    assert!(s.false_hits.is_empty(), "{:?}", s.false_hits);
}

#[cfg(feature = "jieba-compare")]
#[test]
fn jieba_for_comparison() {
    use tantivy_jieba::JiebaTokenizer;
    let bigrams = measure("pw_text", pharmwatch_indexer::analysis::text_analyzer());
    let search = measure("jieba", TextAnalyzer::from(JiebaTokenizer::new()));
    let default = measure(
        "jieba",
        TextAnalyzer::from(JiebaTokenizer::with_search_mode(false)),
    );
    report("CJK bigrams (ours)", &bigrams);
    report("jieba (search mode)", &search);
    report("jieba (default mode)", &default);
}
