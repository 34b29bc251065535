//! The texts compiled into the binary deflated: the card meanings, the bot's texts and the web
//! pages' texts in every language, and the Mini App's page, script and style (about 350 KB,
//! under 110 KB deflated).
//! `build.rs` deflates each file into `OUT_DIR`; `deflated!` embeds one, [`inflate`] gives the
//! text back. The static binaries have a size budget (8.5 MB for a Pi), and text is what
//! compresses best. Each text is inflated once, where it is parsed at first use; the inflated
//! copy is dropped after parsing.
//!
//! Inflating uses `miniz_oxide`, the crate the PNG encoder already links, so the binary gains
//! only its inflater.

/// The deflated bytes of `src/$path` (one of the paths `build.rs` lists in `DEFLATED`), or of
/// `zones.bin` (the time zone database `build.rs` packs for [`zones`](crate::zones)).
macro_rules! deflated {
    ($path:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/deflated/", $path, ".z"))
    };
}
pub(crate) use deflated;

/// The text of `src/$path` (see [`text_or_empty`]; the path names the file in a log line too).
macro_rules! text {
    ($path:literal) => {
        $crate::embedded::text_or_empty($crate::embedded::deflated!($path), $path)
    };
}
pub(crate) use text;

/// The most an embedded text may inflate to: far above any of them, so a broken build cannot
/// make the bot allocate without bound.
const MOST_INFLATED: usize = 4 << 20;

/// Why an embedded text could not be read back (only a broken build does this).
#[derive(Debug, thiserror::Error)]
pub enum Corrupt {
    /// The bytes are not a whole deflate stream within the bound (4 MiB).
    #[error("the embedded text does not inflate: {0}")]
    Inflate(String),
    /// The inflated bytes are not UTF-8.
    #[error("the embedded text is not UTF-8")]
    NotUtf8,
}

/// The bytes `deflated` holds.
pub fn inflate_bytes(deflated: &[u8]) -> Result<Vec<u8>, Corrupt> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, MOST_INFLATED)
        .map_err(|e| Corrupt::Inflate(format!("{:?}", e.status)))
}

/// The text `deflated` holds.
pub fn inflate(deflated: &[u8]) -> Result<String, Corrupt> {
    String::from_utf8(inflate_bytes(deflated)?).map_err(|_| Corrupt::NotUtf8)
}

/// The text `deflated` holds; empty, with the fault logged as `what`'s, if it does not read
/// back (callers that check what they parse report the empty text as missing keys).
#[must_use]
pub fn text_or_empty(deflated: &[u8], what: &str) -> String {
    inflate(deflated).unwrap_or_else(|e| {
        tracing::error!(text = what, error = %e, "a built-in text does not read back");
        String::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_text_reads_back_as_its_source_file() {
        // The same path names the deflated copy and, relative to this file, the source.
        macro_rules! both {
            ($path:literal) => {
                (deflated!($path).as_slice(), include_str!($path))
            };
        }
        let files = [
            both!("tarot/cards/en.toml"),
            both!("tarot/cards/ru.toml"),
            both!("tarot/cards/es.toml"),
            both!("i18n/locales/en.toml"),
            both!("i18n/locales/ru.toml"),
            both!("i18n/locales/es.toml"),
            both!("web/assets/texts/en.toml"),
            both!("web/assets/texts/ru.toml"),
            both!("web/assets/texts/es.toml"),
            both!("web/assets/app.html"),
            both!("web/assets/app.js"),
            both!("web/assets/app.css"),
        ];
        for (packed, source) in files {
            assert!(packed.len() * 2 < source.len(), "deflated to {} of {} bytes", packed.len(), source.len());
            assert_eq!(inflate(packed).expect("inflates"), source);
        }
    }

    #[test]
    fn damaged_or_foreign_bytes_are_an_error_not_a_panic() {
        let packed = deflated!("tarot/cards/en.toml");
        assert!(matches!(inflate(&packed[..packed.len() / 2]), Err(Corrupt::Inflate(_))));
        assert!(inflate(b"not deflate at all").is_err());
        let not_utf8 = miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe, 0x00], 6);
        assert!(matches!(inflate(&not_utf8), Err(Corrupt::NotUtf8)));
    }
}
