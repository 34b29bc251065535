//! QR codes for TOTP enrolment: an `otpauth://` URI rendered as a PNG that the bot sends as a
//! photo.
//!
//! The `qrcode` crate (without its `image` feature) builds the module matrix; the PNG is written
//! here, deliberately minimal: a 1-bit grayscale image (black on white), one `IDAT` holding a
//! zlib stream of *stored* (uncompressed) deflate blocks, and the checksums the format needs:
//! each chunk's CRC-32 comes from the `crc32fast` crate, the zlib stream's Adler-32 is the
//! dozen lines below. A typical URI gives a version 6–8 symbol: about 450 px square and 25 KiB,
//! well inside Telegram's photo limits, and no compressor to trust or fuzz.

use qrcode::types::QrError as EncodeError;
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module, each way.
pub const SCALE: usize = 8;

/// Light modules around the symbol on every side (the quiet zone the QR standard requires).
pub const QUIET_ZONE: usize = 4;

/// The largest payload of one stored deflate block.
const MAX_STORED_BLOCK: usize = 0xffff;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Why a QR code could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// The text does not fit in any QR code version at error-correction level M.
    #[error("the text cannot be encoded as a QR code: {0}")]
    Encode(#[from] EncodeError),
}

/// Renders `uri` as a QR code (error correction M, 4-module quiet zone, 8 px per module, black
/// on white) and returns the PNG file's bytes.
///
/// The URI carries the TOTP secret: the caller should send the bytes and drop them.
pub fn otpauth_png(uri: &str) -> Result<Vec<u8>, QrError> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M)?;
    Ok(render_png(&code))
}

/// Side of the rendered image in pixels for a symbol `modules` wide.
fn image_side(modules: usize) -> usize {
    (modules + 2 * QUIET_ZONE) * SCALE
}

/// Draws `code` with its quiet zone at [`SCALE`] and encodes it as a PNG.
fn render_png(code: &QrCode) -> Vec<u8> {
    let modules = code.width();
    let side = image_side(modules);
    let row_bytes = side.div_ceil(8);
    let colors = code.to_colors();

    // Scanlines: a filter-type byte (0, none) then pixels packed MSB first, 1 = white.
    let mut raw = Vec::with_capacity(side * (row_bytes + 1));
    let mut row = vec![0u8; row_bytes];
    for y in 0..side {
        row.fill(0);
        let my = (y / SCALE).checked_sub(QUIET_ZONE).filter(|&m| m < modules);
        for x in 0..side {
            let mx = (x / SCALE).checked_sub(QUIET_ZONE).filter(|&m| m < modules);
            let dark = match (mx, my) {
                (Some(mx), Some(my)) => colors[my * modules + mx] == Color::Dark,
                _ => false,
            };
            if !dark {
                row[x / 8] |= 0x80 >> (x % 8);
            }
        }
        raw.push(0);
        raw.extend_from_slice(&row);
    }

    let side = u32::try_from(side).unwrap_or(u32::MAX); // at most (177 + 8) × 8 = 1480
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&side.to_be_bytes()); // width
    ihdr.extend_from_slice(&side.to_be_bytes()); // height
    ihdr.extend_from_slice(&[
        1, // bit depth
        0, // colour type: grayscale
        0, // compression: deflate
        0, // filter method: adaptive (each row says "none")
        0, // interlace: none
    ]);

    let idat = zlib_stored(&raw);
    let mut png = Vec::with_capacity(PNG_SIGNATURE.len() + 3 * 12 + ihdr.len() + idat.len());
    png.extend_from_slice(&PNG_SIGNATURE);
    write_chunk(&mut png, *b"IHDR", &ihdr);
    write_chunk(&mut png, *b"IDAT", &idat);
    write_chunk(&mut png, *b"IEND", &[]);
    png
}

