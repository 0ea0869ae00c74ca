//! Decoding scanner files into scans.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use armscan_core::{
    DicosImageRef, PixelSpacing, Plane, Planes, RgbPlane, Scan, ScannerProfile, SpacingSource,
};
use armscan_dicos::{DxLimits, DxPixels, Energy};
use image::{DynamicImage, ImageFormat, ImageReader};

use crate::error::IngestError;
use crate::limits::DecodeLimits;
use crate::profile::apply_profile;
use crate::spacing::file_spacing_mm;
use crate::walk::ScanInput;

/// How to read scans: the decode limits and the pixel spacing the caller knows. How the planes
/// are then brought to the detector's range ([`crate::Windowing`]) is the detector's choice, not
/// a reading option.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct IngestOptions {
    pub limits: DecodeLimits,
    /// Pixel spacing in mm given for the scans read with these options: it comes before what a
    /// file states ([`SpacingSource::Given`]).
    pub given_spacing_mm: Option<f32>,
    /// The scanner's profile: its pixel spacing for files that state none
    /// ([`SpacingSource::Profile`]), its plane order and what its stored values mean.
    pub profile: ScannerProfile,
}

impl IngestOptions {
    #[must_use]
    pub fn with_limits(mut self, limits: DecodeLimits) -> Self {
        self.limits = limits;
        self
    }
    #[must_use]
    pub fn with_given_spacing_mm(mut self, spacing_mm: Option<f32>) -> Self {
        self.given_spacing_mm = spacing_mm;
        self
    }
    #[must_use]
    pub fn with_profile(mut self, profile: ScannerProfile) -> Self {
        self.profile = profile;
        self
    }

    /// The spacing of a scan whose file states `from_file`: given, else
    /// the file's, else the profile's.
    #[must_use]
    pub fn spacing_for(&self, from_file: Option<f32>) -> Option<PixelSpacing> {
        let pick = |mm: Option<f32>, source| mm.and_then(|mm| PixelSpacing::new(mm, source));
        pick(self.given_spacing_mm, SpacingSource::Given)
            .or_else(|| pick(from_file, SpacingSource::File))
            .or_else(|| pick(self.profile.pixel_spacing_mm, SpacingSource::Profile))
    }
}

