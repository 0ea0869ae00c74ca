//! Proxies for "another scanner": a scan resampled to another pixel spacing, as a scanner with
//! a coarser (or finer) detector pitch would have stored it. The cross-scanner suite of
//! `armscan eval --resample-mm` screens such copies with the spacing withheld and maps the
//! detections back onto the original scan's pixels.

use armscan_core::{BoxInImage, Plane, Planes, RgbPlane, Scan};
use image::imageops::{resize, FilterType};
use image::{ImageBuffer, Luma, Rgb};

/// `scan` resampled by `factor` (0.5: half the pixels a side), each side at least one pixel,
/// with no pixel spacing: what the scanner stated is what a suite withholds. Shrinking uses a
/// triangle filter over the whole footprint (no aliasing), as a coarser detector integrates.
///
/// # Panics
/// Never for planes that [`Plane::new`] and [`RgbPlane::new`] accepted.
#[must_use]
pub fn resample_scan(scan: &Scan, factor: f32) -> Scan {
    let size = |v: u32| ((v as f32 * factor).round() as u32).max(1);
    let (w, h) = (size(scan.width()), size(scan.height()));
    let grey = |p: &Plane| -> Plane {
        let buffer: ImageBuffer<Luma<u16>, Vec<u16>> =
            ImageBuffer::from_raw(p.width(), p.height(), p.samples().to_vec())
                .unwrap_or_else(|| unreachable!("a plane holds width x height samples"));
        let out = resize(&buffer, w, h, FilterType::Triangle);
        Plane::new(w, h, p.bit_depth(), out.into_raw())
            .unwrap_or_else(|e| unreachable!("a resized plane is a plane: {e}"))
    };
    let planes = match &scan.planes {
        Planes::Grey(p) => Planes::Grey(grey(p)),
        Planes::Dual { high, low } => Planes::Dual {
            high: grey(high),
            low: grey(low),
        },
        Planes::PseudoColour(p) => {
            let buffer: ImageBuffer<Rgb<u8>, Vec<u8>> =
                ImageBuffer::from_raw(p.width(), p.height(), p.rgb().to_vec())
                    .unwrap_or_else(|| unreachable!("an RGB plane holds 3 x width x height bytes"));
            let out = resize(&buffer, w, h, FilterType::Triangle);
            Planes::PseudoColour(
                RgbPlane::new(w, h, out.into_raw())
                    .unwrap_or_else(|e| unreachable!("a resized plane is a plane: {e}")),
            )
        }
    };
    Scan::new(scan.source.clone(), planes)
}

/// A box found on a copy resampled by `factor`, in the original scan's pixels.
#[must_use]
pub fn box_in_original(b: BoxInImage, factor: f32) -> BoxInImage {
    BoxInImage::new(b.x1 / factor, b.y1 / factor, b.x2 / factor, b.y2 / factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_kind_and_depth_and_drops_the_spacing() {
        let samples: Vec<u16> = (0..40 * 20).map(|i| (i % 4096) as u16).collect();
        let plane = Plane::new(40, 20, 12, samples).unwrap();
        let scan = Scan::new(
            "s",
            Planes::Dual {
                high: plane.clone(),
                low: plane,
            },
        )
        .with_pixel_spacing(armscan_core::PixelSpacing::new(
            0.2,
            armscan_core::SpacingSource::File,
        ));
        let small = resample_scan(&scan, 0.25);
        assert_eq!((small.width(), small.height()), (10, 5));
        assert_eq!(small.planes.kind(), "dual");
        assert_eq!(small.pixel_spacing, None);
        if let Planes::Dual { high, .. } = &small.planes {
            assert_eq!(high.bit_depth(), 12);
        }
        let rgb = RgbPlane::new(3, 3, vec![200; 27]).unwrap();
        let tiny = resample_scan(&Scan::new("c", Planes::PseudoColour(rgb)), 0.1);
        assert_eq!(
            (tiny.width(), tiny.height()),
            (1, 1),
            "at least a pixel a side"
        );
        assert!(matches!(&tiny.planes, Planes::PseudoColour(p) if p.rgb() == [200, 200, 200]));
    }

    #[test]
    fn boxes_map_back() {
        let b = box_in_original(BoxInImage::new(10.0, 5.0, 20.0, 15.0), 0.5);
        assert_eq!(b.to_array(), [20.0, 10.0, 40.0, 30.0]);
    }
}
