//! Reading DICOS DX images (and plain DICOM projection radiographs) into planes.

use std::borrow::Cow;

use armscan_core::DicosImageRef;
use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, OpenFileOptions};
use dicom_pixeldata::{DecodedPixelData, PixelDecoder};

use crate::error::DicosError;
use crate::sop_class;

/// How large an image may be, checked from its header before its pixels are decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DxLimits {
    /// The longest side, in pixels.
    pub max_side_px: u32,
    /// Width times height.
    pub max_pixels: u64,
}

impl DxLimits {
    #[must_use]
    pub fn new(max_side_px: u32, max_pixels: u64) -> Self {
        Self {
            max_side_px,
            max_pixels,
        }
    }
}

/// The pixels of a DX image, in the convention armscan's other formats use: bright is where the
/// X-rays went through (MONOCHROME1 images are inverted on reading).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DxPixels {
    /// One grey sample per pixel, row-major, `bit_depth` bits used (Bits Stored).
    Grey { bit_depth: u8, samples: Vec<u16> },
    /// Three 8-bit samples per pixel (RGB, interleaved): a pseudo-colour image.
    Rgb(Vec<u8>),
}

impl std::fmt::Debug for DxPixels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DxPixels::Grey { bit_depth, samples } => {
                write!(f, "Grey({} samples, {bit_depth} bit)", samples.len())
            }
            DxPixels::Rgb(rgb) => write!(f, "Rgb({} bytes)", rgb.len()),
        }
    }
}

/// Which energy of a dual-energy pair an image is, as its file states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Energy {
    /// Image Type (0008,0008) holds `HIGH_ENERGY`.
    High,
    /// Image Type (0008,0008) holds `LOW_ENERGY`.
    Low,
    /// Neither (DICOS: `INTENSITY`, or a plain DICOM image).
    Unstated,
}

/// One DX image read from a DICOS (DICOM) file.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DxImage {
    pub width: u32,
    pub height: u32,
    pub pixels: DxPixels,
    /// Pixel Spacing (0028,0030), else Imager Pixel Spacing (0018,1164), in millimetres; `None`
    /// when neither is stated, implausible (outside 0.01 to 10 mm) or not square (rows and
    /// columns differ by more than 1 %).
    pub spacing_mm: Option<f32>,
    /// Peak kilovoltage, KVP (0018,0060).
    pub kvp: Option<f32>,
    /// The energy the file states in its Image Type.
    pub energy: Energy,
    /// What a report about this image references.
    pub reference: DicosImageRef,
}

/// True when `bytes` start like a DICOM file: a 128-byte preamble, then `DICM`.
#[must_use]
pub fn is_dicom(bytes: &[u8]) -> bool {
    bytes.get(128..132) == Some(b"DICM".as_slice())
}

/// Reads one DX image from the bytes of a DICOS or DICOM file (DICOS DX for processing or for
/// presentation, DICOM DX, CR or secondary capture: one frame with pixel data). Uncompressed,
/// JPEG (lossless and baseline) and RLE pixel data are decoded.
///
/// # Errors
/// [`DicosError`]: not DICOM, a data set that cannot be parsed, a missing or invalid image
/// attribute, an object that is not a single-frame image (a threat detection report, a CT
/// volume, several frames), an image over `limits`, or pixel data that cannot be decoded.
pub fn read_dx(bytes: &[u8], limits: &DxLimits) -> Result<DxImage, DicosError> {
    if !is_dicom(bytes) {
        return Err(DicosError::NotDicom);
    }
    crate::lengths::check_lengths(bytes)?;
    let object = OpenFileOptions::new()
        .read_preamble(ReadPreamble::Always)
        .from_reader(bytes)
        .map_err(|source| DicosError::Parse {
            source: Box::new(source),
        })?;

    let sop_class_uid = match text(&object, tags::SOP_CLASS_UID) {
        Some(uid) => uid,
        None => trim_uid(object.meta().media_storage_sop_class_uid()),
    };
    refuse_non_images(&sop_class_uid)?;

    let height = required_u32(&object, tags::ROWS, "Rows")?;
    let width = required_u32(&object, tags::COLUMNS, "Columns")?;
    check_limits(width, height, limits)?;
    let frames = text(&object, tags::NUMBER_OF_FRAMES)
        .and_then(|n| n.trim().parse::<u32>().ok())
        .unwrap_or(1);
    if frames != 1 {
        return Err(DicosError::Unsupported {
            reason: format!("{frames} frames (a DX scan is one frame)"),
        });
    }
    if object.element(tags::PIXEL_DATA).is_err() {
        return Err(DicosError::Missing {
            name: "Pixel Data",
            tag: tags::PIXEL_DATA,
        });
    }
    let pixels = decode_pixels(&object, width, height)?;

    let reference = DicosImageRef::new(
        sop_class_uid,
        text(&object, tags::SOP_INSTANCE_UID)
            .unwrap_or_else(|| trim_uid(object.meta().media_storage_sop_instance_uid())),
    )
    .with_study_instance_uid(text(&object, tags::STUDY_INSTANCE_UID))
    .with_series_instance_uid(text(&object, tags::SERIES_INSTANCE_UID))
    .with_frame_of_reference_uid(text(&object, tags::FRAME_OF_REFERENCE_UID))
    .with_ooi_id(text(&object, tags::PATIENT_ID));

    Ok(DxImage {
        width,
        height,
        pixels,
        spacing_mm: spacing_mm(&object),
        kvp: floats(&object, tags::KVP).and_then(|v| v.first().copied()),
        energy: energy(&object),
        reference,
    })
}

