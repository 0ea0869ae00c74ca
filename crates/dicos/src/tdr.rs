//! Writing DICOS Threat Detection Reports (TDR): one per screened scan, each detection a
//! potential threat object (PTO) with its region, category and probability, referencing the
//! image(s) the scan was read from.

use std::sync::atomic::{AtomicU64, Ordering};

use armscan_core::{Category, Detection, DicosImageRef, Status};
use dicom_core::value::DataSetSequence;
use dicom_core::{dicom_value, DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use dicom_transfer_syntax_registry::entries::EXPLICIT_VR_LITTLE_ENDIAN as EXPLICIT_VR_LE_TS;

use crate::error::DicosError;
use crate::{sop_class, uid};

/// Explicit VR Little Endian: what the report is written in.
const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";

/// DICOS attributes of group 4010 this writer uses. DICOS defines them; the names follow the
/// DICOS standard (several are absent from DICOM data dictionaries: see the crate docs).
mod dicos_tags {
    use dicom_core::Tag;
    pub const THREAT_ROI_VOXEL_SEQUENCE: Tag = Tag(0x4010, 0x1001);
    pub const THREAT_ROI_BASE: Tag = Tag(0x4010, 0x1004);
    pub const THREAT_ROI_EXTENTS: Tag = Tag(0x4010, 0x1005);
    pub const THREAT_ROI_BITMAP: Tag = Tag(0x4010, 0x1006);
    pub const POTENTIAL_THREAT_OBJECT_ID: Tag = Tag(0x4010, 0x1010);
    pub const THREAT_SEQUENCE: Tag = Tag(0x4010, 0x1011);
    pub const THREAT_CATEGORY: Tag = Tag(0x4010, 0x1012);
    pub const THREAT_CATEGORY_DESCRIPTION: Tag = Tag(0x4010, 0x1013);
    pub const ATD_ABILITY_ASSESSMENT: Tag = Tag(0x4010, 0x1014);
    pub const ATD_ASSESSMENT_FLAG: Tag = Tag(0x4010, 0x1015);
    pub const ATD_ASSESSMENT_PROBABILITY: Tag = Tag(0x4010, 0x1016);
    pub const ABORT_FLAG: Tag = Tag(0x4010, 0x1024);
    pub const ABORT_REASON: Tag = Tag(0x4010, 0x1021);
    pub const TDR_TYPE: Tag = Tag(0x4010, 0x1027);
    pub const THREAT_DETECTION_ALGORITHM_AND_VERSION: Tag = Tag(0x4010, 0x1029);
    pub const ALARM_DECISION_TIME: Tag = Tag(0x4010, 0x102B);
    pub const ALARM_DECISION: Tag = Tag(0x4010, 0x1031);
    pub const NUMBER_OF_TOTAL_OBJECTS: Tag = Tag(0x4010, 0x1033);
    pub const NUMBER_OF_ALARM_OBJECTS: Tag = Tag(0x4010, 0x1034);
    pub const PTO_REPRESENTATION_SEQUENCE: Tag = Tag(0x4010, 0x1037);
    pub const ATD_ASSESSMENT_SEQUENCE: Tag = Tag(0x4010, 0x1038);
    pub const DICOS_VERSION: Tag = Tag(0x4010, 0x103A);
    pub const OOI_TYPE: Tag = Tag(0x4010, 0x1042);
    pub const ACQUISITION_STATUS: Tag = Tag(0x4010, 0x1044);
    pub const SCAN_TYPE: Tag = Tag(0x4010, 0x1048);
    pub const TOTAL_PROCESSING_TIME: Tag = Tag(0x4010, 0x1069);
    pub const ADDITIONAL_SCREENING_PERFORMED: Tag = Tag(0x4010, 0x106D);
    pub const IMAGE_SCALE_REPRESENTATION: Tag = Tag(0x4010, 0x1075);
    pub const PTO_PROCESSING_START_TIME: Tag = Tag(0x4010, 0x1080);
    pub const PTO_PROCESSING_END_TIME: Tag = Tag(0x4010, 0x1081);
    pub const PTO_TOTAL_PROCESSING_TIME: Tag = Tag(0x4010, 0x1082);
}
use dicos_tags as dt;

/// The ATD Assessment Flag (4010,1015) of one potential threat object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Assessment {
    /// `THREAT`: the detection alone reaches the alarm score.
    Threat,
    /// `UNKNOWN`: the detection asks an operator to look (review score), but alarms alone no.
    Unknown,
    /// `NO_THREAT`: listed, but below the review score.
    NoThreat,
}