fn read_bounded(path: &Path, limits: &DecodeLimits) -> Result<Vec<u8>, IngestError> {
    let io = |source| IngestError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(IngestError::Unsupported {
            path: path.to_owned(),
            reason: "is a directory".into(),
        });
    }
    if !meta.is_file() {
        // A FIFO would block the batch until a writer came; a device (/dev/zero) would be read
        // to the byte limit. Scans are regular files.
        return Err(IngestError::Unsupported {
            path: path.to_owned(),
            reason: "not a regular file (a FIFO, socket or device)".into(),
        });
    }
    if meta.len() > limits.max_file_bytes {
        return Err(IngestError::Limits {
            path: path.to_owned(),
            reason: format!(
                "file is {} bytes, the limit is {} bytes",
                meta.len(),
                limits.max_file_bytes
            ),
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Read at most one byte past the limit, in case the file grew since the metadata call.
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(IngestError::Limits {
            path: path.to_owned(),
            reason: "file grew past the byte limit while read".into(),
        });
    }
    if bytes.is_empty() {
        return Err(IngestError::Decode {
            path: path.to_owned(),
            reason: "file is empty (0 bytes)".into(),
        });
    }
    Ok(bytes)
}

/// Reads one scan file: a single-energy or pseudo-colour image, or a two-plane dual-energy TIFF.
///
/// # Errors
/// [`IngestError`] naming the file and the fault: unreadable, empty, truncated or corrupt, not an
/// image, an unsupported sample format, or over the decode limits.
pub fn load_scan(path: &Path, options: &IngestOptions) -> Result<Scan, IngestError> {
    let bytes = read_bounded(path, &options.limits)?;
    Ok(decode_file(path, &bytes, &options.limits)?.into_scan(path.display().to_string(), options))
}

/// Decodes one scan file's bytes already in memory (any supported format, found by content), as
/// [`load_scan`] does for a file; `name` names the scan in errors and in [`Scan::source`].
///
/// # Errors
/// As [`load_scan`], naming `name`.
pub fn load_scan_bytes(
    name: &str,
    bytes: &[u8],
    options: &IngestOptions,
) -> Result<Scan, IngestError> {
    let path = Path::new(name);
    check_bytes(path, bytes, &options.limits)?;
    Ok(decode_file(path, bytes, &options.limits)?.into_scan(name.to_owned(), options))
}

/// A decoded file: its planes, the spacing it states, and what a DICOS file says of itself.
struct Decoded {
    planes: Planes,
    spacing_mm: Option<f32>,
    dicos: Option<DicosMeta>,
}

/// What a DICOS DX file states beyond its pixels.
struct DicosMeta {
    reference: DicosImageRef,
    kvp: Option<f32>,
    energy: Energy,
}

impl Decoded {
    /// One file's scan (the profile's plane order applies to a two-plane file).
    fn into_scan(self, name: String, options: &IngestOptions) -> Scan {
        let planes = apply_profile(self.planes, &options.profile, true);
        Scan::new(name, planes)
            .with_pixel_spacing(options.spacing_for(self.spacing_mm))
            .with_dicos(self.dicos.map(|d| vec![d.reference]).unwrap_or_default())
    }
}

/// Decodes one file's bytes, DICOS (DICOM) or image, found by content.
fn decode_file(path: &Path, bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, IngestError> {
    if !armscan_dicos::is_dicom(bytes) {
        return Ok(Decoded {
            planes: decode_bytes(path, bytes, limits)?,
            spacing_mm: file_spacing_mm(bytes),
            dicos: None,
        });
    }
    let dicos_err = |source| IngestError::Dicos {
        path: path.to_owned(),
        source,
    };
    let image =
        armscan_dicos::read_dx(bytes, &DxLimits::new(limits.max_side_px, limits.max_pixels))
            .map_err(dicos_err)?;
    let planes = match image.pixels {
        DxPixels::Grey { bit_depth, samples } => Planes::Grey(
            Plane::new(image.width, image.height, bit_depth, samples)
                .map_err(|e| plane_err(path, e))?,
        ),
        DxPixels::Rgb(rgb) => rgb_planes(path, image.width, image.height, rgb)?,
        _ => {
            return Err(IngestError::Unsupported {
                path: path.to_owned(),
                reason: "DICOS pixel layout not supported".into(),
            })
        }
    };
    Ok(Decoded {
        planes,
        spacing_mm: image.spacing_mm,
        dicos: Some(DicosMeta {
            reference: image.reference,
            kvp: image.kvp,
            energy: image.energy,
        }),
    })
}

/// Reads a dual-energy scan given as the bytes of its two single-plane files (an upload);
/// `high_name` and `low_name` name them in errors.
///
/// # Errors
/// As [`load_scan_bytes`] for either file, or [`IngestError::Pair`] when they do not form a
/// pair.
pub fn load_pair_bytes(
    high_name: &str,
    high: &[u8],
    low_name: &str,
    low: &[u8],
    options: &IngestOptions,
) -> Result<Scan, IngestError> {
    dual_pair_from_bytes(
        (Path::new(high_name), high),
        (Path::new(low_name), low),
        options,
    )
}

/// Reads a dual-energy scan given as two single-plane files of the same size.
///
/// # Errors
/// As [`load_scan`] for either file, or [`IngestError::Pair`] when they do not form a pair.
pub fn load_dual_pair(
    high: &Path,
    low: &Path,
    options: &IngestOptions,
) -> Result<Scan, IngestError> {
    let high_bytes = read_bounded(high, &options.limits)?;
    let low_bytes = read_bounded(low, &options.limits)?;
    dual_pair_from_bytes((high, &high_bytes), (low, &low_bytes), options)
}

/// Bytes already in memory against the byte limit; empty bytes are no image.
fn check_bytes(path: &Path, bytes: &[u8], limits: &DecodeLimits) -> Result<(), IngestError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(IngestError::Limits {
            path: path.to_owned(),
            reason: format!(
                "{} bytes, the limit is {} bytes",
                bytes.len(),
                limits.max_file_bytes
            ),
        });
    }
    if bytes.is_empty() {
        return Err(IngestError::Decode {
            path: path.to_owned(),
            reason: "file is empty (0 bytes)".into(),
        });
    }
    Ok(())
}