fn refuse_non_images(sop_class_uid: &str) -> Result<(), DicosError> {
    let refused = match sop_class_uid {
        sop_class::DICOS_TDR => Some("a DICOS threat detection report, not an image"),
        sop_class::DICOS_CT => Some("a DICOS CT volume (armscan screens 2D DX projections)"),
        _ => None,
    };
    match refused {
        Some(what) => Err(DicosError::Unsupported {
            reason: format!("{what} (SOP class {sop_class_uid})"),
        }),
        None => Ok(()),
    }
}

fn check_limits(width: u32, height: u32, limits: &DxLimits) -> Result<(), DicosError> {
    if width == 0 || height == 0 {
        return Err(DicosError::Invalid {
            name: "Rows/Columns",
            tag: tags::ROWS,
            reason: format!("empty image ({width}x{height})"),
        });
    }
    let side = width.max(height);
    if side > limits.max_side_px {
        return Err(DicosError::Limits {
            reason: format!(
                "{width}x{height}: a side of {side} px, the limit is {} px",
                limits.max_side_px
            ),
        });
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(DicosError::Limits {
            reason: format!(
                "{width}x{height} is {pixels} pixels, the limit is {}",
                limits.max_pixels
            ),
        });
    }
    Ok(())
}

fn decode_pixels(
    object: &DefaultDicomObject,
    width: u32,
    height: u32,
) -> Result<DxPixels, DicosError> {
    let samples_per_pixel = required_u32(object, tags::SAMPLES_PER_PIXEL, "Samples per Pixel")?;
    let bits_allocated = required_u32(object, tags::BITS_ALLOCATED, "Bits Allocated")?;
    let bits_stored = match text(object, tags::BITS_STORED) {
        Some(_) => required_u32(object, tags::BITS_STORED, "Bits Stored")?,
        None => bits_allocated,
    };
    let signed = text(object, tags::PIXEL_REPRESENTATION).is_some_and(|v| v.trim() == "1");
    let photometric = text(object, tags::PHOTOMETRIC_INTERPRETATION)
        .unwrap_or_default()
        .to_ascii_uppercase();
    let pixels = (width as usize) * (height as usize);
    check_jpeg_frame(object, width, height, samples_per_pixel, bits_allocated)?;

    match (samples_per_pixel, photometric.as_str()) {
        (1, "MONOCHROME1" | "MONOCHROME2") => {}
        (3, "RGB") if bits_allocated == 8 => {
            let decoded = decode(object)?;
            let data = decoded
                .frame_data(0)
                .map_err(|source| DicosError::Pixels {
                source: Box::new(source),
            })?;
            if data.len() < pixels * 3 {
                return Err(short_pixel_data(data.len(), pixels * 3));
            }
            let planar = text(object, tags::PLANAR_CONFIGURATION).is_some_and(|v| v.trim() == "1");
            let rgb = if planar {
                let (r, rest) = data[..pixels * 3].split_at(pixels);
                let (g, b) = rest.split_at(pixels);
                (0..pixels).flat_map(|i| [r[i], g[i], b[i]]).collect()
            } else {
                data[..pixels * 3].to_vec()
            };
            return Ok(DxPixels::Rgb(rgb));
        }
        (spp, pi) => {
            return Err(DicosError::Unsupported {
                reason: format!(
                    "{spp} samples per pixel, photometric interpretation {pi:?}, {bits_allocated} bits \
                     (expected MONOCHROME1/2 grey, or 8-bit RGB)"
                ),
            })
        }
    }
    if !(bits_allocated == 8 || bits_allocated == 16) || bits_stored == 0 || bits_stored > 16 {
        return Err(DicosError::Unsupported {
            reason: format!(
                "{bits_allocated} bits allocated, {bits_stored} stored (expected 8 or 16 allocated)"
            ),
        });
    }
    let bits_stored = bits_stored.min(bits_allocated);
    let decoded = decode(object)?;
    let raw: Vec<u16> = if bits_allocated == 16 {
        decoded
            .frame_data_ow(0)
            .map_err(|source| DicosError::Pixels {
                source: Box::new(source),
            })?
    } else {
        decoded
            .frame_data(0)
            .map_err(|source| DicosError::Pixels {
                source: Box::new(source),
            })?
            .iter()
            .map(|&b| u16::from(b))
            .collect()
    };
    if raw.len() < pixels {
        return Err(short_pixel_data(raw.len(), pixels));
    }
    // Bits Stored of Bits Allocated carry the value; the bits above may hold overlays.
    let mask: u32 = (1u32 << bits_stored) - 1;
    let half: i32 = 1 << (bits_stored - 1);
    let max = mask as u16;
    let invert = photometric == "MONOCHROME1";
    let samples = raw[..pixels]
        .iter()
        .map(|&v| {
            let stored = u32::from(v) & mask;
            let value = if signed {
                // two's complement in bits_stored bits, shifted to 0..=mask
                let as_signed = if stored as i32 >= half {
                    stored as i32 - (1 << bits_stored)
                } else {
                    stored as i32
                };
                (as_signed + half) as u16
            } else {
                stored as u16
            };
            if invert {
                max - value
            } else {
                value
            }
        })
        .collect();
    Ok(DxPixels::Grey {
        bit_depth: bits_stored as u8,
        samples,
    })
}