impl Assessment {
    /// The flag a detection gets from the verdict it would make alone.
    #[must_use]
    pub fn from_status(alone: Status) -> Self {
        match alone {
            Status::Alarm => Assessment::Threat,
            Status::Review => Assessment::Unknown,
            Status::Clear | Status::Error => Assessment::NoThreat,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Assessment::Threat => "THREAT",
            Assessment::Unknown => "UNKNOWN",
            Assessment::NoThreat => "NO_THREAT",
        }
    }
}

/// One potential threat object: a detection in the scan's pixels and its assessment.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreatObject {
    pub detection: Detection,
    pub assessment: Assessment,
}

/// The algorithm that made the report: Threat Detection Algorithm and Version (4010,1029) holds
/// the manufacturer, the version, then one `-name=value` per parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Algorithm {
    pub manufacturer: String,
    pub version: String,
    pub parameters: Vec<(String, String)>,
}

impl Algorithm {
    #[must_use]
    pub fn new(manufacturer: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            manufacturer: manufacturer.into(),
            version: version.into(),
            parameters: Vec::new(),
        }
    }
    #[must_use]
    pub fn with_parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.push((name.into(), value.into()));
        self
    }
}

/// A machine Threat Detection Report about one screened scan, ready to encode
/// ([`TdrReport::encode`]).
///
/// - Alarm Decision (4010,1031): `ALARM` for a scan whose verdict is alarm or review (an
///   operator must look), `CLEAR` for clear, `UNKNOWN` with Abort Flag (4010,1024) `ABORT` for a
///   scan that could not be screened: a failed scan is never reported clear.
/// - Each detection is a PTO (IDs from 1, best first as listed): Threat ROI Base (4010,1004)
///   `[x1, y1, 0]` and Extents (4010,1005) `[x2 - x1, y2 - y1, 1]` in the image's pixels (x, y,
///   z), Threat Category (4010,1012) `PI` (prohibited item) with the Protocol category and fine
///   class in its description, `firearm: handgun`, ATD Assessment Probability (4010,1016) the
///   score.
/// - The referenced images are listed in the Referenced Scans Sequence (0008,1110) and in each
///   PTO's Referenced Instance Sequence (0008,114A); the report joins the first image's study
///   and frame of reference, and takes its object-of-inspection id. A scan not read from DICOS
///   is referenced by a UID derived from its name ([`uid::derived`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TdrReport {
    /// The scan's name, as in its record.
    pub scan_name: String,
    /// The images the scan was read from; empty for a scan not read from DICOS.
    pub images: Vec<DicosImageRef>,
    /// The scan's verdict.
    pub status: Status,
    pub threats: Vec<ThreatObject>,
    /// Time spent on the scan, in milliseconds.
    pub processing_ms: f64,
    pub algorithm: Algorithm,
    /// When the report was made, in milliseconds since the Unix epoch (UTC).
    pub created_unix_ms: u64,
}

impl TdrReport {
    #[must_use]
    pub fn new(scan_name: impl Into<String>, status: Status, algorithm: Algorithm) -> Self {
        Self {
            scan_name: scan_name.into(),
            images: Vec::new(),
            status,
            threats: Vec::new(),
            processing_ms: 0.0,
            algorithm,
            created_unix_ms: 0,
        }
    }
    #[must_use]
    pub fn with_images(mut self, images: Vec<DicosImageRef>) -> Self {
        self.images = images;
        self
    }
    #[must_use]
    pub fn with_threats(mut self, threats: Vec<ThreatObject>) -> Self {
        self.threats = threats;
        self
    }
    #[must_use]
    pub fn with_processing_ms(mut self, processing_ms: f64) -> Self {
        self.processing_ms = processing_ms;
        self
    }
    #[must_use]
    pub fn with_created_unix_ms(mut self, created_unix_ms: u64) -> Self {
        self.created_unix_ms = created_unix_ms;
        self
    }

