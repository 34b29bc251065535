//! The one-way layers of the crate, enforced: every import in non-test code must point to a
//! module on a strictly lower layer (or to the module itself); inside the bot, to a room on a
//! strictly lower floor (or to the room itself); and no files anywhere may import each other in
//! a circle. The diagram and the reasons are in `ARCHITECTURE.md`; these tests keep them true.
//!
//! The source is read as text ([`reader`]) and every path is followed to the file that defines
//! what it names ([`graph`]): `crate::`, `super::`, `self::`, child modules and names bound by
//! `use`, through re-exports. `#[cfg(test)]` items and test-only files are left out.

mod graph;
mod reader;

use std::path::Path;

use graph::{Crate, Edge, circles};

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
    ("locale", 0),
    ("embedded", 0),
    ("secret", 1),
    ("logging", 1),
    // Pure domain and settings.
    ("tarot", 1),
    // The time zone database (over `embedded`).
    ("zones", 1),
    // Every text a user reads, per locale (over `locale` only).
    ("i18n", 1),
    // The card faces and the spread picture (over the deck).
    ("art", 2),
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
    // `arcana demo`: the Bot API's stand-in and the terminal chat (started by the command line).
    ("demo", 11),
    ("cli", 12),
];

/// The bot's rooms, each on its floor: a file may import files of its own room and of rooms on
/// lower floors only. A room is a folder under `src/bot/` or a file beside them (`mod.rs` only
/// declares and hands on, and is none). `ARCHITECTURE.md` says what each is for.
const BOT_ROOMS: &[(&str, u8)] = &[
    // Start-up and teardown: opens everything and starts the rooms below.
    ("run", 6),
    // What happens to an update: polling, the inbox's batches, lanes, the start gate, notices.
    ("pipeline", 5),
    // What the bot does with an admitted update.
    ("handlers", 4),
    // What the bot does on its own; handlers hand it work.
    ("jobs", 3),
    // The state every room shares.
    ("app", 2),
    // Everything that leaves the bot.
    ("send", 1),
    // The errors that stop the bot (an inbox failure among them).
    ("error", 1),
    // What the bot says, what it counts, and the inbox's bounds App holds (the durable inbox
    // itself is the top-level `inbox`, below the store's deletion).
    ("texts", 0),
    ("metrics", 0),
    ("inbox_bound", 0),
];

/// Circles known and left for another branch, each as its files (sorted). A circle found that is
/// not here fails the test, and so does one here that is found no more (delete it then).
const KNOWN_CIRCLES: &[&[&str]] = &[];

/// The crate as it is on disk, and its files that are not test-only (the sources of imports).
fn the_crate() -> (Crate, Vec<String>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let sources = paths.iter().map(|path| {
        let relative = path.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
        (relative, std::fs::read_to_string(path).expect("read"))
    });
    let krate = Crate::new(sources);
    let code = krate
        .files()
        .filter(|file| {
            let name = file.rsplit('/').next().unwrap_or_default();
            !(file.starts_with("layers") || name.contains("tests") || name == "soak.rs" || name == "testing.rs")
        })
        .cloned()
        .collect();
    (krate, code)
}

/// Every `.rs` file under `dir`, recursively (also read by the i18n key test).
pub(crate) fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module of `file` (`lib.rs` is the root's: none).
fn top(file: &str) -> Option<&str> {
    let first = file.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then_some(name)
}

/// The bot room of `file`, if it is in the bot and not its `mod.rs`.
fn bot_room(file: &str) -> Option<&str> {
    let rest = file.strip_prefix("bot/")?;
    let first = rest.split('/').next()?;
    let room = first.strip_suffix(".rs").unwrap_or(first);
    (room != "mod").then_some(room)
}

fn describe(edge: &Edge) -> String {
    format!("src/{}:{}: `{}` (in src/{})", edge.from, edge.line, edge.path, edge.to)
}

#[test]
fn every_import_points_down_the_layers() {
    let layers: std::collections::BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let (krate, code) = the_crate();
    let layer_of =
        |module: &str| *layers.get(module).unwrap_or_else(|| panic!("module `{module}` has no layer in LAYERS"));
    let mut against = Vec::new();
    let mut checked = 0;
    for file in &code {
        let Some(own) = top(file) else { continue };
        let own_layer = layer_of(own);
        for edge in krate.edges(file) {
            checked += 1;
            let Some(theirs) = top(&edge.to).filter(|&m| m != own) else { continue };
            let their_layer = layer_of(theirs);
            if their_layer >= own_layer {
                against.push(format!(
                    "{}: {own} (layer {own_layer}) imports {theirs} (layer {their_layer})",
                    describe(&edge)
                ));
            }
        }
    }
    assert!(checked > 1_000, "the reader found only {checked} imports: it is broken, not the code");
    assert!(against.is_empty(), "imports against the layers:\n{}", against.join("\n"));
}

#[test]
fn the_bot_rooms_import_one_way() {
    let floors: std::collections::BTreeMap<&str, u8> = BOT_ROOMS.iter().copied().collect();
    let (krate, code) = the_crate();
    let floor_of =
        |room: &str| *floors.get(room).unwrap_or_else(|| panic!("bot room `{room}` has no floor in BOT_ROOMS"));
    let mut against = Vec::new();
    let mut checked = 0;
    for file in &code {
        let Some(own) = bot_room(file) else { continue };
        let own_floor = floor_of(own);
        for edge in krate.edges(file) {
            let Some(theirs) = bot_room(&edge.to).filter(|&r| r != own) else { continue };
            checked += 1;
            let their_floor = floor_of(theirs);
            if their_floor >= own_floor {
                against.push(format!(
                    "{}: {own} (floor {own_floor}) imports {theirs} (floor {their_floor})",
                    describe(&edge)
                ));
            }
        }
    }
    assert!(checked > 100, "the reader found only {checked} imports between bot rooms: it is broken, not the code");
    assert!(against.is_empty(), "imports against the bot's rooms:\n{}", against.join("\n"));
}

#[test]
fn no_files_import_each_other_in_a_circle() {
    let (krate, code) = the_crate();
    let edges: Vec<Edge> = code.iter().flat_map(|file| krate.edges(file)).collect();
    let found = circles(&edges);
    let mut wrong = Vec::new();
    for (files, inside) in &found {
        if !KNOWN_CIRCLES.iter().any(|known| known.iter().eq(files.iter())) {
            let ties: Vec<String> = inside.iter().map(describe).collect();
            wrong.push(format!("a circle of {}:\n  {}", files.join(", "), ties.join("\n  ")));
        }
    }
    for known in KNOWN_CIRCLES {
        if !found.iter().any(|(files, _)| known.iter().eq(files.iter())) {
            wrong.push(format!("the known circle of {} is gone: delete it from KNOWN_CIRCLES", known.join(", ")));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
