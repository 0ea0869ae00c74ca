//! A walk over a DICOM file's element headers that checks every declared length against the
//! bytes that are there, before dicom-rs parses the file.
//!
//! dicom-rs allocates and zero-fills a value's declared length before reading it: a damaged or
//! hostile 3 KB file declaring a 4 GB element costs seconds and gigabytes (found by this crate's
//! damaged-file test). The file is in memory, so every defined length can be checked exactly:
//! an element, item or fragment may not declare more bytes than remain in what encloses it.

use crate::error::DicosError;

/// Deepest nesting of sequences accepted (DICOS objects nest three or four deep).
const MAX_DEPTH: usize = 32;
const UNDEFINED: u32 = u32::MAX;
const ITEM: (u16, u16) = (0xFFFE, 0xE000);
const ITEM_END: (u16, u16) = (0xFFFE, 0xE00D);
const SEQUENCE_END: (u16, u16) = (0xFFFE, 0xE0DD);

/// The value representations of DICOM PS3.5 (2024).
const KNOWN_VRS: [&[u8; 2]; 34] = [
    b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FD", b"FL", b"IS", b"LO", b"LT", b"OB",
    b"OD", b"OF", b"OL", b"OV", b"OW", b"PN", b"SH", b"SL", b"SQ", b"SS", b"ST", b"SV", b"TM",
    b"UC", b"UI", b"UL", b"UN", b"UR", b"US", b"UT", b"UV",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    ExplicitLittle,
    ImplicitLittle,
    ExplicitBig,
}

/// An element header: tag, VR (`"  "` when implicit), declared length, where the value starts.
struct Header {
    tag: (u16, u16),
    vr: [u8; 2],
    len: u32,
    value_at: usize,
}

struct Walk<'a> {
    bytes: &'a [u8],
    syntax: Syntax,
}

/// Checks the lengths of a file that starts with the preamble and `DICM` (checked by the
/// caller). Files in a transfer syntax this walk cannot follow (deflated) are left to dicom-rs.
pub(crate) fn check_lengths(bytes: &[u8]) -> Result<(), DicosError> {
    let meta = Walk {
        bytes,
        syntax: Syntax::ExplicitLittle,
    };
    // the file meta group: explicit VR little endian, group 0002
    let mut at = 132usize;
    let mut transfer_syntax = None;
    while let Some(group) = meta.u16_at(at) {
        if group != 0x0002 {
            break;
        }
        let Header {
            tag,
            vr,
            len,
            value_at,
        } = meta.header(at)?;
        if len == UNDEFINED {
            return Err(fault(
                at,
                tag,
                "an undefined length in the file meta group".into(),
            ));
        }
        let end = meta.within(at, tag, value_at, len, bytes.len())?;
        if tag.1 == 0x0010 && vr != *b"SQ" {
            transfer_syntax = std::str::from_utf8(&bytes[value_at..end])
                .ok()
                .map(|s| s.trim_end_matches(['\0', ' ']).to_owned());
        }
        at = end;
    }
    let syntax = match transfer_syntax.as_deref() {
        Some("1.2.840.10008.1.2") => Syntax::ImplicitLittle,
        Some("1.2.840.10008.1.2.2") => Syntax::ExplicitBig,
        Some("1.2.840.10008.1.2.1.99" | "1.2.840.10008.1.2.1.99.1") => return Ok(()),
        _ => Syntax::ExplicitLittle,
    };
    Walk { bytes, syntax }.data_set(at, bytes.len(), 0)
}

fn fault(at: usize, (group, element): (u16, u16), what: String) -> DicosError {
    DicosError::Invalid {
        name: "data set",
        tag: dicom_core::Tag(group, element),
        reason: format!("at byte {at}: {what}"),
    }
}