    /// The report as the bytes of a DICOS file (preamble, `DICM`, file meta group, data set in
    /// Explicit VR Little Endian).
    ///
    /// # Errors
    /// [`DicosError::Encode`] when more than 65 535 threat objects are listed (the PTO count is
    /// an unsigned short) or the data set cannot be written.
    pub fn encode(&self) -> Result<Vec<u8>, DicosError> {
        let count = u16::try_from(self.threats.len()).map_err(|_| DicosError::Encode {
            reason: format!("{} threat objects, at most 65535", self.threats.len()),
        })?;
        let images = self.referenced_images();
        let first = &images[0];
        let instance_uid = self.instance_uid(&images);
        let (date, time) = date_time(self.created_unix_ms);
        let datetime = format!("{date}{time}");
        let start_ms = self
            .created_unix_ms
            .saturating_sub(self.processing_ms.max(0.0).round() as u64);
        let (start_date, start_time) = date_time(start_ms);
        let start = format!("{start_date}{start_time}");

        let mut obj = InMemDicomObject::new_empty();
        let mut put = |tag: Tag, vr: VR, value: PrimitiveValue| {
            obj.put(DataElement::new(tag, vr, value));
        };
        // UTF-8: scan names (and so object ids) may be any text
        put(tags::SPECIFIC_CHARACTER_SET, VR::CS, text("ISO_IR 192"));
        put(tags::INSTANCE_CREATION_DATE, VR::DA, text(&date));
        put(tags::INSTANCE_CREATION_TIME, VR::TM, text(&time));
        put(tags::SOP_CLASS_UID, VR::UI, text(sop_class::DICOS_TDR));
        put(tags::SOP_INSTANCE_UID, VR::UI, text(&instance_uid));
        for tag in [tags::STUDY_DATE, tags::SERIES_DATE, tags::CONTENT_DATE] {
            put(tag, VR::DA, text(&date));
        }
        for tag in [tags::STUDY_TIME, tags::SERIES_TIME, tags::CONTENT_TIME] {
            put(tag, VR::TM, text(&time));
        }
        put(tags::MODALITY, VR::CS, text("TDR"));
        put(
            tags::MANUFACTURER,
            VR::LO,
            text(&lo(&self.algorithm.manufacturer)),
        );
        // DICOS: Machine Location, Machine Address, Machine ID (required by the toolkit)
        put(tags::INSTITUTION_NAME, VR::LO, text(UNKNOWN));
        put(tags::INSTITUTION_ADDRESS, VR::ST, text(UNKNOWN));
        put(tags::STATION_NAME, VR::SH, text(UNKNOWN));
        put(
            tags::MANUFACTURER_MODEL_NAME,
            VR::LO,
            text(&lo(&self.algorithm.manufacturer)),
        );
        put(tags::DEVICE_SERIAL_NUMBER, VR::LO, text(UNKNOWN));
        put(
            tags::SOFTWARE_VERSIONS,
            VR::LO,
            text(&lo(&self.algorithm.version)),
        );
        // the algorithm has no calibration: the report's own time, as the toolkit writes
        put(tags::DATE_OF_LAST_CALIBRATION, VR::DA, text(&date));
        put(tags::TIME_OF_LAST_CALIBRATION, VR::TM, text(&time));
        let ooi_id = first.ooi_id.clone().unwrap_or_else(|| lo(&self.scan_name));
        put(tags::PATIENT_ID, VR::LO, text(&lo(&ooi_id)));
        // DICOS: OOI ID Assigning Authority (required by the toolkit)
        put(tags::ISSUER_OF_PATIENT_ID, VR::LO, text(UNKNOWN));
        put(tags::TYPE_OF_PATIENT_ID, VR::CS, text("TEXT"));
        // the image's study and frame of reference; for a scan not read from DICOS, UIDs
        // derived from the image's (derived) instance UID
        let or_derived = |given: &Option<String>, kind: &str| {
            given
                .clone()
                .unwrap_or_else(|| uid::derived(&[kind, &first.sop_instance_uid]))
        };
        put(
            tags::STUDY_INSTANCE_UID,
            VR::UI,
            text(&or_derived(&first.study_instance_uid, "study")),
        );
        put(
            tags::SERIES_INSTANCE_UID,
            VR::UI,
            text(&uid::derived(&["tdr series", &instance_uid])),
        );
        // DICOS: Scan ID (required by the toolkit)
        put(tags::STUDY_ID, VR::SH, text(UNKNOWN));
        put(tags::INSTANCE_NUMBER, VR::IS, text("1"));
        put(
            tags::FRAME_OF_REFERENCE_UID,
            VR::UI,
            text(&or_derived(&first.frame_of_reference_uid, "frame")),
        );
        put(
            tags::POSITION_REFERENCE_INDICATOR,
            VR::LO,
            PrimitiveValue::Empty,
        );
        let screened = self.status != Status::Error;
        let alarm_objects = self
            .threats
            .iter()
            .filter(|t| t.assessment == Assessment::Threat)
            .count() as u16;
        let decision = match self.status {
            Status::Alarm | Status::Review if count > 0 => "ALARM",
            Status::Clear => "CLEAR",
            _ => "UNKNOWN",
        };
        put(
            dt::ABORT_FLAG,
            VR::CS,
            text(if screened { "SUCCESS" } else { "ABORT" }),
        );
        if !screened {
            put(dt::ABORT_REASON, VR::CS, text("NOT_REVIEWED"));
        }
        put(dt::TDR_TYPE, VR::CS, text("MACHINE"));
        let mut algorithm = vec![
            lo(&self.algorithm.manufacturer),
            lo(&self.algorithm.version),
        ];
        algorithm.extend(
            self.algorithm
                .parameters
                .iter()
                .map(|(name, value)| lo(&format!("-{name}={value}"))),
        );
        put(
            dt::THREAT_DETECTION_ALGORITHM_AND_VERSION,
            VR::LO,
            PrimitiveValue::Strs(algorithm.into()),
        );
        put(dt::ALARM_DECISION_TIME, VR::DT, text(&datetime));
        put(dt::ALARM_DECISION, VR::CS, text(decision));
        put(
            dt::NUMBER_OF_TOTAL_OBJECTS,
            VR::US,
            dicom_value!(U16, [count]),
        );
        put(
            dt::NUMBER_OF_ALARM_OBJECTS,
            VR::US,
            dicom_value!(U16, [alarm_objects]),
        );
        put(dt::DICOS_VERSION, VR::CS, text("V03"));
        put(dt::OOI_TYPE, VR::CS, text("BAGGAGE"));
        put(dt::ACQUISITION_STATUS, VR::CS, text("SUCCESSFUL"));
        put(dt::SCAN_TYPE, VR::CS, text("OPERATIONAL"));
        put(
            dt::TOTAL_PROCESSING_TIME,
            VR::FL,
            dicom_value!(F32, [self.processing_ms as f32]),
        );
        put(dt::ADDITIONAL_SCREENING_PERFORMED, VR::CS, text("NO"));
        put(
            dt::IMAGE_SCALE_REPRESENTATION,
            VR::FD,
            dicom_value!(F64, [1.0]),
        );

        obj.put(sequence(
            tags::REFERENCED_STUDY_SEQUENCE, // DICOS: Referenced Scans Sequence
            images.iter().map(referenced_instance).collect(),
        ));
        let threats = self
            .threats
            .iter()
            .zip(1u16..)
            .map(|(threat, id)| self.threat_item(threat, id, &images, &start, &datetime))
            .collect();
        obj.put(sequence(dt::THREAT_SEQUENCE, threats));

        // The file meta group is written here, not by dicom-object: DICOS adds DICOS Version
        // (0002,0004) to it, which the toolkit requires and DICOM does not define.
        let mut bytes = vec![0u8; 128];
        bytes.extend_from_slice(b"DICM");
        bytes.extend_from_slice(&file_meta(&instance_uid));
        obj.write_dataset_with_ts(&mut bytes, &EXPLICIT_VR_LE_TS.erased())
            .map_err(|e| DicosError::Encode {
                reason: e.to_string(),
            })?;
        Ok(bytes)
    }