/// dicom-rs's decoders, with a panic in one (a damaged stream can make one index out of its
/// buffer) turned into an error: a damaged scan must not bring down the caller.
fn decode(object: &DefaultDicomObject) -> Result<DecodedPixelData<'_>, DicosError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| object.decode_pixel_data())) {
        Ok(result) => result.map_err(|source| DicosError::Pixels {
            source: Box::new(source),
        }),
        Err(_) => Err(DicosError::Invalid {
            name: "Pixel Data",
            tag: tags::PIXEL_DATA,
            reason: "the pixel data decoder failed on damaged data".into(),
        }),
    }
}

/// JPEG transfer syntaxes whose frame header is checked ([`check_jpeg_frame`]): baseline,
/// extended, lossless, lossless first-order prediction.
const JPEG_SYNTAXES: [&str; 4] = [
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.51",
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
];

/// For JPEG pixel data: the frame header (SOF) of the first fragment must state the image's
/// size, samples per pixel, and a precision that fits Bits Allocated. The decoder copies what the
/// JPEG holds into a buffer sized from Rows and Columns; a stream that disagrees is refused here
/// with a clear error instead.
fn check_jpeg_frame(
    object: &DefaultDicomObject,
    width: u32,
    height: u32,
    samples_per_pixel: u32,
    bits_allocated: u32,
) -> Result<(), DicosError> {
    let syntax = object
        .meta()
        .transfer_syntax()
        .trim_end_matches(['\0', ' ']);
    if !JPEG_SYNTAXES.contains(&syntax) {
        return Ok(());
    }
    let invalid = |reason: String| DicosError::Invalid {
        name: "Pixel Data",
        tag: tags::PIXEL_DATA,
        reason,
    };
    let fragments = object
        .element(tags::PIXEL_DATA)
        .ok()
        .and_then(|e| e.value().fragments())
        .ok_or_else(|| {
            invalid("JPEG transfer syntax, but the pixel data is not encapsulated".into())
        })?;
    let first = fragments
        .first()
        .ok_or_else(|| invalid("no pixel data fragment".into()))?;
    let frame = jpeg_frame_header(first)
        .ok_or_else(|| invalid("no JPEG frame header (SOF) in the first fragment".into()))?;
    let fits = frame.width == width
        && frame.height == height
        && u32::from(frame.components) == samples_per_pixel
        && u32::from(frame.precision).div_ceil(8) * 8 == bits_allocated;
    if fits {
        Ok(())
    } else {
        Err(invalid(format!(
            "the JPEG frame is {}x{}, {} component(s) of {} bits; the image is {width}x{height}, \
             {samples_per_pixel} sample(s) of {bits_allocated} bits allocated",
            frame.width, frame.height, frame.components, frame.precision
        )))
    }
}

