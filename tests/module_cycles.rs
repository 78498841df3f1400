//! No import cycles between the modules of one crate (issue 20).
//!
//! Reads every crate's `src/` tree, turns each file into a module path (`src/a/b.rs` and
//! `src/a/b/mod.rs` are `a::b`), and draws an edge from a module to every module its code
//! names through `crate::…`, `super::…` or `self::…` paths (in `use` lines and in
//! expressions). Edges between a module and its own ancestors or descendants are not
//! cycles (a parent declares its children; a child reads its parent's items), and test
//! modules (`#[cfg(test)]` onwards) are left out. Every strongly connected set of more than
//! one module is a cycle. The same is then asked of the crate's top-level modules, each
//! standing for itself and everything under it: `pipeline` naming `commands::ConfigError`
//! while `commands::crawl` names `pipeline` is a cycle between `commands` and `pipeline`.
//!
//! Cycles that existed when this check was written are listed in [`KNOWN`]: the check fails
//! on any other cycle, and also when a known one is gone, so the list only shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Cycles present when the check was added, as "crate: module, module, …" (sorted).
/// Issue 20 removes them; delete a line when its cycle is gone.
const KNOWN: &[&str] = &["extract: extract, identifiers"];

#[test]
fn no_module_imports_itself_through_another() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = BTreeSet::new();
    for (krate, src) in crate_sources(root) {
        let graph = module_graph(&src);
        let between_files = cycles(&graph);
        for cycle in &between_files {
            found.insert(format!("{krate}: {}", cycle.join(", ")));
        }
        for cycle in cycles(&top_level(&graph)) {
            if !between_files.contains(&cycle) {
                found.insert(format!("{krate} (top-level modules): {}", cycle.join(", ")));
            }
        }
    }
    let known: BTreeSet<String> = KNOWN.iter().map(|s| s.to_string()).collect();
    let new: Vec<&String> = found.difference(&known).collect();
    let gone: Vec<&String> = known.difference(&found).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "module import cycles changed.\nnew cycles (break them: move the shared item down into a \
         module both can use):\n  {}\nknown cycles now gone (delete them from KNOWN in {}):\n  {}",
        join(&new),
        file!(),
        join(&gone)
    );
}

#[test]
fn the_checker_sees_a_cycle_and_ignores_parent_child_edges() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    fs::create_dir_all(src.join("web")).unwrap();
    fs::write(src.join("lib.rs"), "mod a; mod b; mod c; mod web;\n").unwrap();
    fs::write(src.join("a.rs"), "use crate::b::thing;\n").unwrap();
    fs::write(
        src.join("b.rs"),
        "pub fn thing() { crate::a::other(); }\n#[cfg(test)]\nmod tests { use crate::web::x; }\n",
    )
    .unwrap();
    fs::write(src.join("c.rs"), "use crate::web::Page;\n").unwrap();
    fs::write(src.join("web/mod.rs"), "mod page; use self::page::P;\n").unwrap();
    fs::write(
        src.join("web/page.rs"),
        "use super::{Q, R};\nuse crate::{a::x, web::page::Y, c};\n",
    )
    .unwrap();
    let graph = module_graph(src);
    assert_eq!(cycles(&graph), vec![vec!["a".to_string(), "b".to_string()]]);
    assert_eq!(
        cycles(&top_level(&graph)),
        vec![
            vec!["a".to_string(), "b".to_string()],
            vec!["c".to_string(), "web".to_string()]
        ],
        "web::page names c, and c names web"
    );
    assert!(graph["web::page"].contains("a"), "{graph:?}");
    assert!(!graph["b"].contains("web"), "test modules are left out");
}

fn join(items: &[&String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    }
}

/// Each workspace member's name and `src/` folder, the binary package included.
fn crate_sources(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = vec![("pharmwatch".to_string(), root.join("src"))];
    let Ok(entries) = fs::read_dir(root) else {
        return out;
    };
    let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    dirs.sort();
    for dir in dirs {
        if dir.join("Cargo.toml").is_file() && dir.join("src").is_dir() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, dir.join("src")));
        }
    }
    out
}

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Module path → modules it names (ancestors and descendants left out).
fn module_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .into_iter()
        .filter_map(|f| Some((module_of(src, &f)?, f)))
        .collect();
    let names: BTreeSet<&str> = modules.keys().map(String::as_str).collect();
    let mut graph = Graph::new();
    for (module, file) in &modules {
        let code = fs::read_to_string(file).unwrap_or_default();
        let code = strip_comments(&code);
        let code = without_tests(&code);
        let edges = graph.entry(module.clone()).or_default();
        for path in named_paths(code) {
            let Some(target) = resolve(module, &path, &names) else {
                continue;
            };
            if !related(module, &target) {
                edges.insert(target);
            }
        }
    }
    graph
}

