//! Scanner profile files (schema `armscan.scanner/1`) and what a profile changes in a scan read.
//!
//! ```json
//! {"schema": "armscan.scanner/1", "name": "Lab flat panel", "pixel_spacing_mm": 0.16,
//!  "dual_order": "high_first", "stored_values": "transmission"}
//! ```
//! Every field but `schema` may be left out; an unknown field is an error (a misspelt
//! `pixel_spacing_mm` must not pass silently).

use std::path::Path;

use armscan_core::{
    DualOrder, Plane, Planes, ScannerProfile, StoredValues, SCANNER_PROFILE_SCHEMA,
};

use crate::error::IngestError;

/// The largest profile file read: a profile is a few lines.
const MAX_PROFILE_BYTES: u64 = 64 * 1024;

/// Reads and checks a scanner profile file.
///
/// # Errors
/// [`IngestError::Io`] when it cannot be read, [`IngestError::Profile`] naming the file and the
/// fault: too large, not JSON, a wrong or missing schema tag, an unknown field, a bad value.
pub fn read_scanner_profile(path: &Path) -> Result<ScannerProfile, IngestError> {
    let fault = |reason: String| IngestError::Profile {
        path: path.to_owned(),
        reason,
    };
    let io = |source| IngestError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_PROFILE_BYTES {
        return Err(fault(format!(
            "{} bytes; a scanner profile is at most {MAX_PROFILE_BYTES}",
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    let mut value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| fault(format!("not JSON: {e}")))?;
    let Some(object) = value.as_object_mut() else {
        return Err(fault("not a JSON object".into()));
    };
    match object.remove("schema") {
        Some(serde_json::Value::String(s)) if s == SCANNER_PROFILE_SCHEMA => {}
        Some(other) => {
            return Err(fault(format!(
                "schema {other}, expected \"{SCANNER_PROFILE_SCHEMA}\""
            )))
        }
        None => {
            return Err(fault(format!(
                "no schema; expected \"{SCANNER_PROFILE_SCHEMA}\""
            )))
        }
    }
    let profile: ScannerProfile =
        serde_json::from_value(value).map_err(|e| fault(e.to_string()))?;
    profile.check().map_err(fault)?;
    Ok(profile)
}

/// The planes of one file as the profile says to read them: the two planes of a dual-energy file
/// swapped when the low-energy one comes first, every grey plane inverted when the scanner
/// stores attenuation. `one_file`: the planes came from one file (a pair of files is named
/// high and low, so its order is never swapped).
pub(crate) fn apply_profile(planes: Planes, profile: &ScannerProfile, one_file: bool) -> Planes {
    let invert = profile.stored_values == StoredValues::Attenuation;
    let read = |p: Plane| if invert { inverted(&p) } else { p };
    match planes {
        Planes::Grey(p) => Planes::Grey(read(p)),
        Planes::Dual { high, low } => {
            let (high, low) = if one_file && profile.dual_order == DualOrder::LowFirst {
                (low, high)
            } else {
                (high, low)
            };
            Planes::Dual {
                high: read(high),
                low: read(low),
            }
        }
        colour @ Planes::PseudoColour(_) => colour,
    }
}

fn inverted(plane: &Plane) -> Plane {
    let max = plane.max_value();
    let samples = plane
        .samples()
        .iter()
        .map(|&v| max.saturating_sub(v))
        .collect();
    Plane::new(plane.width(), plane.height(), plane.bit_depth(), samples)
        .unwrap_or_else(|e| unreachable!("an inverted plane keeps its size: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> std::path::PathBuf {
        let path = dir.join("scanner.json");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_profile_file_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let good = write(
            dir.path(),
            r#"{"schema": "armscan.scanner/1", "name": "belt 3", "pixel_spacing_mm": 0.8,
                "dual_order": "low_first", "stored_values": "attenuation"}"#,
        );
        let p = read_scanner_profile(&good).unwrap();
        assert_eq!(p.name.as_deref(), Some("belt 3"));
        assert_eq!(p.pixel_spacing_mm, Some(0.8));
        assert_eq!(
            (p.dual_order, p.stored_values),
            (DualOrder::LowFirst, StoredValues::Attenuation)
        );
        let minimal = write(dir.path(), r#"{"schema": "armscan.scanner/1"}"#);
        assert_eq!(
            read_scanner_profile(&minimal).unwrap(),
            ScannerProfile::default()
        );

        for (text, needle) in [
            (
                r#"{"schema": "armscan.scanner/1", "pixel_spacing": 0.8}"#,
                "unknown field `pixel_spacing`",
            ),
            (r#"{"schema": "armscan.scanner/2"}"#, "schema"),
            (r#"{"pixel_spacing_mm": 0.8}"#, "no schema"),
            (
                r#"{"schema": "armscan.scanner/1", "pixel_spacing_mm": -2}"#,
                "pixel_spacing_mm",
            ),
            (
                r#"{"schema": "armscan.scanner/1", "dual_order": "sideways"}"#,
                "sideways",
            ),
            (r#"[1, 2]"#, "not a JSON object"),
            ("pixel_spacing_mm = 0.8", "not JSON"),
        ] {
            let path = write(dir.path(), text);
            let err = read_scanner_profile(&path).unwrap_err().to_string();
            assert!(err.contains("scanner.json"), "names the file: {err}");
            assert!(err.contains(needle), "{needle} in {err}");
        }
        let missing = read_scanner_profile(&dir.path().join("none.json")).unwrap_err();
        assert!(missing.to_string().contains("none.json"));
    }

    #[test]
    fn the_profile_orders_and_inverts_planes() {
        let plane = |v: u16| Plane::new(2, 1, 8, vec![v, 0]).unwrap();
        let dual = Planes::Dual {
            high: plane(10),
            low: plane(20),
        };
        let low_first = ScannerProfile::default().with_dual_order(DualOrder::LowFirst);
        match apply_profile(dual.clone(), &low_first, true) {
            Planes::Dual { high, low } => {
                assert_eq!((high.samples()[0], low.samples()[0]), (20, 10))
            }
            other => panic!("{}", other.kind()),
        }
        match apply_profile(dual, &low_first, false) {
            Planes::Dual { high, .. } => {
                assert_eq!(high.samples()[0], 10, "a named pair keeps its order")
            }
            other => panic!("{}", other.kind()),
        }
        let attenuation = ScannerProfile::default().with_stored_values(StoredValues::Attenuation);
        match apply_profile(Planes::Grey(plane(10)), &attenuation, true) {
            Planes::Grey(p) => assert_eq!(p.samples(), &[245, 255]),
            other => panic!("{}", other.kind()),
        }
    }
}
