//! The crate as a graph of files: which file each file's imports lead to. A path is followed the
//! way the compiler follows it — `crate::`, `super::` and `self::` from the file's module, a
//! child module declared with `mod x;`, or a name the module binds with `use` — through
//! re-exports (`pub use`, as in a `mod.rs`) to the file that defines what it names. Re-exports
//! and `mod` declarations are not imports themselves: a `mod.rs` that only declares and hands on
//! imports nothing.
//!
//! Not seen: a name a file uses bare that it re-exports (`pub use x::A;` and then `A`), macros
//! that build paths, and `#[path]` attributes (arcana has none).

use std::collections::{BTreeMap, BTreeSet};

use super::reader::{Read, Use, read};

/// One import: from a file to the file that defines what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Edge {
    pub from: String,
    pub to: String,
    pub line: usize,
    /// The path as written.
    pub path: String,
}

/// Where a path leads: a module (to its file), or an item defined in a file.
enum Target {
    Module(Vec<String>),
    Item(String),
}

/// The crate's files (paths relative to `src/`), their modules and what each names.
pub(super) struct Crate {
    /// File → its module path (`lib.rs` → the root, `a/mod.rs` and `a.rs` → `a`).
    modules: BTreeMap<String, Vec<String>>,
    /// Module path → its file.
    files: BTreeMap<Vec<String>, String>,
    reads: BTreeMap<String, Read>,
}

impl Crate {
    /// The crate made of `sources`: (path relative to `src/`, text). Files that are no module
    /// (`main.rs`) are left out.
    pub(super) fn new(sources: impl IntoIterator<Item = (String, String)>) -> Crate {
        let mut krate = Crate { modules: BTreeMap::new(), files: BTreeMap::new(), reads: BTreeMap::new() };
        for (file, text) in sources {
            let Some(module) = module_of(&file) else { continue };
            krate.files.insert(module.clone(), file.clone());
            krate.modules.insert(file.clone(), module);
            krate.reads.insert(file, read(&text));
        }
        krate
    }

    /// The crate's files.
    pub(super) fn files(&self) -> impl Iterator<Item = &String> {
        self.modules.keys()
    }

    /// Every import of `file`: its non-`pub` `use` leaves and the paths in its code, each
    /// followed to the file it leads to (none for other crates' paths; none to itself).
    pub(super) fn edges(&self, file: &str) -> Vec<Edge> {
        let (Some(module), Some(read)) = (self.modules.get(file), self.reads.get(file)) else { return Vec::new() };
        let bound: BTreeSet<&str> = read.uses.iter().filter_map(|u| u.name.as_deref()).collect();
        let children: BTreeSet<&str> = read.children.iter().map(String::as_str).collect();
        let imports = read.uses.iter().filter(|u| !u.public).map(|u| (&u.segments, u.line));
        let paths = read
            .paths
            .iter()
            .filter(|p| {
                let first = p.segments[0].as_str();
                matches!(first, "crate" | "super" | "self") || bound.contains(first) || children.contains(first)
            })
            .map(|p| (&p.segments, p.line));
        imports
            .chain(paths)
            .filter_map(|(segments, line)| {
                let to = self.file_of(&self.walk(module, segments, 0)?)?;
                (to != file).then(|| Edge { from: file.to_owned(), to, line, path: segments.join("::") })
            })
            .collect()
    }

    fn file_of(&self, target: &Target) -> Option<String> {
        match target {
            Target::Module(module) => self.files.get(module).cloned(),
            Target::Item(file) => Some(file.clone()),
        }
    }

    /// What the name `name` is bound to by a `use` in the file of `module`.
    fn binding(&self, module: &[String], name: &str) -> Option<&Use> {
        let read = self.reads.get(self.files.get(module)?)?;
        read.uses.iter().find(|u| u.name.as_deref() == Some(name))
    }

    /// Follows `segments`, written in the file of `from`, as far as the crate's modules go.
    fn walk(&self, from: &[String], segments: &[String], depth: usize) -> Option<Target> {
        if depth > 32 {
            return None;
        }
        let (mut module, rest) = match segments.first().map(String::as_str) {
            Some("crate") => (Vec::new(), &segments[1..]),
            Some("super") => (from[..from.len().saturating_sub(1)].to_vec(), &segments[1..]),
            Some("self") => (from.to_vec(), &segments[1..]),
            Some(first) => {
                // A bare path: a child module or a name bound here; anything else is another
                // crate's (`std::`, `tokio::`).
                let child = [from, &[first.to_owned()]].concat();
                if !self.files.contains_key(&child) && self.binding(from, first).is_none() {
                    return None;
                }
                (from.to_vec(), segments)
            }
            None => return None,
        };
        for segment in rest {
            match segment.as_str() {
                "super" => {
                    module.pop();
                    continue;
                }
                "self" => continue,
                "*" => break,
                _ => {}
            }
            let child = [module.as_slice(), std::slice::from_ref(segment)].concat();
            if self.files.contains_key(&child) {
                module = child;
                continue;
            }
            let Some(binding) = self.binding(&module, segment) else {
                // An item defined in the module's own file.
                return self.files.get(&module).cloned().map(Target::Item);
            };
            match self.walk(&module, &binding.segments, depth + 1)? {
                Target::Module(bound) => module = bound,
                item @ Target::Item(_) => return Some(item),
            }
        }
        Some(Target::Module(module))
    }
}

