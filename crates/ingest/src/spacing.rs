//! The pixel spacing a scan file states: PNG `pHYs`, TIFF `XResolution`/`YResolution` with
//! `ResolutionUnit`. Resolutions image tools write by default (72 and 96 dots per inch) say
//! nothing of a scanner and are ignored.

use std::io::Cursor;

/// The spacings a file may state, in millimetres; outside this it is taken as no spacing.
const PLAUSIBLE_MM: std::ops::RangeInclusive<f32> = 0.01..=10.0;

/// Dots per inch that image tools write when they know nothing (not a scanner's figure).
const TOOL_DEFAULT_DPI: [f32; 2] = [72.0, 96.0];

/// The pixel spacing in millimetres that a PNG or TIFF file states of itself, if any. Square
/// pixels only: a file whose two axes differ by more than 1 % states none.
#[must_use]
pub fn file_spacing_mm(bytes: &[u8]) -> Option<f32> {
    let (x_mm, y_mm) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_spacing(bytes)?
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        tiff_spacing(bytes)?
    } else {
        return None;
    };
    let square = (x_mm - y_mm).abs() <= 0.01 * x_mm.max(y_mm);
    let tool_default = TOOL_DEFAULT_DPI
        .iter()
        .any(|dpi| (25.4 / x_mm - dpi).abs() < 0.5);
    (square && !tool_default && PLAUSIBLE_MM.contains(&x_mm)).then_some(x_mm)
}

/// `pHYs` before the first `IDAT`: pixels per metre on each axis, unit 1 (metre).
fn png_spacing(bytes: &[u8]) -> Option<(f32, f32)> {
    let mut at = 8usize;
    while let Some(header) = bytes.get(at..at + 8) {
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = &header[4..8];
        if kind == b"IDAT" || kind == b"IEND" {
            return None;
        }
        if kind == b"pHYs" {
            let data = bytes.get(at + 8..at + 8 + 9)?;
            let x = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
            let y = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
            return (data[8] == 1 && x > 0 && y > 0)
                .then(|| (1000.0 / x as f32, 1000.0 / y as f32));
        }
        at = at.checked_add(12)?.checked_add(length)?;
    }
    None
}

