//! Scan ingestion for armscan.
//!
//! Reads scanner files into [`armscan_core::Scan`]s:
//! - PNG, JPEG, TIFF and BMP, recognised by their content (a wrong extension does not matter);
//! - 8- and 16-bit greyscale, RGB (grey stored as RGB becomes grey; anything else is
//!   pseudo-colour);
//! - DICOS (and plain DICOM) DX images, recognised by their `DICM` magic code, read through
//!   `armscan-dicos`: pixel data, pixel spacing, and the UIDs a threat report references
//!   ([`armscan_core::Scan::dicos`]); a DICOS pair's energies (Image Type, KVP) are checked
//!   against its names;
//! - dual-energy scans, as a pair of files (`NAME_high.EXT` + `NAME_low.EXT`) or as one 16-bit
//!   TIFF with two planes (two pages, or two samples per pixel: high first, then low);
//! - decode limits on bytes and pixels, checked before pixels are allocated ([`DecodeLimits`]);
//! - scanner profile files ([`read_scanner_profile`]): spacing, plane order, stored values;
//! - the pixel spacing a file states (PNG `pHYs`, TIFF resolution tags: [`file_spacing_mm`]);
//! - windowing of 16-bit data to the detector's 8-bit range ([`Windowing`]);
//! - folder walking in a stable order, with symlink loops detected ([`collect_inputs`]).

mod decode;
mod error;
pub mod fuzz_support;
mod limits;
mod profile;
mod spacing;
mod walk;
mod window;

pub use decode::{
    load_dual_pair, load_input, load_pair_bytes, load_scan, load_scan_bytes, IngestOptions,
};
pub use error::{IngestError, IngestFault};
pub use limits::DecodeLimits;
pub use profile::read_scanner_profile;
pub use spacing::file_spacing_mm;
pub use walk::{collect_inputs, ScanInput, IMAGE_EXTENSIONS};
pub use window::{detector_grey, display_rgb, Windowing};
