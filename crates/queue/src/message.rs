//! The scan message: how a scan travels on the work queue, as NATS headers and a payload.
//!
//! | header | value |
//! |---|---|
//! | `Nats-Msg-Id` | the scan id (JetStream drops a second copy inside the duplicate window) |
//! | `Armscan-Scan-Id` | the scan id: 32 hex digits of SHA-256 over the name, a zero byte and the content |
//! | `Armscan-Scan-Name` | the name the record gives the scan (the path as submitted) |
//! | `Armscan-Kind` | `file` (one file) or `pair` (a dual-energy high/low pair) |
//! | `Armscan-Payload` | `inline` (the bytes are the payload) or `shared` (a path under shared storage) |
//! | `Armscan-High-Bytes` | `pair` + `inline`: the length of the high-energy file; the payload is high then low |
//! | `Armscan-Shared-Path` | `shared`: the file (the high-energy file of a pair), relative to the shared root |
//! | `Armscan-Shared-Path-Low` | `shared` + `pair`: the low-energy file |
//! | `Armscan-Content-Sha256` | SHA-256 of the content (a pair: high then low), checked by the worker |
//! | `Armscan-Pixel-Spacing-Mm` | optional: the scan's pixel spacing, as `scan --pixel-spacing-mm` |
//!
//! Inline is the default: the message is the whole scan, JetStream stores and replicates it, and a
//! worker needs nothing but the server. A scan larger than the server's `max_payload` (1 MiB by
//! default, at most 64 MiB; NATS advises against large ones, which hold up every other message
//! on the connection) travels as a reference into storage every producer and worker mounts
//! (`--shared-dir`), checked by its SHA-256 on arrival, so the queue stays small and the scan is
//! written once.

use std::path::{Component, Path, PathBuf};

use armscan::ScanBytes;
use async_nats::HeaderMap;
use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::error::QueueError;

pub const HEADER_MSG_ID: &str = "Nats-Msg-Id";
pub const HEADER_SCAN_ID: &str = "Armscan-Scan-Id";
pub const HEADER_SCAN_NAME: &str = "Armscan-Scan-Name";
pub const HEADER_KIND: &str = "Armscan-Kind";
pub const HEADER_PAYLOAD: &str = "Armscan-Payload";
pub const HEADER_HIGH_BYTES: &str = "Armscan-High-Bytes";
pub const HEADER_SHARED_PATH: &str = "Armscan-Shared-Path";
pub const HEADER_SHARED_PATH_LOW: &str = "Armscan-Shared-Path-Low";
pub const HEADER_CONTENT_SHA256: &str = "Armscan-Content-Sha256";
pub const HEADER_PIXEL_SPACING_MM: &str = "Armscan-Pixel-Spacing-Mm";
/// On a result: the worker that screened the scan.
pub const HEADER_WORKER: &str = "Armscan-Worker";
/// On a result: the record's status word (`clear`, `review`, `alarm`, `error`).
pub const HEADER_STATUS: &str = "Armscan-Status";

/// Where a scan's bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// In the message.
    Inline(ScanBytes),
    /// In shared storage, relative to the shared root; `low` for a pair.
    Shared {
        path: PathBuf,
        low: Option<PathBuf>,
        sha256: String,
    },
}

/// A scan on the work queue.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanMessage {
    /// [`scan_id`] of the name and content.
    pub id: String,
    pub name: String,
    pub content: Content,
    pub pixel_spacing_mm: Option<f32>,
}

/// The scan id: 32 hex digits of SHA-256 over the name, a zero byte and the content (a pair:
/// high then low). The same file submitted again under the same name has the same id, so it is
/// screened once; the same bytes under another name are another scan.
#[must_use]
pub fn scan_id(name: &str, content: &ScanBytes) -> String {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0u8]);
    match content {
        ScanBytes::One(b) => h.update(b),
        ScanBytes::Pair { high, low } => {
            h.update(high);
            h.update(low);
        }
    }
    hex(&h.finalize()[..16])
}