/// The module path of `file` (relative to `src/`), or `None` for the binary's `main.rs`.
fn module_of(file: &str) -> Option<Vec<String>> {
    let stem = file.strip_suffix(".rs")?;
    if stem == "main" {
        return None;
    }
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod" || (parts.len() == 1 && p == "lib")) {
        parts.pop();
    }
    Some(parts)
}

/// The circles among `edges`: groups of two or more files that import each other, each sorted,
/// with the edges inside it.
pub(super) fn circles(edges: &[Edge]) -> Vec<(Vec<String>, Vec<Edge>)> {
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for edge in edges {
        next.entry(edge.from.as_str()).or_default().insert(edge.to.as_str());
    }
    // A file's circle is every file it reaches that reaches it back.
    let reach = |start: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start.to_owned()];
        while let Some(file) = todo.pop() {
            for &to in next.get(file.as_str()).into_iter().flatten() {
                if seen.insert(to.to_owned()) {
                    todo.push(to.to_owned());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&str, BTreeSet<String>> = next.keys().map(|&f| (f, reach(f))).collect();
    let mut found: Vec<(Vec<String>, Vec<Edge>)> = Vec::new();
    for (&file, reaches) in &reached {
        let mut circle: Vec<String> = reaches
            .iter()
            .filter(|other| reached.get(other.as_str()).is_some_and(|back| back.contains(file)))
            .cloned()
            .collect();
        if circle.len() < 2 || found.iter().any(|(c, _)| c.iter().any(|f| f == file)) {
            continue;
        }
        circle.sort();
        let inside = edges.iter().filter(|e| circle.contains(&e.from) && circle.contains(&e.to)).cloned().collect();
        found.push((circle, inside));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn krate(files: &[(&str, &str)]) -> Crate {
        Crate::new(files.iter().map(|(f, t)| ((*f).to_owned(), (*t).to_owned())))
    }

    fn targets(krate: &Crate, file: &str) -> Vec<(String, String)> {
        krate.edges(file).into_iter().map(|e| (e.path, e.to)).collect()
    }

    #[test]
    fn paths_are_followed_through_modules_and_re_exports_to_files() {
        let k = krate(&[
            ("lib.rs", "pub mod a;\nmod b;\npub use b::Thing;\n"),
            ("a/mod.rs", "mod inner;\npub mod leaf;\npub use inner::Inner;\npub(crate) use leaf::{self as renamed};\n"),
            ("a/inner.rs", "use super::leaf::Leaf;\nuse crate::Thing;\npub struct Inner;\n"),
            ("a/leaf.rs", "pub struct Leaf;\nfn f() { super::Inner::new(); self::g(); crate::a::renamed::h(); }\n"),
            (
                "b.rs",
                "mod deep;\nuse std::sync::Arc;\nuse crate::a::{Inner, leaf};\npub struct Thing;\nfn f() { deep::x(); leaf::y(); Arc::new(1); }\n",
            ),
            ("b/deep.rs", "use super::super::a::*;\n"),
            ("main.rs", "fn main() { arcana::a::leaf::f(); }\n"),
        ]);
        assert!(targets(&k, "lib.rs").is_empty(), "declarations and re-exports import nothing");
        assert!(targets(&k, "a/mod.rs").is_empty());
        assert_eq!(
            targets(&k, "a/inner.rs"),
            [("super::leaf::Leaf".to_owned(), "a/leaf.rs".to_owned()), ("crate::Thing".to_owned(), "b.rs".to_owned())]
        );
        assert_eq!(
            targets(&k, "a/leaf.rs"),
            [("super::Inner::new".to_owned(), "a/inner.rs".to_owned())],
            "self:: and a path back to the file itself are no imports"
        );
        assert_eq!(
            targets(&k, "b.rs"),
            [
                ("crate::a::Inner".to_owned(), "a/inner.rs".to_owned()),
                ("crate::a::leaf".to_owned(), "a/leaf.rs".to_owned()),
                ("deep::x".to_owned(), "b/deep.rs".to_owned()),
                ("leaf::y".to_owned(), "a/leaf.rs".to_owned()),
            ]
        );
        assert_eq!(targets(&k, "b/deep.rs"), [("super::super::a::*".to_owned(), "a/mod.rs".to_owned())]);
        assert!(k.files().all(|f| f != "main.rs"));
    }

    #[test]
    fn circles_are_found_with_the_edges_inside_them() {
        let edge = |from: &str, to: &str| Edge { from: from.into(), to: to.into(), line: 1, path: String::new() };
        let edges = [edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "d"), edge("d", "e"), edge("x", "y")];
        let found = circles(&edges);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, ["a", "b", "c"]);
        assert_eq!(found[0].1.len(), 3, "c -> d leaves the circle");
    }
}
