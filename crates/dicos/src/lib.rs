//! DICOS for armscan: NEMA's DICOM for security screening, in and out.
//!
//! - In: [`read_dx`] reads a DICOS DX image (or a plain DICOM projection radiograph) into
//!   pixels armscan can screen, with what the file states of it: pixel spacing, the energy of a
//!   dual-energy image (Image Type `HIGH_ENERGY`/`LOW_ENERGY`, and KVP), and the UIDs that
//!   identify it ([`armscan_core::DicosImageRef`]).
//! - Out: [`TdrReport`] encodes a machine Threat Detection Report (TDR) about one screened scan:
//!   each detection a potential threat object with its region in the image's pixels, its
//!   category and probability, referencing the image(s).
//!
//! Built on dicom-rs (`dicom-object`, `dicom-pixeldata` with JPEG and RLE decoding; no C
//! libraries). Checked against an independent implementation, the Stratovan DICOS toolkit (the
//! `pydicos` package), in both directions (`crates/cli/tests/cli/dicos.rs`).
//!
//! # What the DICOS toolkit requires beyond DICOM data dictionaries
//!
//! Found by writing and reading files with the toolkit (pydicos 1.3.0); a writer that follows
//! only a DICOM dictionary produces files the toolkit refuses:
//! - DX: OOI Type (4010,1042), KVP (0018,0060) and X-Ray Tube Current in µA (0018,8151) are
//!   required to write one;
//! - TDR: the Referenced Study Sequence (0008,1110), which DICOS names Referenced Scans Sequence,
//!   is required; Alarm Decision `ALARM` needs at least one threat object; every threat item needs
//!   a processing start and end time, (4010,1080) and (4010,1081) (DT), with the total
//!   (4010,1082) (FL): three attributes absent from DICOM dictionaries (pydicom 3.0 names none of
//!   them); Image Scale Representation (4010,1075) must be above 0 or the report is not read;
//! - the toolkit writes Threat ROI Base and Extents (4010,1004/1005) as (x, y, z) in the image's
//!   pixels (pydicos's own dictionaries label them z, y, x: read the toolkit's `Point3D`);
//! - the toolkit's own UIDs have components with leading zeros (not valid DICOM UIDs, PS3.5
//!   9.1); armscan's are `2.25.` UUID-derived UIDs ([`uid::derived`]) and it reads either;
//! - the toolkit writes every file, reports included, with the JPEG Lossless (process 14,
//!   selection value 1) transfer syntax; armscan reads it and writes Explicit VR Little Endian.

mod error;
mod lengths;
mod read;
mod tdr;
pub mod uid;

pub use error::{DicosError, DicosFault};
pub use read::{is_dicom, read_dx, DxImage, DxLimits, DxPixels, Energy};
pub use tdr::{date_time, Algorithm, Assessment, TdrReport, ThreatObject};

/// SOP Class UIDs of the DICOS objects armscan meets.
pub mod sop_class {
    /// DICOS CT Image Storage.
    pub const DICOS_CT: &str = "1.2.840.10008.5.1.4.1.1.501.1";
    /// DICOS Digital X-Ray Image Storage - For Presentation.
    pub const DICOS_DX_FOR_PRESENTATION: &str = "1.2.840.10008.5.1.4.1.1.501.2.1";
    /// DICOS Digital X-Ray Image Storage - For Processing.
    pub const DICOS_DX_FOR_PROCESSING: &str = "1.2.840.10008.5.1.4.1.1.501.2.2";
    /// DICOS Threat Detection Report Storage.
    pub const DICOS_TDR: &str = "1.2.840.10008.5.1.4.1.1.501.3";
}