struct JpegFrame {
    precision: u8,
    height: u32,
    width: u32,
    components: u8,
}

/// The first start-of-frame segment of a JPEG stream, found by walking its marker segments.
fn jpeg_frame_header(stream: &[u8]) -> Option<JpegFrame> {
    if stream.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2usize;
    loop {
        // fill bytes (0xFF) may precede a marker
        while *stream.get(at)? == 0xFF && *stream.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *stream.get(at)? != 0xFF {
            return None;
        }
        let marker = *stream.get(at + 1)?;
        let length = usize::from(u16::from_be_bytes([
            *stream.get(at + 2)?,
            *stream.get(at + 3)?,
        ]));
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let s = stream.get(at + 4..at + 10)?;
            return Some(JpegFrame {
                precision: s[0],
                height: u32::from(u16::from_be_bytes([s[1], s[2]])),
                width: u32::from(u16::from_be_bytes([s[3], s[4]])),
                components: s[5],
            });
        }
        if marker == 0xDA || length < 2 {
            return None; // scan data before any frame header
        }
        at += 2 + length;
    }
}

fn short_pixel_data(got: usize, expected: usize) -> DicosError {
    DicosError::Invalid {
        name: "Pixel Data",
        tag: tags::PIXEL_DATA,
        reason: format!("{got} samples decoded, the image needs {expected}"),
    }
}

/// An attribute's text, trimmed of DICOM padding; `None` when absent, empty or not text.
fn text(object: &DefaultDicomObject, tag: Tag) -> Option<String> {
    let element = object.element(tag).ok()?;
    let value = element.to_str().ok()?;
    let trimmed = value.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn trim_uid(uid: &str) -> String {
    uid.trim_end_matches(['\0', ' ']).to_owned()
}

fn required_u32(
    object: &DefaultDicomObject,
    tag: Tag,
    name: &'static str,
) -> Result<u32, DicosError> {
    let element = object
        .element(tag)
        .map_err(|_| DicosError::Missing { name, tag })?;
    element.to_int::<u32>().map_err(|e| DicosError::Invalid {
        name,
        tag,
        reason: e.to_string(),
    })
}

fn floats(object: &DefaultDicomObject, tag: Tag) -> Option<Vec<f32>> {
    let element = object.element(tag).ok()?;
    let values = element.to_multi_float32().ok()?;
    (!values.is_empty() && values.iter().all(|v| v.is_finite())).then_some(values)
}

/// Square, plausible spacing: Pixel Spacing first (calibrated at the object), then Imager Pixel
/// Spacing (at the detector).
fn spacing_mm(object: &DefaultDicomObject) -> Option<f32> {
    const PLAUSIBLE_MM: std::ops::RangeInclusive<f32> = 0.01..=10.0;
    [tags::PIXEL_SPACING, tags::IMAGER_PIXEL_SPACING]
        .into_iter()
        .find_map(|tag| {
            let values = floats(object, tag)?;
            let row = values[0];
            let column = values.get(1).copied().unwrap_or(row);
            let square = (row - column).abs() <= 0.01 * row.max(column);
            (square && PLAUSIBLE_MM.contains(&row)).then_some(row)
        })
}

fn energy(object: &DefaultDicomObject) -> Energy {
    let Ok(element) = object.element(tags::IMAGE_TYPE) else {
        return Energy::Unstated;
    };
    let values: Cow<'_, [String]> = match element.to_multi_str() {
        Ok(values) => values,
        Err(_) => return Energy::Unstated,
    };
    let has = |name: &str| values.iter().any(|v| v.trim().eq_ignore_ascii_case(name));
    if has("HIGH_ENERGY") {
        Energy::High
    } else if has("LOW_ENERGY") {
        Energy::Low
    } else {
        Energy::Unstated
    }
}