/// SHA-256 of a scan's content, as hex.
#[must_use]
pub fn content_sha256(content: &ScanBytes) -> String {
    let mut h = Sha256::new();
    match content {
        ScanBytes::One(b) => h.update(b),
        ScanBytes::Pair { high, low } => {
            h.update(high);
            h.update(low);
        }
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `id` looks like a scan id (what a subject may carry).
#[must_use]
pub fn is_scan_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// A path relative to the shared root, with no `..`, root or prefix: what may travel.
///
/// # Errors
/// A message naming the path.
pub fn checked_relative(path: &Path) -> Result<PathBuf, String> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => {
                return Err(format!(
                    "{} is not a plain path inside the shared folder",
                    path.display()
                ))
            }
        }
    }
    if out.as_os_str().is_empty() {
        return Err("an empty shared path".into());
    }
    Ok(out)
}

impl ScanMessage {
    /// A scan whose bytes travel in the message.
    #[must_use]
    pub fn inline(name: impl Into<String>, bytes: ScanBytes) -> Self {
        let name = name.into();
        Self {
            id: scan_id(&name, &bytes),
            name,
            content: Content::Inline(bytes),
            pixel_spacing_mm: None,
        }
    }

    #[must_use]
    pub fn with_pixel_spacing_mm(mut self, spacing_mm: Option<f32>) -> Self {
        self.pixel_spacing_mm = spacing_mm;
        self
    }

    /// The headers and payload of the message.
    #[must_use]
    pub fn encode(&self) -> (HeaderMap, Bytes) {
        let mut h = HeaderMap::new();
        h.insert(HEADER_MSG_ID, self.id.as_str());
        h.insert(HEADER_SCAN_ID, self.id.as_str());
        h.insert(HEADER_SCAN_NAME, header_safe(&self.name).as_str());
        if let Some(mm) = self.pixel_spacing_mm {
            h.insert(HEADER_PIXEL_SPACING_MM, mm.to_string().as_str());
        }
        match &self.content {
            Content::Inline(bytes) => {
                h.insert(HEADER_PAYLOAD, "inline");
                h.insert(HEADER_CONTENT_SHA256, content_sha256(bytes).as_str());
                match bytes {
                    ScanBytes::One(b) => {
                        h.insert(HEADER_KIND, "file");
                        (h, Bytes::copy_from_slice(b))
                    }
                    ScanBytes::Pair { high, low } => {
                        h.insert(HEADER_KIND, "pair");
                        h.insert(HEADER_HIGH_BYTES, high.len().to_string().as_str());
                        let mut payload = Vec::with_capacity(high.len() + low.len());
                        payload.extend_from_slice(high);
                        payload.extend_from_slice(low);
                        (h, Bytes::from(payload))
                    }
                }
            }
            Content::Shared { path, low, sha256 } => {
                h.insert(HEADER_PAYLOAD, "shared");
                h.insert(HEADER_CONTENT_SHA256, sha256.as_str());
                h.insert(HEADER_SHARED_PATH, path.to_string_lossy().as_ref());
                match low {
                    None => h.insert(HEADER_KIND, "file"),
                    Some(low) => {
                        h.insert(HEADER_KIND, "pair");
                        h.insert(HEADER_SHARED_PATH_LOW, low.to_string_lossy().as_ref());
                    }
                }
                (h, Bytes::new())
            }
        }
    }

