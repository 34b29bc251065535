//! Reading a `multipart/form-data` body, as teloxide sends a call that uploads a file
//! (`sendPhoto`, `sendDocument`): text fields become parameters, file fields uploads.
//!
//! Hand-written (about forty lines) rather than through `multer`: the stand-in reads only what
//! one known client sends, and the crate with its text-encoding tables would grow the static
//! binary for a command that is a demonstration.

/// One part of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The form field's name.
    pub name: String,
    /// The file name, for a file.
    pub filename: Option<String>,
    /// The part's bytes.
    pub bytes: Vec<u8>,
}

/// The boundary named in a `Content-Type` header.
#[must_use]
pub fn boundary(content_type: &str) -> Option<String> {
    content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
}

/// The parts of `body` between the `boundary` lines (a part without a name is skipped).
#[must_use]
pub fn parts(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, &delimiter) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(end) = find(rest, &delimiter) else { break };
        let part = rest[..end].strip_prefix(b"\r\n").unwrap_or(&rest[..end]);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        if let Some(head_end) = find(part, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&part[..head_end]);
            if let Some(name) = disposition(&head, "name") {
                out.push(Part { name, filename: disposition(&head, "filename"), bytes: part[head_end + 4..].to_vec() });
            }
        }
    }
    out
}

/// A parameter (`name`, `filename`) of the part's `Content-Disposition` header.
fn disposition(head: &str, key: &str) -> Option<String> {
    let line = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    line.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_files_are_read_from_a_body() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"qr.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x00\x01\r\n\
--XyZ--\r\n";
        let found = parts(body, "XyZ");
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].name.as_str(), found[0].bytes.as_slice(), found[0].filename.as_deref()),
            ("chat_id", &b"42"[..], None)
        );
        assert_eq!(found[1].filename.as_deref(), Some("qr.png"));
        assert_eq!(found[1].bytes, b"\x89PNG\r\n\x00\x01");
        assert_eq!(boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(), Some("XyZ"));
    }
}