/// The graph between top-level modules: each stands for itself and all its descendants.
fn top_level(graph: &Graph) -> Graph {
    let top = |m: &str| m.split("::").next().unwrap_or("").to_string();
    let mut out = Graph::new();
    for (from, targets) in graph {
        let from = top(from);
        let edges = out.entry(from.clone()).or_default();
        for t in targets {
            let t = top(t);
            if t != from && !t.is_empty() && !from.is_empty() {
                edges.insert(t);
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `lib.rs`/`main.rs` → "", `a/mod.rs` and `a.rs` → "a", `a/b.rs` → "a::b". Files under
/// `bin/` are separate crates and left out.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.first().is_some_and(|p| p == "bin") {
        return None;
    }
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if !(parts.is_empty() && (stem == "lib" || stem == "main")) && stem != "mod" {
        parts.push(stem.to_string());
    }
    Some(parts.join("::"))
}

fn strip_comments(code: &str) -> String {
    code.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The code before the first `#[cfg(test)]`: test modules sit at the end of a file.
fn without_tests(code: &str) -> &str {
    match code.find("#[cfg(test)]") {
        Some(i) => &code[..i],
        None => code,
    }
}

/// Every path that starts with `crate`, `super` or `self`, with `use` groups expanded:
/// `use super::{a, b::c}` gives `super::a` and `super::b::c`.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let head = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|h| bytes[i..].starts_with(h.as_bytes()));
        match head {
            Some(h) if starts_word => {
                let end = path_end(code, i);
                expand(&code[i..end], &mut out);
                i = end.max(i + h.len());
            }
            _ => i += 1,
        }
    }
    out
}

/// End of the path starting at `start`: identifiers, `::`, and balanced `{…}` groups.
fn path_end(code: &str, start: usize) -> usize {
    let mut depth = 0usize;
    for (off, c) in code[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if c.is_alphanumeric() || c == '_' || c == ':' || c == '*' => {}
            c if depth > 0 && (c == ',' || c.is_whitespace()) => {}
            _ if depth == 0 => return start + off,
            _ => {}
        }
    }
    code.len()
}

fn expand(path: &str, out: &mut Vec<Vec<String>>) {
    let compact: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    for flat in flatten(&compact) {
        let segs: Vec<String> = flat
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if !segs.is_empty() {
            out.push(segs);
        }
    }
}

/// `a::{b,c::{d,e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn flatten(path: &str) -> Vec<String> {
    let Some(open) = path.find('{') else {
        return vec![path.to_string()];
    };
    let prefix = &path[..open];
    let inner = path[open + 1..]
        .strip_suffix('}')
        .unwrap_or(&path[open + 1..]);
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0usize, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&inner[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[from..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| flatten(&format!("{prefix}{p}")))
        .collect()
}

/// The longest known module a path names, from the module `from`.
fn resolve(from: &str, path: &[String], modules: &BTreeSet<&str>) -> Option<String> {
    let mut base: Vec<&str> = if from.is_empty() {
        Vec::new()
    } else {
        from.split("::").collect()
    };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let mut best = base.join("::");
    let mut cur = base.clone();
    for seg in rest {
        cur.push(seg);
        let candidate = cur.join("::");
        if modules.contains(candidate.as_str()) {
            best = candidate;
        } else {
            break;
        }
    }
    modules.contains(best.as_str()).then_some(best)
}

/// Whether one module is the other or an ancestor of it.
fn related(a: &str, b: &str) -> bool {
    let under = |x: &str, y: &str| y.is_empty() || x == y || x.starts_with(&format!("{y}::"));
    under(a, b) || under(b, a)
}

/// Strongly connected sets of more than one module (Tarjan), each sorted, in order.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Tarjan<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut set = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    set.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if set.len() > 1 {
                    set.sort();
                    self.out.push(set);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out.sort();
    t.out
}