/// The pair logic of [`load_dual_pair`] on bytes already read (`path` only names the files).
pub(crate) fn dual_pair_from_bytes(
    (high, high_bytes): (&Path, &[u8]),
    (low, low_bytes): (&Path, &[u8]),
    options: &IngestOptions,
) -> Result<Scan, IngestError> {
    type GreyFile = (Plane, Option<f32>, Option<DicosMeta>);
    let grey = |path: &Path, bytes: &[u8]| -> Result<GreyFile, IngestError> {
        check_bytes(path, bytes, &options.limits)?;
        let Decoded {
            planes,
            spacing_mm,
            dicos,
        } = decode_file(path, bytes, &options.limits)?;
        match planes {
            Planes::Grey(p) => Ok((p, spacing_mm, dicos)),
            other => Err(IngestError::Pair {
                path: path.to_owned(),
                reason: format!(
                    "each file of a pair must be one grey plane, this one is {}",
                    other.kind()
                ),
            }),
        }
    };
    let (high_plane, high_spacing_mm, high_dicos) = grey(high, high_bytes)?;
    let (low_plane, _, low_dicos) = grey(low, low_bytes)?;
    if (high_plane.width(), high_plane.height()) != (low_plane.width(), low_plane.height()) {
        return Err(IngestError::Pair {
            path: high.to_owned(),
            reason: format!(
                "sizes differ: high {}x{}, low {} is {}x{}",
                high_plane.width(),
                high_plane.height(),
                low.display(),
                low_plane.width(),
                low_plane.height()
            ),
        });
    }
    check_dicos_energies((high, high_dicos.as_ref()), (low, low_dicos.as_ref()))?;
    let spacing = options.spacing_for(high_spacing_mm);
    let dicos = [high_dicos, low_dicos]
        .into_iter()
        .flatten()
        .map(|d| d.reference)
        .collect();
    let planes = Planes::Dual {
        high: high_plane,
        low: low_plane,
    };
    Ok(Scan::new(
        high.display().to_string(),
        apply_profile(planes, &options.profile, false),
    )
    .with_pixel_spacing(spacing)
    .with_dicos(dicos))
}