impl Walk<'_> {
    fn u16_at(&self, at: usize) -> Option<u16> {
        let b = self.bytes.get(at..at + 2)?;
        Some(match self.syntax {
            Syntax::ExplicitBig => u16::from_be_bytes([b[0], b[1]]),
            _ => u16::from_le_bytes([b[0], b[1]]),
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b = self.bytes.get(at..at + 4)?;
        Some(match self.syntax {
            Syntax::ExplicitBig => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            _ => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        })
    }

    /// The header at `at`: tag, VR (`"  "` when implicit), declared length, where the value
    /// starts. Items and delimiters have no VR, whatever the syntax.
    fn header(&self, at: usize) -> Result<Header, DicosError> {
        let cut = |what: &str| fault(at, (0, 0), format!("the file ends inside {what}"));
        // group and element: the group's byte order is the syntax's, except in the meta group
        let group = self.u16_at(at).ok_or_else(|| cut("a tag"))?;
        let element = self.u16_at(at + 2).ok_or_else(|| cut("a tag"))?;
        let tag = (group, element);
        if group == 0xFFFE || self.syntax == Syntax::ImplicitLittle && group != 0x0002 {
            let len = self.u32_at(at + 4).ok_or_else(|| cut("a length"))?;
            return Ok(Header {
                tag,
                vr: *b"  ",
                len,
                value_at: at + 8,
            });
        }
        let vr = self
            .bytes
            .get(at + 4..at + 6)
            .ok_or_else(|| cut("a value representation"))?;
        let vr = [vr[0], vr[1]];
        if !KNOWN_VRS.contains(&&vr) {
            // dicom-rs would read the header of an unknown VR another way than this walk did
            return Err(fault(
                at,
                tag,
                format!(
                    "unknown value representation {:?}",
                    String::from_utf8_lossy(&vr)
                ),
            ));
        }
        let long = matches!(
            &vr,
            b"OB"
                | b"OD"
                | b"OF"
                | b"OL"
                | b"OV"
                | b"OW"
                | b"SQ"
                | b"SV"
                | b"UC"
                | b"UN"
                | b"UR"
                | b"UT"
                | b"UV"
        );
        if long {
            let len = self.u32_at(at + 8).ok_or_else(|| cut("a length"))?;
            Ok(Header {
                tag,
                vr,
                len,
                value_at: at + 12,
            })
        } else {
            let len = self.u16_at(at + 6).ok_or_else(|| cut("a length"))?;
            Ok(Header {
                tag,
                vr,
                len: u32::from(len),
                value_at: at + 8,
            })
        }
    }

    /// The end of a value of `len` bytes at `value_at`, which must lie before `limit`.
    fn within(
        &self,
        at: usize,
        tag: (u16, u16),
        value_at: usize,
        len: u32,
        limit: usize,
    ) -> Result<usize, DicosError> {
        let end = value_at.saturating_add(len as usize);
        if end > limit {
            return Err(fault(
                at,
                tag,
                format!(
                    "a value of {len} bytes, but only {} remain",
                    limit.saturating_sub(value_at)
                ),
            ));
        }
        Ok(end)
    }

    /// The elements in `[at, limit)`; returns at the end, or after a delimiter that ends the
    /// enclosing item (`Ok` with the delimiter consumed is signalled by the caller's position).
    fn data_set(&self, mut at: usize, limit: usize, depth: usize) -> Result<(), DicosError> {
        while at < limit {
            at = self.element(at, limit, depth)?.0;
        }
        Ok(())
    }

    /// One element at `at`; returns where the next starts and whether it was an item delimiter.
    fn element(&self, at: usize, limit: usize, depth: usize) -> Result<(usize, bool), DicosError> {
        let Header {
            tag,
            vr,
            len,
            value_at,
        } = self.header(at)?;
        if tag == ITEM_END || tag == SEQUENCE_END {
            return Ok((value_at, true));
        }
        if len != UNDEFINED {
            let end = self.within(at, tag, value_at, len, limit)?;
            if vr == *b"SQ"
                || (vr == *b"  "
                    && self.syntax == Syntax::ImplicitLittle
                    && len > 0
                    && self.starts_item(value_at))
            {
                self.items(value_at, end, depth + 1, tag)?;
            }
            return Ok((end, false));
        }
        // undefined length: a sequence, or encapsulated pixel data (items up to the delimiter)
        if !(vr == *b"SQ" || vr == *b"OB" || vr == *b"OW" || vr == *b"UN" || vr == *b"  ") {
            return Err(fault(
                at,
                tag,
                "an undefined length on a value that cannot have one".into(),
            ));
        }
        let end = self.items_to_delimiter(value_at, limit, depth + 1, tag)?;
        Ok((end, false))
    }

    fn starts_item(&self, at: usize) -> bool {
        self.u16_at(at) == Some(ITEM.0) && self.u16_at(at + 2) == Some(ITEM.1)
    }

    /// The items of a sequence of defined length, filling `[at, end)` exactly.
    fn items(
        &self,
        mut at: usize,
        end: usize,
        depth: usize,
        tag: (u16, u16),
    ) -> Result<(), DicosError> {
        while at < end {
            at = self.item(at, end, depth, tag)?;
        }
        Ok(())
    }

    /// Items up to the sequence delimitation item; returns where the sequence ends.
    fn items_to_delimiter(
        &self,
        mut at: usize,
        limit: usize,
        depth: usize,
        tag: (u16, u16),
    ) -> Result<usize, DicosError> {
        loop {
            if at >= limit {
                return Err(fault(at, tag, "a sequence without its delimiter".into()));
            }
            let header = self.header(at)?;
            if header.tag == SEQUENCE_END {
                return Ok(header.value_at);
            }
            at = self.item(at, limit, depth, tag)?;
        }
    }

    /// One item (a nested data set, or a pixel data fragment); returns where the next starts.
    fn item(
        &self,
        at: usize,
        limit: usize,
        depth: usize,
        tag: (u16, u16),
    ) -> Result<usize, DicosError> {
        if depth > MAX_DEPTH {
            return Err(fault(
                at,
                tag,
                format!("sequences nested deeper than {MAX_DEPTH}"),
            ));
        }
        let Header {
            tag: item_tag,
            len,
            value_at,
            ..
        } = self.header(at)?;
        if item_tag != ITEM {
            return Err(fault(
                at,
                tag,
                format!(
                    "({:04X},{:04X}) where an item was expected",
                    item_tag.0, item_tag.1
                ),
            ));
        }
        if tag == (0x7FE0, 0x0010) {
            // a pixel data fragment: bytes, not a data set
            if len == UNDEFINED {
                return Err(fault(
                    at,
                    tag,
                    "a pixel data fragment of undefined length".into(),
                ));
            }
            return self.within(at, tag, value_at, len, limit);
        }
        if len != UNDEFINED {
            let end = self.within(at, tag, value_at, len, limit)?;
            self.data_set(value_at, end, depth)?;
            return Ok(end);
        }
        // an item of undefined length: elements up to the item delimiter
        let mut next = value_at;
        loop {
            if next >= limit {
                return Err(fault(at, tag, "an item without its delimiter".into()));
            }
            let (after, delimiter) = self.element(next, limit, depth)?;
            next = after;
            if delimiter {
                return Ok(next);
            }
        }
    }
}
