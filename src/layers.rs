//! The one-way layers of the crate, enforced: every `crate::` path in non-test code must point
//! to a module on a strictly lower layer (or to the module itself). The diagram and the reasons
//! are in `ARCHITECTURE.md`; this test keeps them true.
//!
//! It reads the source as text (no parser): `use crate::{a, b::c}` groups, `use crate::x` and
//! `crate::x::` paths anywhere in code, with comments and `#[cfg(test)]` modules left out.

use std::{collections::BTreeMap, path::Path};

/// Every top-level module and its layer (lower layers never import higher ones).
const LAYERS: &[(&str, u8)] = &[
    // Leaves: no crate imports, or only other leaves below them.
    ("fsutil", 0),
    ("sanitize", 0),
    ("audit_tap", 0),
    ("accept", 0),
    ("shutdown", 0),
    ("command", 0),
    ("clock", 0),
    ("supervisor", 0),
    ("unit", 0),
    ("secret", 1),
    ("logging", 1),
    // Pure domain and settings.
    ("tarot", 1),
    ("config", 2),
    // Storage and the data directory.
    ("store", 3),
    ("layout", 3),
    // Encryption at rest.
    ("vault", 4),
    // Security layer and backups, over the store and vault.
    ("sentinel", 5),
    ("backup", 5),
    ("audit", 5),
    ("inbox", 5),
    // Who a user is.
    ("accounts", 6),
    // What a user does.
    ("readings", 7),
    ("billing", 7),
    // Operations shared by the CLI, the control socket and the bot.
    ("control", 8),
    // The web side: Mini App, API, login (started by the bot).
    ("web", 9),
    // The Telegram adapter.
    ("bot", 10),
    // The edge: one error type for the process, and the command line.
    ("error", 11),
    ("cli", 12),
];

/// The crate's own modules a file's non-test code names, with the line they are named on.
fn imports(source: &str) -> Vec<(String, usize)> {
    let code = without_tests(source);
    let mut found = Vec::new();
    let mut in_group = false;
    let mut depth = 0usize;
    for (number, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or_default();
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if after.starts_with('{') {
                in_group = true;
                depth = 0;
            } else if !name.is_empty() {
                found.push((module_of(&name), number + 1));
            }
            rest = after;
        }
        if in_group {
            // Inside `use crate::{…}`: each item at depth 1 starts with a module name.
            for (i, c) in line.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                let starts_item = matches!(line[..i].trim_end().chars().last(), Some('{' | ',') | None);
                if depth == 1 && c.is_ascii_lowercase() && starts_item {
                    let name: String = line[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if name != "self" {
                        found.push((name, number + 1));
                    }
                }
            }
            if line.contains("};") {
                in_group = false;
            }
        }
    }
    found
}

/// `crate::Error` and `crate::Result` are the `error` module's.
fn module_of(name: &str) -> String {
    match name {
        "Error" | "Result" => String::from("error"),
        other => other.to_owned(),
    }
}

/// `source` without its `#[cfg(test)]` items (a module or function following the attribute).
fn without_tests(source: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    let mut depth = 0i32;
    let mut armed = false;
    for line in source.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            armed = true;
            continue;
        }
        if armed {
            // A `mod x;` line has no body; anything with a body is skipped to its closing brace.
            if line.trim_end().ends_with(';') && !line.contains('{') {
                armed = false;
                continue;
            }
            skipping = true;
            armed = false;
            depth = 0;
        }
        if skipping {
            depth += i32::try_from(line.matches('{').count()).unwrap_or(0);
            depth -= i32::try_from(line.matches('}').count()).unwrap_or(0);
            if depth <= 0 && line.contains('}') {
                skipping = false;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_import_points_down_the_layers() {
    let layers: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut against = Vec::new();
    let mut checked = 0;
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let top = relative.components().next().expect("a component").as_os_str().to_string_lossy();
        let top = top.trim_end_matches(".rs");
        let name = relative.file_name().unwrap_or_default().to_string_lossy();
        // Test-only files, and the crate root and binary, which only declare modules.
        if matches!(top, "lib" | "main" | "layers")
            || name.contains("tests")
            || name == "soak.rs"
            || name == "testing.rs"
        {
            continue;
        }
        let own = *layers.get(top).unwrap_or_else(|| panic!("module `{top}` has no layer in LAYERS"));
        let source = std::fs::read_to_string(&file).expect("read");
        for (module, line) in imports(&source) {
            checked += 1;
            if module == top {
                continue;
            }
            let Some(&theirs) = layers.get(module.as_str()) else {
                panic!("{}:{line}: `crate::{module}` is not a module in LAYERS", relative.display());
            };
            if theirs >= own {
                against.push(format!(
                    "{}:{line}: {top} (layer {own}) imports {module} (layer {theirs})",
                    relative.display()
                ));
            }
        }
    }
    assert!(checked > 150, "the reader found only {checked} imports: it is broken, not the code");
    assert!(against.is_empty(), "imports against the layers:\n{}", against.join("\n"));
}

#[test]
fn the_reader_sees_groups_paths_and_skips_tests() {
    let source = "use crate::{\n    config::Config,\n    store::{Store, TypedTree},\n};\nuse crate::vault::Vault;\nfn f() { crate::tarot::draw(); }\n// crate::bot in a comment\n#[cfg(test)]\nmod tests {\n    use crate::cli;\n}\n";
    let names: Vec<String> = imports(source).into_iter().map(|(m, _)| m).collect();
    assert_eq!(names, ["config", "store", "vault", "tarot"]);
}