/// What DICOS files state of their energy must agree with the names of a pair: the high file
/// must not state `LOW_ENERGY` (nor the low one `HIGH_ENERGY`), and where both state their KVP,
/// the high file's must be the higher.
fn check_dicos_energies(
    (high, high_dicos): (&Path, Option<&DicosMeta>),
    (low, low_dicos): (&Path, Option<&DicosMeta>),
) -> Result<(), IngestError> {
    let pair_err = |path: &Path, reason: String| IngestError::Pair {
        path: path.to_owned(),
        reason,
    };
    if let Some(d) = high_dicos {
        if d.energy == Energy::Low {
            return Err(pair_err(
                high,
                "named as the high-energy file, but its Image Type states LOW_ENERGY".into(),
            ));
        }
    }
    if let Some(d) = low_dicos {
        if d.energy == Energy::High {
            return Err(pair_err(
                low,
                "named as the low-energy file, but its Image Type states HIGH_ENERGY".into(),
            ));
        }
    }
    let kvp = |d: Option<&DicosMeta>| d.and_then(|d| d.kvp);
    if let (Some(h), Some(l)) = (kvp(high_dicos), kvp(low_dicos)) {
        if h <= l {
            return Err(pair_err(
                high,
                format!(
                    "the high-energy file's KVP ({h} kV) is not above the low-energy file's \
                     ({l} kV, {})",
                    low.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Reads whatever one [`ScanInput`] names.
///
/// # Errors
/// As [`load_scan`] and [`load_dual_pair`]; a walk error is returned as it was found.
pub fn load_input(input: &ScanInput, options: &IngestOptions) -> Result<Scan, IngestError> {
    match input {
        ScanInput::File(path) => load_scan(path, options),
        ScanInput::DualPair { high, low } => {
            let mut scan = load_dual_pair(high, low, options)?;
            scan.source = input.name();
            Ok(scan)
        }
        ScanInput::Broken { path, reason } => Err(IngestError::Io {
            path: path.clone(),
            source: std::io::Error::other(reason.clone()),
        }),
    }
}

pub(crate) fn decode_bytes(
    path: &Path,
    bytes: &[u8],
    limits: &DecodeLimits,
) -> Result<Planes, IngestError> {
    let p = || path.to_owned();
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|source| IngestError::Io { path: p(), source })?;
    let format = reader.format().ok_or_else(|| IngestError::Unsupported {
        path: p(),
        reason: "not a recognised image format (expected PNG, JPEG, TIFF, BMP or DICOS/DICOM)"
            .into(),
    })?;
    match format {
        ImageFormat::Tiff => return crate::decode::tiff_planes(path, bytes, limits),
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Bmp => {}
        other => {
            return Err(IngestError::Unsupported {
                path: p(),
                reason: format!(
                    "{other:?} images are not supported (expected PNG, JPEG, TIFF or BMP)"
                ),
            })
        }
    }
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        // JPEG decoders fill a cut-off image with grey and carry on; a screening tool must not.
        return Err(IngestError::Decode {
            path: p(),
            reason: "JPEG ends before its end-of-image marker (truncated)".into(),
        });
    }
    if format == ImageFormat::Png {
        png_precheck(bytes).map_err(|reason| IngestError::Decode { path: p(), reason })?;
    }
    let (width, height) = reader.into_dimensions().map_err(|e| image_error(path, e))?;
    limits
        .check_dimensions(width, height)
        .map_err(|reason| IngestError::Limits { path: p(), reason })?;

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_side_px);
    l.max_image_height = Some(limits.max_side_px);
    l.max_alloc = Some(limits.max_alloc_bytes(4));
    reader.limits(l);
    let image = reader.decode().map_err(|e| image_error(path, e))?;
    planes_from_dynamic(path, image)
}

/// Checks what the `png` decoder does not: a palette (PLTE) holds 1 to 256 whole RGB entries.
/// png 0.18.1 panics on a PLTE whose length is not a multiple of 3 (found by the decode_png fuzz
/// target; regression input `fuzz/corpus/decode_png/regress_plte_49_bytes.png`). Walks chunk
/// headers only, up to IEND.
fn png_precheck(bytes: &[u8]) -> Result<(), String> {
    let mut at = 8usize;
    while let Some(head) = bytes.get(at..at.saturating_add(8)) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let kind = &head[4..8];
        if kind == b"PLTE" && (len == 0 || len % 3 != 0 || len > 768) {
            return Err(format!(
                "PNG palette (PLTE) of {len} bytes is not 1 to 256 RGB entries"
            ));
        }
        if kind == b"IEND" {
            break;
        }
        at = at
            .saturating_add(12)
            .saturating_add(usize::try_from(len).unwrap_or(usize::MAX));
    }
    Ok(())
}

/// True when an end-of-image marker (FF D9) follows the last start-of-scan marker (FF DA).
/// In entropy-coded data a 0xFF byte is always followed by 0x00 or a restart marker, so FF D9
/// there can only be the real end of the image.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_sos = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_sos {
        Some(sos) => bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

fn image_error(path: &Path, e: image::ImageError) -> IngestError {
    use image::ImageError as E;
    let path = path.to_owned();
    match e {
        E::Limits(l) => IngestError::Limits {
            path,
            reason: l.to_string(),
        },
        E::Unsupported(u) => IngestError::Unsupported {
            path,
            reason: u.to_string(),
        },
        E::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => IngestError::Decode {
            path,
            reason: "file ends early (truncated)".into(),
        },
        source => IngestError::Image { path, source },
    }
}

fn plane_err(path: &Path, e: armscan_core::PlaneError) -> IngestError {
    IngestError::Plane {
        path: path.to_owned(),
        source: e,
    }
}

/// An RGB image is grey when its channels agree (up to JPEG's chroma noise) almost everywhere.
fn rgb_is_grey(rgb: &[u8]) -> bool {
    let pixels = rgb.len() / 3;
    let colourful = rgb
        .chunks_exact(3)
        .filter(|c| {
            let (lo, hi) = (c[0].min(c[1]).min(c[2]), c[0].max(c[1]).max(c[2]));
            hi - lo > 12
        })
        .count();
    colourful * 200 <= pixels
}

fn rgb_planes(path: &Path, width: u32, height: u32, rgb: Vec<u8>) -> Result<Planes, IngestError> {
    if rgb_is_grey(&rgb) {
        // Grey stored as RGB: keep the mean of the three channels.
        let grey = rgb
            .chunks_exact(3)
            .map(|c| (u16::from(c[0]) + u16::from(c[1]) + u16::from(c[2]) + 1) / 3)
            .collect();
        return Plane::new(width, height, 8, grey)
            .map(Planes::Grey)
            .map_err(|e| plane_err(path, e));
    }
    RgbPlane::new(width, height, rgb)
        .map(Planes::PseudoColour)
        .map_err(|e| plane_err(path, e))
}

fn planes_from_dynamic(path: &Path, image: DynamicImage) -> Result<Planes, IngestError> {
    let (width, height) = (image.width(), image.height());
    match image {
        DynamicImage::ImageLuma8(g) => Plane::new(
            width,
            height,
            8,
            g.into_raw().into_iter().map(u16::from).collect(),
        )
        .map(Planes::Grey)
        .map_err(|e| plane_err(path, e)),
        DynamicImage::ImageLumaA8(_) => {
            let g = image.to_luma8();
            Plane::new(
                width,
                height,
                8,
                g.into_raw().into_iter().map(u16::from).collect(),
            )
            .map(Planes::Grey)
            .map_err(|e| plane_err(path, e))
        }
        DynamicImage::ImageLuma16(g) => Plane::new(width, height, 16, g.into_raw())
            .map(Planes::Grey)
            .map_err(|e| plane_err(path, e)),
        DynamicImage::ImageLumaA16(_) => {
            Plane::new(width, height, 16, image.to_luma16().into_raw())
                .map(Planes::Grey)
                .map_err(|e| plane_err(path, e))
        }
        DynamicImage::ImageRgb8(rgb) => rgb_planes(path, width, height, rgb.into_raw()),
        DynamicImage::ImageRgba8(_)
        | DynamicImage::ImageRgb16(_)
        | DynamicImage::ImageRgba16(_) => {
            rgb_planes(path, width, height, image.to_rgb8().into_raw())
        }
        _ => Err(IngestError::Unsupported {
            path: path.to_owned(),
            reason: format!(
                "sample format {:?} (floating-point or unknown) is not supported",
                image.color()
            ),
        }),
    }
}

fn tiff_err(path: &Path, e: tiff::TiffError) -> IngestError {
    use tiff::TiffError as E;
    let path = path.to_owned();
    match e {
        E::LimitsExceeded => IngestError::Limits {
            path,
            reason: "TIFF decoding buffer over the limit".into(),
        },
        E::UnsupportedError(u) => IngestError::Unsupported {
            path,
            reason: format!("TIFF: {u}"),
        },
        E::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => IngestError::Decode {
            path,
            reason: "TIFF file ends early (truncated)".into(),
        },
        other => IngestError::Decode {
            path,
            reason: format!("TIFF: {other}"),
        },
    }
}

/// Samples of one TIFF page as 16-bit values with their bit depth.
fn tiff_samples(
    path: &Path,
    result: tiff::decoder::DecodingResult,
) -> Result<(Vec<u16>, u8), IngestError> {
    use tiff::decoder::DecodingResult as R;
    match result {
        R::U8(v) => Ok((v.into_iter().map(u16::from).collect(), 8)),
        R::U16(v) => Ok((v, 16)),
        _ => Err(IngestError::Unsupported {
            path: path.to_owned(),
            reason: "TIFF samples must be 8- or 16-bit unsigned integers".into(),
        }),
    }
}

pub(crate) fn tiff_planes(
    path: &Path,
    bytes: &[u8],
    limits: &DecodeLimits,
) -> Result<Planes, IngestError> {
    use tiff::ColorType as C;
    let p = || PathBuf::from(path);
    let mut tl = tiff::decoder::Limits::default();
    tl.decoding_buffer_size = usize::try_from(limits.max_alloc_bytes(2)).unwrap_or(usize::MAX);
    tl.intermediate_buffer_size = tl.decoding_buffer_size;
    let mut dec = tiff::decoder::Decoder::new(Cursor::new(bytes))
        .map_err(|e| tiff_err(path, e))?
        .with_limits(tl);
    let (width, height) = dec.dimensions().map_err(|e| tiff_err(path, e))?;
    limits
        .check_dimensions(width, height)
        .map_err(|reason| IngestError::Limits { path: p(), reason })?;
    let colour = dec.colortype().map_err(|e| tiff_err(path, e))?;
    match colour {
        C::Gray(8 | 16) => {
            let (samples, depth) =
                tiff_samples(path, dec.read_image().map_err(|e| tiff_err(path, e))?)?;
            let first =
                Plane::new(width, height, depth, samples).map_err(|e| plane_err(path, e))?;
            if !dec.more_images() {
                return Ok(Planes::Grey(first));
            }
            // A second page of the same size is the low-energy plane.
            dec.next_image().map_err(|e| tiff_err(path, e))?;
            let (w2, h2) = dec.dimensions().map_err(|e| tiff_err(path, e))?;
            if (w2, h2) != (width, height) {
                return Err(IngestError::Pair {
                    path: p(),
                    reason: format!(
                        "page 1 is {width}x{height}, page 2 is {w2}x{h2}; \
                         dual-energy pages must match"
                    ),
                });
            }
            if !matches!(
                dec.colortype().map_err(|e| tiff_err(path, e))?,
                C::Gray(8 | 16)
            ) {
                return Err(IngestError::Unsupported {
                    path: p(),
                    reason: "page 2 of a dual-energy TIFF must be grey".into(),
                });
            }
            let (samples, depth) =
                tiff_samples(path, dec.read_image().map_err(|e| tiff_err(path, e))?)?;
            let second =
                Plane::new(width, height, depth, samples).map_err(|e| plane_err(path, e))?;
            if dec.more_images() {
                return Err(IngestError::Unsupported {
                    path: p(),
                    reason: "TIFF has more than two pages; \
                             a dual-energy TIFF has exactly two"
                        .into(),
                });
            }
            Ok(Planes::Dual {
                high: first,
                low: second,
            })
        }
        C::GrayA(8 | 16)
        | C::Multiband {
            bit_depth: 8 | 16,
            num_samples: 2,
        } => {
            let (samples, depth) =
                tiff_samples(path, dec.read_image().map_err(|e| tiff_err(path, e))?)?;
            let high = samples.iter().step_by(2).copied().collect();
            let low = samples.iter().skip(1).step_by(2).copied().collect();
            let high = Plane::new(width, height, depth, high).map_err(|e| plane_err(path, e))?;
            let low = Plane::new(width, height, depth, low).map_err(|e| plane_err(path, e))?;
            Ok(Planes::Dual { high, low })
        }
        C::RGB(8) => {
            let (samples, _) =
                tiff_samples(path, dec.read_image().map_err(|e| tiff_err(path, e))?)?;
            let rgb = samples
                .into_iter()
                .map(|v| u8::try_from(v).unwrap_or(u8::MAX))
                .collect();
            rgb_planes(path, width, height, rgb)
        }
        C::RGB(16) => {
            let (samples, _) =
                tiff_samples(path, dec.read_image().map_err(|e| tiff_err(path, e))?)?;
            let rgb = samples.into_iter().map(|v| (v >> 8) as u8).collect();
            rgb_planes(path, width, height, rgb)
        }
        other => Err(IngestError::Unsupported {
            path: p(),
            reason: format!(
                "TIFF colour type {other:?} \
                 (expected 8/16-bit grey, two-plane 16-bit, or 8-bit RGB)"
            ),
        }),
    }
}