    /// Reads a message back. The id must be a scan id; names and paths are what was sent.
    ///
    /// # Errors
    /// [`QueueError::BadMessage`] naming the header at fault (with the message's id when it has
    /// one, else `what` names it).
    pub fn decode(
        headers: Option<&HeaderMap>,
        payload: &Bytes,
        what: &str,
    ) -> Result<Self, QueueError> {
        let get = |k: &str| {
            headers
                .and_then(|h| h.get(k))
                .map(|v| v.as_str().to_owned())
        };
        let id = get(HEADER_SCAN_ID).ok_or_else(|| QueueError::BadMessage {
            id: what.to_owned(),
            reason: format!("no {HEADER_SCAN_ID} header: not an armscan scan message"),
        })?;
        let bad = |reason: String| QueueError::BadMessage {
            id: id.clone(),
            reason,
        };
        if !is_scan_id(&id) {
            return Err(bad(format!(
                "{HEADER_SCAN_ID} {id:?} is not 32 lower-case hex digits"
            )));
        }
        let name = get(HEADER_SCAN_NAME).ok_or_else(|| bad(format!("no {HEADER_SCAN_NAME}")))?;
        let pixel_spacing_mm = match get(HEADER_PIXEL_SPACING_MM) {
            None => None,
            Some(v) => Some(
                v.parse::<f32>()
                    .ok()
                    .filter(|mm| mm.is_finite() && *mm > 0.0)
                    .ok_or_else(|| {
                        bad(format!(
                            "{HEADER_PIXEL_SPACING_MM} {v:?} is not a positive number"
                        ))
                    })?,
            ),
        };
        let kind = get(HEADER_KIND).unwrap_or_default();
        let pair = match kind.as_str() {
            "file" => false,
            "pair" => true,
            other => {
                return Err(bad(format!(
                    "{HEADER_KIND} {other:?} is neither file nor pair"
                )))
            }
        };
        let sha256 = get(HEADER_CONTENT_SHA256);
        let content = match get(HEADER_PAYLOAD).unwrap_or_default().as_str() {
            "inline" => {
                let bytes = if pair {
                    let high_len = get(HEADER_HIGH_BYTES)
                        .and_then(|v| v.parse::<usize>().ok())
                        .filter(|n| *n <= payload.len())
                        .ok_or_else(|| {
                            bad(format!(
                                "{HEADER_HIGH_BYTES} missing or past the payload's {} bytes",
                                payload.len()
                            ))
                        })?;
                    ScanBytes::Pair {
                        high: payload[..high_len].to_vec(),
                        low: payload[high_len..].to_vec(),
                    }
                } else {
                    ScanBytes::One(payload.to_vec())
                };
                if let Some(want) = sha256 {
                    let got = content_sha256(&bytes);
                    if got != want {
                        return Err(bad(format!(
                            "the payload's SHA-256 is {got}, the message says {want}"
                        )));
                    }
                }
                Content::Inline(bytes)
            }
            "shared" => {
                let path = get(HEADER_SHARED_PATH)
                    .ok_or_else(|| bad(format!("no {HEADER_SHARED_PATH}")))?;
                let path = checked_relative(Path::new(&path)).map_err(&bad)?;
                let low = if pair {
                    let low = get(HEADER_SHARED_PATH_LOW)
                        .ok_or_else(|| bad(format!("no {HEADER_SHARED_PATH_LOW} for a pair")))?;
                    Some(checked_relative(Path::new(&low)).map_err(&bad)?)
                } else {
                    None
                };
                let sha256 = sha256
                    .ok_or_else(|| bad(format!("no {HEADER_CONTENT_SHA256} for a shared scan")))?;
                Content::Shared { path, low, sha256 }
            }
            other => {
                return Err(bad(format!(
                    "{HEADER_PAYLOAD} {other:?} is neither inline nor shared"
                )))
            }
        };
        Ok(Self {
            id,
            name,
            content,
            pixel_spacing_mm,
        })
    }
}

