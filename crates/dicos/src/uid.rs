//! DICOM unique identifiers made by armscan.

use sha2::{Digest, Sha256};

/// A UID under the `2.25` root (ISO/IEC 9834-8: a UUID as one decimal number) derived from
/// `parts`: the first 128 bits of the SHA-256 of the parts, each ended by a NUL. The same parts
/// give the same UID; a UID is at most 44 characters and has no leading zero in any component.
#[must_use]
pub fn derived(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    let digest = hash.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    format!("2.25.{}", u128::from_be_bytes(first))
}

/// Implementation Class UID (0002,0012) of the files armscan writes.
#[must_use]
pub fn implementation_class_uid() -> String {
    derived(&["armscan implementation", env!("CARGO_PKG_VERSION")])
}

/// True when `uid` is a valid DICOM UID: at most 64 characters, digits and dots, components not
/// empty and without a leading zero (PS3.5 section 9.1).
#[must_use]
pub fn is_valid(uid: &str) -> bool {
    uid.len() <= 64
        && !uid.is_empty()
        && uid.split('.').all(|c| {
            !c.is_empty()
                && c.bytes().all(|b| b.is_ascii_digit())
                && (c == "0" || !c.starts_with('0'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_uids_are_valid_stable_and_distinct() {
        let a = derived(&["scan", "a.dcs"]);
        assert_eq!(a, derived(&["scan", "a.dcs"]));
        assert_ne!(a, derived(&["scan", "b.dcs"]));
        // the separator keeps ("ab", "c") apart from ("a", "bc")
        assert_ne!(derived(&["ab", "c"]), derived(&["a", "bc"]));
        for n in 0..200 {
            let uid = derived(&["n", &n.to_string()]);
            assert!(is_valid(&uid), "{uid}");
            assert!(uid.starts_with("2.25."));
        }
    }

    #[test]
    fn validity_follows_ps3_5() {
        assert!(is_valid("1.2.840.10008.5.1.4.1.1.501.3"));
        assert!(is_valid("2.25.0"));
        // what the Stratovan toolkit writes: components with leading zeros
        assert!(!is_valid(
            "0794719355.35148.05504.199248.043052189121108052"
        ));
        assert!(!is_valid("1..2"));
        assert!(!is_valid("1.2a"));
        assert!(!is_valid(&"1.".repeat(40)));
    }
}