    fn threat_item(
        &self,
        threat: &ThreatObject,
        id: u16,
        images: &[DicosImageRef],
        start: &str,
        end: &str,
    ) -> InMemDicomObject {
        let b = &threat.detection.box_in_image;
        let (x1, y1) = (b.x1.max(0.0), b.y1.max(0.0));
        let (w, h) = ((b.x2 - x1).max(0.0), (b.y2 - y1).max(0.0));
        let roi = InMemDicomObject::from_element_iter([
            DataElement::new(
                dt::THREAT_ROI_BASE,
                VR::FL,
                dicom_value!(F32, [x1, y1, 0.0]),
            ),
            DataElement::new(
                dt::THREAT_ROI_EXTENTS,
                VR::FL,
                dicom_value!(F32, [w, h, 1.0]),
            ),
            DataElement::new(dt::THREAT_ROI_BITMAP, VR::OB, PrimitiveValue::Empty),
        ]);
        let representation = InMemDicomObject::from_element_iter([
            sequence(
                tags::REFERENCED_INSTANCE_SEQUENCE,
                images.iter().map(referenced_instance).collect(),
            ),
            sequence(dt::THREAT_ROI_VOXEL_SEQUENCE, vec![roi]),
        ]);
        let d = &threat.detection;
        let description = format!("{}: {}", category_name(d.category), d.class_name);
        let assessment = InMemDicomObject::from_element_iter([
            DataElement::new(dt::THREAT_CATEGORY, VR::CS, text("PI")),
            DataElement::new(dt::THREAT_CATEGORY_DESCRIPTION, VR::LT, text(&description)),
            DataElement::new(dt::ATD_ABILITY_ASSESSMENT, VR::CS, text("NO_INTERFERENCE")),
            DataElement::new(
                dt::ATD_ASSESSMENT_FLAG,
                VR::CS,
                text(threat.assessment.code()),
            ),
            DataElement::new(
                dt::ATD_ASSESSMENT_PROBABILITY,
                VR::FL,
                dicom_value!(F32, [d.score.clamp(0.0, 1.0)]),
            ),
        ]);
        InMemDicomObject::from_element_iter([
            DataElement::new(
                dt::POTENTIAL_THREAT_OBJECT_ID,
                VR::US,
                dicom_value!(U16, [id]),
            ),
            sequence(dt::PTO_REPRESENTATION_SEQUENCE, vec![representation]),
            sequence(dt::ATD_ASSESSMENT_SEQUENCE, vec![assessment]),
            DataElement::new(dt::PTO_PROCESSING_START_TIME, VR::DT, text(start)),
            DataElement::new(dt::PTO_PROCESSING_END_TIME, VR::DT, text(end)),
            DataElement::new(
                dt::PTO_TOTAL_PROCESSING_TIME,
                VR::FL,
                dicom_value!(F32, [self.processing_ms as f32]),
            ),
        ])
    }