/// The first page's resolution tags. ResolutionUnit 2 (inch, the default) or 3 (centimetre);
/// 1 (no unit) states no spacing.
fn tiff_spacing(bytes: &[u8]) -> Option<(f32, f32)> {
    use tiff::decoder::ifd::Value;
    use tiff::tags::Tag;
    let mut decoder = tiff::decoder::Decoder::new(Cursor::new(bytes)).ok()?;
    let mut resolution = |tag: Tag| -> Option<f32> {
        match decoder.find_tag(tag).ok()?? {
            Value::Rational(n, d) if d > 0 => Some(n as f32 / d as f32),
            _ => None,
        }
    };
    let (x, y) = (resolution(Tag::XResolution)?, resolution(Tag::YResolution)?);
    let unit: u16 = decoder
        .find_tag_unsigned(Tag::ResolutionUnit)
        .ok()
        .flatten()
        .unwrap_or(2);
    let mm_per_unit = match unit {
        2 => 25.4,
        3 => 10.0,
        _ => return None,
    };
    (x > 0.0 && y > 0.0).then(|| (mm_per_unit / x, mm_per_unit / y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiff::tags::ResolutionUnit;

    fn png_with_phys(x_ppm: u32, y_ppm: u32, unit: u8) -> Vec<u8> {
        let mut out = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new(&mut out);
        image::ImageEncoder::write_image(encoder, &[0u8; 4], 2, 2, image::ExtendedColorType::L8)
            .expect("a PNG");
        // pHYs goes between IHDR (8 + 25 bytes) and IDAT
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&9u32.to_be_bytes());
        chunk.extend_from_slice(b"pHYs");
        chunk.extend_from_slice(&x_ppm.to_be_bytes());
        chunk.extend_from_slice(&y_ppm.to_be_bytes());
        chunk.push(unit);
        chunk.extend_from_slice(&[0; 4]); // the CRC is not checked here
        out.splice(33..33, chunk);
        out
    }

    #[test]
    fn png_phys_in_metres_gives_the_spacing() {
        let mm = file_spacing_mm(&png_with_phys(1250, 1250, 1));
        assert!(mm.is_some_and(|mm| (mm - 0.8).abs() < 1e-6), "{mm:?}");
        assert_eq!(
            file_spacing_mm(&png_with_phys(1250, 1250, 0)),
            None,
            "no unit"
        );
        assert_eq!(
            file_spacing_mm(&png_with_phys(1250, 2500, 1)),
            None,
            "not square"
        );
        assert_eq!(
            file_spacing_mm(&png_with_phys(2835, 2835, 1)),
            None,
            "72 dpi: a tool default"
        );
        assert_eq!(
            file_spacing_mm(&png_with_phys(3780, 3780, 1)),
            None,
            "96 dpi: a tool default"
        );
        assert_eq!(
            file_spacing_mm(&png_with_phys(1, 1, 1)),
            None,
            "1 m a pixel: not a scan"
        );
        assert_eq!(file_spacing_mm(&png_with_phys(0, 0, 1)), None);
    }

    #[test]
    fn png_without_phys_and_other_bytes_state_nothing() {
        let mut plain = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new(&mut plain);
        image::ImageEncoder::write_image(encoder, &[0u8; 4], 2, 2, image::ExtendedColorType::L8)
            .expect("a PNG");
        assert_eq!(file_spacing_mm(&plain), None);
        assert_eq!(file_spacing_mm(b"\x89PNG\r\n\x1a\n\0\0"), None, "cut short");
        assert_eq!(file_spacing_mm(b"not an image"), None);
        assert_eq!(file_spacing_mm(b""), None);
    }

    fn tiff_with_resolution(x: (u32, u32), y: (u32, u32), unit: ResolutionUnit) -> Vec<u8> {
        use tiff::encoder::{colortype, Rational, TiffEncoder};
        let mut out = Cursor::new(Vec::new());
        {
            let mut encoder = TiffEncoder::new(&mut out).expect("an encoder");
            let mut image = encoder
                .new_image::<colortype::Gray16>(2, 2)
                .expect("an image");
            image.resolution_unit(unit);
            image.x_resolution(Rational { n: x.0, d: x.1 });
            image.y_resolution(Rational { n: y.0, d: y.1 });
            image.write_data(&[0u16; 4]).expect("data");
        }
        out.into_inner()
    }

    #[test]
    fn tiff_resolution_tags_give_the_spacing() {
        // 12.5 pixels per cm = 0.8 mm
        let mm = file_spacing_mm(&tiff_with_resolution(
            (25, 2),
            (25, 2),
            ResolutionUnit::Centimeter,
        ));
        assert!(mm.is_some_and(|mm| (mm - 0.8).abs() < 1e-6), "{mm:?}");
        // 254 per inch = 0.1 mm
        let mm = file_spacing_mm(&tiff_with_resolution(
            (254, 1),
            (254, 1),
            ResolutionUnit::Inch,
        ));
        assert!(mm.is_some_and(|mm| (mm - 0.1).abs() < 1e-6), "{mm:?}");
        let none = tiff_with_resolution((254, 1), (254, 1), ResolutionUnit::None);
        assert_eq!(file_spacing_mm(&none), None);
        let tool_default = tiff_with_resolution((72, 1), (72, 1), ResolutionUnit::Inch);
        assert_eq!(file_spacing_mm(&tool_default), None);
        let oblong = tiff_with_resolution((254, 1), (127, 1), ResolutionUnit::Inch);
        assert_eq!(file_spacing_mm(&oblong), None);
    }
}
