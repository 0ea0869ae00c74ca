//! Scaling a grey scan to the model's working scale.
//!
//! [`resize_grey`] uses `fast_image_resize` (SIMD convolution on 8-bit samples) with the bilinear
//! (triangle) filter, whose support widens with the downscale factor like `image`'s
//! `FilterType::Triangle`, so thin dense objects are averaged, not skipped. It was measured at
//! a quarter or less of `image::imageops::resize`'s time on the scans of the end-to-end benchmark
//! (BENCHMARKS.md), which spent a quarter of all CPU time there. [`resize_grey_reference`] is the
//! `image` path, kept for the tests that bound the difference between the two.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::GrayImage;

/// `grey` resized to `width × height` (bilinear, area-aware when shrinking).
#[must_use]
pub fn resize_grey(grey: &GrayImage, width: u32, height: u32) -> GrayImage {
    let (w, h) = grey.dimensions();
    if (w, h) == (width, height) {
        return grey.clone();
    }
    fast(grey, width, height).unwrap_or_else(|| resize_grey_reference(grey, width, height))
}

fn fast(grey: &GrayImage, width: u32, height: u32) -> Option<GrayImage> {
    let (w, h) = grey.dimensions();
    let src = ImageRef::new(w, h, grey.as_raw(), PixelType::U8).ok()?;
    let mut dst = Image::new(width.max(1), height.max(1), PixelType::U8);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new().resize(&src, &mut dst, &options).ok()?;
    GrayImage::from_raw(width.max(1), height.max(1), dst.into_vec())
}

/// The same resize by `image::imageops::resize` with `FilterType::Triangle`.
#[must_use]
pub fn resize_grey_reference(grey: &GrayImage, width: u32, height: u32) -> GrayImage {
    image::imageops::resize(grey, width, height, image::imageops::FilterType::Triangle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene(w: u32, h: u32) -> GrayImage {
        // bright belt, a dark bar, a thin dense wire, a grey gradient
        GrayImage::from_fn(w, h, |x, y| {
            let v = if (100..300).contains(&x) && (80..140).contains(&y) {
                20
            } else if x == 400 || x == 401 {
                40
            } else {
                (255 - (y * 100 / h.max(1))) as u8
            };
            image::Luma([v])
        })
    }

    #[test]
    fn fast_resize_matches_the_reference_within_a_few_levels() {
        for (w, h, nw, nh) in [
            (1024, 768, 427, 320),
            (1000, 800, 667, 533),
            (300, 200, 600, 400),
            (640, 480, 640, 479),
        ] {
            let img = scene(w, h);
            let a = resize_grey(&img, nw, nh);
            let b = resize_grey_reference(&img, nw, nh);
            assert_eq!(a.dimensions(), (nw, nh));
            let diffs: Vec<i32> = a
                .as_raw()
                .iter()
                .zip(b.as_raw())
                .map(|(p, q)| (i32::from(*p) - i32::from(*q)).abs())
                .collect();
            let mean = diffs.iter().sum::<i32>() as f64 / diffs.len() as f64;
            let big = diffs.iter().filter(|d| **d > 24).count();
            assert!(mean < 1.5, "{w}x{h} -> {nw}x{nh}: mean |diff| {mean}");
            assert!(
                big * 200 < diffs.len(),
                "{w}x{h} -> {nw}x{nh}: {big} pixels differ by more than 24"
            );
        }
        // the thin wire survives a 2.4x shrink (area-aware), as with the reference
        let small = resize_grey(&scene(1024, 768), 427, 320);
        let col = (400.0 / 1024.0 * 427.0) as u32;
        let darkest = (col.saturating_sub(1)..=col + 1)
            .map(|x| small.get_pixel(x, 200).0[0])
            .min()
            .unwrap_or(255);
        assert!(darkest < 200, "wire lost: {darkest}");
    }

    #[test]
    fn same_size_is_a_copy() {
        let img = scene(64, 48);
        assert_eq!(resize_grey(&img, 64, 48), img);
    }
}