    /// The images to reference: the scan's, or one derived from its name.
    fn referenced_images(&self) -> Vec<DicosImageRef> {
        if self.images.is_empty() {
            vec![DicosImageRef::new(
                sop_class::DICOS_DX_FOR_PROCESSING,
                uid::derived(&["scan", &self.scan_name]),
            )]
        } else {
            self.images.clone()
        }
    }

    /// A new UID for this report: from what it is about, when, and a per-process counter.
    fn instance_uid(&self, images: &[DicosImageRef]) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed).to_string();
        let pid = std::process::id().to_string();
        let created = self.created_unix_ms.to_string();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
            .to_string();
        let mut parts: Vec<&str> = vec!["tdr", &self.scan_name, &created, &pid, &n, &nanos];
        parts.extend(images.iter().map(|i| i.sop_instance_uid.as_str()));
        uid::derived(&parts)
    }
}

/// What the report states for the machine's location, address, id and serial number, which the
/// toolkit requires but a screening algorithm does not know.
const UNKNOWN: &str = "unknown";

/// Implementation Version Name (0002,0013) of the files armscan writes (at most 16 characters).
pub const IMPLEMENTATION_VERSION_NAME: &str = concat!("ARMSCAN_", env!("CARGO_PKG_VERSION"));

/// The file meta group (0002,xxxx) of a report, Explicit VR Little Endian, group length first.
fn file_meta(instance_uid: &str) -> Vec<u8> {
    let mut group = Vec::new();
    meta_element(&mut group, 0x0001, *b"OB", &[0, 1]);
    meta_element(&mut group, 0x0002, *b"UI", sop_class::DICOS_TDR.as_bytes());
    meta_element(&mut group, 0x0003, *b"UI", instance_uid.as_bytes());
    meta_element(&mut group, 0x0004, *b"CS", b"V03"); // DICOS Version
    meta_element(&mut group, 0x0010, *b"UI", EXPLICIT_VR_LE.as_bytes());
    meta_element(
        &mut group,
        0x0012,
        *b"UI",
        uid::implementation_class_uid().as_bytes(),
    );
    meta_element(
        &mut group,
        0x0013,
        *b"SH",
        IMPLEMENTATION_VERSION_NAME.as_bytes(),
    );
    let mut out = Vec::with_capacity(group.len() + 12);
    meta_element(
        &mut out,
        0x0000,
        *b"UL",
        &(group.len() as u32).to_le_bytes(),
    );
    out.extend_from_slice(&group);
    out
}