/// Header values are one line of visible text: other characters become `?`.
fn header_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_file_and_pair_round_trip() {
        for bytes in [
            ScanBytes::One(vec![1, 2, 3]),
            ScanBytes::Pair {
                high: vec![9; 5],
                low: vec![7; 3],
            },
        ] {
            let m =
                ScanMessage::inline("bags/a.png", bytes.clone()).with_pixel_spacing_mm(Some(0.8));
            let (h, p) = m.encode();
            let back = ScanMessage::decode(Some(&h), &p, "t").expect("decodes");
            assert_eq!(back, m);
            assert_eq!(back.content, Content::Inline(bytes));
        }
    }

    #[test]
    fn the_id_depends_on_name_and_content() {
        let a = scan_id("a.png", &ScanBytes::One(vec![1]));
        assert!(is_scan_id(&a), "{a}");
        assert_ne!(a, scan_id("b.png", &ScanBytes::One(vec![1])));
        assert_ne!(a, scan_id("a.png", &ScanBytes::One(vec![2])));
        assert_eq!(a, scan_id("a.png", &ScanBytes::One(vec![1])));
    }

    #[test]
    fn damaged_messages_are_refused_by_name() {
        let m = ScanMessage::inline("a.png", ScanBytes::One(vec![1, 2, 3]));
        let (h, _) = m.encode();
        let err = ScanMessage::decode(Some(&h), &Bytes::from_static(&[1, 2, 4]), "t").unwrap_err();
        assert!(err.to_string().contains("SHA-256"), "{err}");
        let err = ScanMessage::decode(None, &Bytes::new(), "seq 7").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("message seq 7: no Armscan-Scan-Id"),
            "{err}"
        );
        let mut h2 = h.clone();
        h2.insert(HEADER_KIND, "three");
        let err = ScanMessage::decode(Some(&h2), &Bytes::from_static(&[1, 2, 3]), "t").unwrap_err();
        assert!(err.to_string().contains("neither file nor pair"), "{err}");
        let pair = ScanMessage::inline(
            "p",
            ScanBytes::Pair {
                high: vec![1; 4],
                low: vec![2; 4],
            },
        );
        let (mut h3, p3) = pair.encode();
        h3.insert(HEADER_HIGH_BYTES, "99");
        let err = ScanMessage::decode(Some(&h3), &p3, "t").unwrap_err();
        assert!(err.to_string().contains("past the payload"), "{err}");
    }

    proptest::proptest! {
        /// A message off the wire is untrusted: any headers and payload decode to a message
        /// or an error naming it, never a panic; a decoded inline scan matches its checksum.
        #[test]
        fn any_headers_and_payload_decode_or_fail_cleanly(
            values in proptest::collection::vec(
                proptest::option::of("[ -~]{0,40}"), 11),
            kind in proptest::sample::select(vec!["file", "pair", "x"]),
            payload_kind in proptest::sample::select(vec!["inline", "shared", ""]),
            payload in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let names = [
                HEADER_SCAN_ID, HEADER_SCAN_NAME, HEADER_HIGH_BYTES, HEADER_SHARED_PATH,
                HEADER_SHARED_PATH_LOW, HEADER_CONTENT_SHA256, HEADER_PIXEL_SPACING_MM,
                HEADER_MSG_ID, HEADER_WORKER, HEADER_STATUS, HEADER_KIND,
            ];
            let mut h = HeaderMap::new();
            for (name, v) in names.iter().zip(&values) {
                if let Some(v) = v {
                    h.insert(*name, v.as_str());
                }
            }
            h.insert(HEADER_KIND, kind);
            h.insert(HEADER_PAYLOAD, payload_kind);
            // a valid id half the time, so decoding gets past the first check
            if values[0].is_none() {
                h.insert(HEADER_SCAN_ID, scan_id("x", &ScanBytes::One(payload.clone())).as_str());
            }
            let payload = Bytes::from(payload);
            match ScanMessage::decode(Some(&h), &payload, "t") {
                Ok(m) => {
                    if let Content::Inline(b) = &m.content {
                        proptest::prop_assert_eq!(b.len(), payload.len());
                    }
                    if let Content::Shared { path, .. } = &m.content {
                        proptest::prop_assert!(checked_relative(path).is_ok());
                    }
                }
                Err(e) => proptest::prop_assert!(e.to_string().starts_with("message ")),
            }
        }
    }

    #[test]
    fn shared_paths_stay_inside() {
        assert!(checked_relative(Path::new("../etc/passwd")).is_err());
        assert!(checked_relative(Path::new("/etc/passwd")).is_err());
        assert!(checked_relative(Path::new("")).is_err());
        assert_eq!(
            checked_relative(Path::new("./a/b.png")).expect("inside"),
            PathBuf::from("a/b.png")
        );
        let m = ScanMessage {
            id: scan_id("x", &ScanBytes::One(vec![])),
            name: "x".into(),
            content: Content::Shared {
                path: "a/x_high.png".into(),
                low: Some("a/x_low.png".into()),
                sha256: "00".into(),
            },
            pixel_spacing_mm: None,
        };
        let (mut h, p) = m.encode();
        assert_eq!(ScanMessage::decode(Some(&h), &p, "t").expect("decodes"), m);
        h.insert(HEADER_SHARED_PATH, "../../x");
        assert!(ScanMessage::decode(Some(&h), &p, "t").is_err());
    }
}