/// Appends one PNG chunk: length, type, data, CRC-32 of type and data.
fn write_chunk(out: &mut Vec<u8>, kind: [u8; 4], data: &[u8]) {
    // PNG chunks are limited to 2³¹ − 1 bytes; ours are at most a few hundred KiB.
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// A zlib stream (RFC 1950) holding `data` in stored deflate blocks (RFC 1951 §3.2.4).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let blocks = data.len().div_ceil(MAX_STORED_BLOCK).max(1);
    let mut out = Vec::with_capacity(2 + data.len() + 5 * blocks + 4);
    // CMF: deflate, 32 KiB window; FLG: no dictionary, check bits so (CMF·256 + FLG) % 31 == 0.
    out.extend_from_slice(&[0x78, 0x01]);
    let mut chunks = data.chunks(MAX_STORED_BLOCK).peekable();
    if chunks.peek().is_none() {
        // An empty stream is one empty final block.
        out.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let is_final = chunks.peek().is_none();
        out.push(u8::from(is_final)); // BFINAL, BTYPE = 00 (stored)
        let len = u16::try_from(chunk.len()).unwrap_or(u16::MAX); // chunks are ≤ 65535
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// Adler-32 (RFC 1950 §8).
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // 5552 is the largest run that cannot overflow a u32 before reducing.
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as PNG uses it.
    fn crc32(data: &[u8]) -> u32 {
        crc32fast::hash(data)
    }

    fn be32(bytes: &[u8]) -> u32 {
        u32::from_be_bytes(bytes[..4].try_into().expect("4 bytes"))
    }

    /// Undoes [`zlib_stored`], checking every header, length and the Adler-32.
    fn inflate_stored(stream: &[u8]) -> Vec<u8> {
        assert!(stream.len() >= 6);
        let (cmf, flg) = (stream[0], stream[1]);
        assert_eq!(cmf & 0x0f, 8, "deflate");
        assert_eq!((u16::from(cmf) * 256 + u16::from(flg)) % 31, 0, "zlib check bits");
        assert_eq!(flg & 0x20, 0, "no preset dictionary");
        let mut at = 2;
        let mut out = Vec::new();
        loop {
            let header = stream[at];
            assert_eq!(header & 0b110, 0, "stored block");
            let len = u16::from_le_bytes([stream[at + 1], stream[at + 2]]);
            let nlen = u16::from_le_bytes([stream[at + 3], stream[at + 4]]);
            assert_eq!(len, !nlen);
            at += 5;
            out.extend_from_slice(&stream[at..at + usize::from(len)]);
            at += usize::from(len);
            if header & 1 == 1 {
                break;
            }
        }
        assert_eq!(be32(&stream[at..]), adler32(&out), "adler32");
        assert_eq!(stream.len(), at + 4, "nothing after the checksum");
        out
    }

    struct Png {
        width: u32,
        height: u32,
        header: Vec<u8>,
        pixels: Vec<u8>,
    }

    /// Parses a PNG structurally: signature, chunk order and CRCs, IHDR, IDAT inflation.
    fn parse_png(bytes: &[u8]) -> Png {
        assert_eq!(bytes[..8], PNG_SIGNATURE);
        let mut at = 8;
        let mut kinds = Vec::new();
        let mut header = Vec::new();
        let mut idat = Vec::new();
        while at < bytes.len() {
            let len = usize::try_from(be32(&bytes[at..])).expect("usize");
            let kind: [u8; 4] = bytes[at + 4..at + 8].try_into().expect("4 bytes");
            let data = &bytes[at + 8..at + 8 + len];
            let crc = be32(&bytes[at + 8 + len..]);
            assert_eq!(crc, crc32(&bytes[at + 4..at + 8 + len]), "CRC of {kind:?}");
            match &kind {
                b"IHDR" => header = data.to_vec(),
                b"IDAT" => idat.extend_from_slice(data),
                _ => {}
            }
            kinds.push(kind);
            at += 12 + len;
        }
        assert_eq!(at, bytes.len());
        assert_eq!(kinds, [*b"IHDR", *b"IDAT", *b"IEND"]);
        assert_eq!(header.len(), 13);
        Png { width: be32(&header[0..4]), height: be32(&header[4..8]), header, pixels: inflate_stored(&idat) }
    }

    impl Png {
        /// Whether pixel (x, y) is black, checking each row's filter byte on the way.
        fn is_black(&self, x: usize, y: usize) -> bool {
            let row_bytes = usize::try_from(self.width).expect("usize").div_ceil(8) + 1;
            let row = &self.pixels[y * row_bytes..(y + 1) * row_bytes];
            assert_eq!(row[0], 0, "filter type none");
            row[1 + x / 8] & (0x80 >> (x % 8)) == 0
        }
    }

    const URI: &str = "otpauth://totp/arcana:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
                       &issuer=arcana&algorithm=SHA1&digits=6&period=30";

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        // Long input exercises the deferred modulo.
        let long = vec![0xffu8; 100_000];
        let (mut a, mut b) = (1u64, 0u64);
        for &byte in &long {
            a = (a + u64::from(byte)) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(u64::from(adler32(&long)), (b << 16) | a);
    }

    #[test]
    fn zlib_stored_round_trips_across_block_boundaries() {
        for len in [0usize, 1, 1000, 65_535, 65_536, 140_000] {
            let data: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).expect("u8")).collect();
            let stream = zlib_stored(&data);
            assert_eq!(inflate_stored(&stream), data, "len {len}");
            let blocks = len.div_ceil(MAX_STORED_BLOCK).max(1);
            assert_eq!(stream.len(), 2 + 5 * blocks + len + 4, "len {len}");
        }
    }

    #[test]
    fn png_parses_and_matches_the_qr_matrix() {
        let png_bytes = otpauth_png(URI).expect("fits");
        let png = parse_png(&png_bytes);
        let code = QrCode::with_error_correction_level(URI.as_bytes(), EcLevel::M).expect("fits");
        let modules = code.width();
        let side = (modules + 2 * QUIET_ZONE) * SCALE;
        assert_eq!(usize::try_from(png.width).expect("usize"), side);
        assert_eq!(usize::try_from(png.height).expect("usize"), side);
        assert_eq!(png.header[8..], [1, 0, 0, 0, 0], "1-bit grayscale, no interlace");
        assert_eq!(png.pixels.len(), side * (side.div_ceil(8) + 1));

        // Every pixel is the colour of its module; the quiet zone is white.
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = (x / SCALE, y / SCALE);
                let inside = (QUIET_ZONE..QUIET_ZONE + modules).contains(&mx)
                    && (QUIET_ZONE..QUIET_ZONE + modules).contains(&my);
                let expected = inside && code[(mx - QUIET_ZONE, my - QUIET_ZONE)] == Color::Dark;
                assert_eq!(png.is_black(x, y), expected, "pixel ({x}, {y})");
            }
        }

        // Finder patterns: the outer corners of the three 7×7 squares are black, the ring
        // inside them white, their centres black; the fourth corner has no finder.
        let px = |module: usize| (QUIET_ZONE + module) * SCALE + SCALE / 2;
        let far = modules - 1;
        for (cx, cy) in [(0, 0), (far - 6, 0), (0, far - 6)] {
            for (dx, dy) in [(0, 0), (6, 0), (0, 6), (6, 6), (3, 3)] {
                assert!(png.is_black(px(cx + dx), px(cy + dy)), "finder ({cx}, {cy}) + ({dx}, {dy})");
            }
            assert!(!png.is_black(px(cx + 1), px(cy + 1)), "finder ring ({cx}, {cy})");
        }
        assert!(!png.is_black(0, 0));
        assert!(!png.is_black(px(far) + SCALE, px(far) + SCALE));
    }

    #[test]
    fn typical_uri_gives_a_modest_image() {
        let png = otpauth_png(URI).expect("fits");
        let parsed = parse_png(&png);
        assert!((300..=600).contains(&parsed.width), "{}", parsed.width);
        assert!(png.len() < 64 * 1024, "{}", png.len());
    }

    #[test]
    fn the_largest_symbol_still_renders() {
        // Version 40 at level M holds 2331 bytes; its image spans several stored blocks.
        let uri = "a".repeat(2331);
        let png = parse_png(&otpauth_png(&uri).expect("fits"));
        assert_eq!(png.width, u32::try_from((177 + 2 * QUIET_ZONE) * SCALE).expect("u32"));
        assert!(png.pixels.len() > MAX_STORED_BLOCK);
    }

    #[test]
    fn too_long_text_is_an_error() {
        let uri = "\u{1}".repeat(4000);
        assert_eq!(otpauth_png(&uri), Err(QrError::Encode(EncodeError::DataTooLong)));
    }
}