/// One explicit-VR little-endian element of group 0002, its value padded to an even length
/// (UIDs with NUL, text with a space).
fn meta_element(out: &mut Vec<u8>, element: u16, vr: [u8; 2], value: &[u8]) {
    let mut value = value.to_vec();
    if value.len() % 2 == 1 {
        value.push(if &vr == b"UI" { 0 } else { b' ' });
    }
    out.extend_from_slice(&0x0002u16.to_le_bytes());
    out.extend_from_slice(&element.to_le_bytes());
    out.extend_from_slice(&vr);
    if &vr == b"OB" {
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    } else {
        out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    }
    out.extend_from_slice(&value);
}

fn category_name(category: Category) -> &'static str {
    match category {
        Category::Firearm => "firearm",
        Category::Part => "part",
        Category::Ammunition => "ammunition",
        Category::Accessory => "accessory",
    }
}

fn text(value: &str) -> PrimitiveValue {
    PrimitiveValue::from(value)
}

/// A Long String (LO) value: at most 64 characters, no backslash (the value separator).
fn lo(value: &str) -> String {
    value.replace('\\', "/").chars().take(64).collect()
}

fn referenced_instance(image: &DicosImageRef) -> InMemDicomObject {
    InMemDicomObject::from_element_iter([
        DataElement::new(
            tags::REFERENCED_SOP_CLASS_UID,
            VR::UI,
            text(&image.sop_class_uid),
        ),
        DataElement::new(
            tags::REFERENCED_SOP_INSTANCE_UID,
            VR::UI,
            text(&image.sop_instance_uid),
        ),
    ])
}

fn sequence(tag: Tag, items: Vec<InMemDicomObject>) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
}

/// A Unix time in milliseconds as DICOM DA (`YYYYMMDD`) and TM (`HHMMSS.FFFFFF`), UTC.
#[must_use]
pub fn date_time(unix_ms: u64) -> (String, String) {
    let secs = unix_ms / 1000;
    let micros = (unix_ms % 1000) * 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    (
        format!("{y:04}{m:02}{d:02}"),
        format!(
            "{:02}{:02}{:02}.{micros:06}",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        ),
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_known_days() {
        assert_eq!(date_time(0), ("19700101".into(), "000000.000000".into()));
        // 2026-12-06T17:35:21.123Z
        assert_eq!(
            date_time(1_796_578_521_123),
            ("20261206".into(), "173521.123000".into())
        );
        // 2024-02-29T23:59:59.999Z (a leap day)
        assert_eq!(
            date_time(1_709_251_199_999),
            ("20240229".into(), "235959.999000".into())
        );
    }
}
