//! The image tools of an X-ray operator's console, on an 8-bit RGB display image (row-major,
//! three bytes a pixel, bright = empty belt): negative, high and low penetration (windowing),
//! organic and inorganic stripping of a pseudo-colour image, edge enhancement, contrast and gamma.
//!
//! Each tool is a pure function of the pixels, so a viewer (`armscan serve`) computes them on
//! the server and each has a unit test here. Materials are told apart by the hue of the
//! pseudo-colour mapping of [`crate::colour`] (orange organic, green inorganic, blue metal), so
//! stripping works for dual-energy scans (rendered with [`crate::colour::pseudo_colour`]) and for
//! scanners' own pseudo-colour exports alike.

use crate::colour::{INORGANIC_RGB, METAL_RGB, ORGANIC_RGB};

/// Which material a stripping tool removes from the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StripMaterial {
    /// Orange in the pseudo-colour mapping: paper, plastics, explosives, food.
    Organic,
    /// Green and blue in the pseudo-colour mapping: light metals, glass and metal.
    Inorganic,
}

/// Below this chroma (max − min channel, 0–255) a pixel is taken as grey: no material is
/// assigned and stripping leaves it alone.
pub const STRIP_MIN_CHROMA: u8 = 24;

/// Inverts every channel: dark objects on a bright belt become bright on dark.
pub fn negative_mut(rgb: &mut [u8]) {
    for v in rgb {
        *v = u8::MAX - *v;
    }
}

/// Windowing: maps `[low, high]` (0–255) linearly onto the full range, clamping outside it.
/// `low >= high` leaves the image unchanged.
pub fn window_mut(rgb: &mut [u8], low: u8, high: u8) {
    if low >= high {
        return;
    }
    let span = f32::from(high - low);
    let lut: [u8; 256] = std::array::from_fn(|i| {
        let v = (i as f32 - f32::from(low)) / span;
        to_byte(v)
    });
    apply_lut(rgb, &lut);
}

/// High penetration: shows what lies behind dense material by stretching the dark half of the
/// range (`[0, 127]` onto `[0, 255]`); thin material goes white.
pub fn high_penetration_mut(rgb: &mut [u8]) {
    window_mut(rgb, 0, 127);
}

/// Low penetration: shows thin, light material by stretching the bright half of the range
/// (`[128, 255]` onto `[0, 255]`); dense material goes black.
pub fn low_penetration_mut(rgb: &mut [u8]) {
    window_mut(rgb, 128, 255);
}

/// Contrast about mid-grey (`factor` 1 leaves it), then gamma (`out = in^(1/gamma)` on `[0, 1]`,
/// so a gamma above 1 brightens the dark range). Non-finite or non-positive values are taken as 1.
pub fn contrast_gamma_mut(rgb: &mut [u8], factor: f32, gamma: f32) {
    let factor = if factor.is_finite() && factor > 0.0 {
        factor
    } else {
        1.0
    };
    let gamma = if gamma.is_finite() && gamma > 0.0 {
        gamma
    } else {
        1.0
    };
    let lut: [u8; 256] = std::array::from_fn(|i| {
        let v = ((i as f32 / 255.0 - 0.5) * factor + 0.5).clamp(0.0, 1.0);
        to_byte(v.powf(1.0 / gamma))
    });
    apply_lut(rgb, &lut);
}

/// The material a pseudo-colour pixel shows, by the nearest hue of the palette; `None` for a
/// grey pixel (chroma below [`STRIP_MIN_CHROMA`]).
#[must_use]
pub fn material_of_rgb(px: [u8; 3]) -> Option<StripMaterial> {
    let max = px.iter().copied().max().unwrap_or(0);
    let min = px.iter().copied().min().unwrap_or(0);
    if max - min < STRIP_MIN_CHROMA {
        return None;
    }
    let chroma = |c: [f32; 3]| {
        let m = c.iter().copied().fold(f32::INFINITY, f32::min);
        let v = [c[0] - m, c[1] - m, c[2] - m];
        let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt().max(1e-6);
        [v[0] / n, v[1] / n, v[2] / n]
    };
    let p = chroma([f32::from(px[0]), f32::from(px[1]), f32::from(px[2])]);
    let cos = |c: [f32; 3]| {
        let q = chroma(c);
        p[0] * q[0] + p[1] * q[1] + p[2] * q[2]
    };
    let organic = cos(ORGANIC_RGB);
    let inorganic = cos(INORGANIC_RGB).max(cos(METAL_RGB));
    Some(if organic >= inorganic {
        StripMaterial::Organic
    } else {
        StripMaterial::Inorganic
    })
}

/// Stripping: pixels showing `material` become empty belt (white); grey pixels and the other
/// materials stay as they are.
pub fn strip_mut(rgb: &mut [u8], material: StripMaterial) {
    for px in rgb.chunks_exact_mut(3) {
        if material_of_rgb([px[0], px[1], px[2]]) == Some(material) {
            px.copy_from_slice(&[u8::MAX; 3]);
        }
    }
}

/// Edge enhancement: a 3x3 sharpening kernel (centre 5, the four neighbours −1) on each channel;
/// border pixels use their nearest neighbours inside the image. `rgb` must hold
/// `width * height * 3` bytes; otherwise it is left unchanged.
pub fn edge_enhance_mut(rgb: &mut [u8], width: usize, height: usize) {
    if width == 0 || height == 0 || rgb.len() != width * height * 3 {
        return;
    }
    // Row by row over a copy, each row's inner pixels as one slice expression (vectorised); the
    // borders repeat their edge pixel, as the kernel's reach is clamped to the image.
    let src = rgb.to_vec();
    let stride = width * 3;
    let kernel = |c: u8, l: u8, r: u8, u: u8, d: u8| -> u8 {
        let v = 5 * i32::from(c) - i32::from(l) - i32::from(r) - i32::from(u) - i32::from(d);
        // Clamped to [0, 255] first, so the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let b = v.clamp(0, 255) as u8;
        b
    };
    for y in 0..height {
        let cur = &src[y * stride..(y + 1) * stride];
        let up = &src[y.saturating_sub(1) * stride..][..stride];
        let down = &src[(y + 1).min(height - 1) * stride..][..stride];
        let out = &mut rgb[y * stride..(y + 1) * stride];
        if width == 1 {
            for i in 0..3 {
                out[i] = kernel(cur[i], cur[i], cur[i], up[i], down[i]);
            }
            continue;
        }
        // Inner pixels: left and right neighbours 3 bytes away.
        let inner = stride - 6;
        let (o, c, l, r) = (
            &mut out[3..3 + inner],
            &cur[3..3 + inner],
            &cur[..inner],
            &cur[6..],
        );
        let (u, d) = (&up[3..3 + inner], &down[3..3 + inner]);
        for i in 0..inner {
            o[i] = kernel(c[i], l[i], r[i], u[i], d[i]);
        }
        for i in 0..3 {
            out[i] = kernel(cur[i], cur[i], cur[i + 3], up[i], down[i]);
            let j = stride - 3 + i;
            out[j] = kernel(cur[j], cur[j - 3], cur[j], up[j], down[j]);
        }
    }
}

fn to_byte(v: f32) -> u8 {
    // Clamped to [0, 255] first, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let b = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    b
}

fn apply_lut(rgb: &mut [u8], lut: &[u8; 256]) {
    for v in rgb {
        *v = lut[usize::from(*v)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::pseudo_colour;

    #[test]
    fn negative_inverts_each_channel() {
        let mut px = vec![0, 128, 255, 10, 20, 30];
        negative_mut(&mut px);
        assert_eq!(px, vec![255, 127, 0, 245, 235, 225]);
    }

    #[test]
    fn high_penetration_stretches_the_dark_half() {
        let mut px = vec![0, 64, 127, 128, 200, 255];
        high_penetration_mut(&mut px);
        assert_eq!(px, vec![0, 129, 255, 255, 255, 255]);
    }

    #[test]
    fn low_penetration_stretches_the_bright_half() {
        let mut px = vec![0, 127, 128, 192, 255, 10];
        low_penetration_mut(&mut px);
        assert_eq!(px, vec![0, 0, 0, 129, 255, 0]);
    }

    #[test]
    fn an_empty_window_changes_nothing() {
        let mut px = vec![1, 2, 3];
        window_mut(&mut px, 9, 9);
        assert_eq!(px, vec![1, 2, 3]);
    }

    #[test]
    fn contrast_and_gamma() {
        let mut px = vec![0, 64, 128, 191, 255, 100];
        contrast_gamma_mut(&mut px, 1.0, 1.0);
        assert_eq!(px, vec![0, 64, 128, 191, 255, 100], "identity");
        let mut px = vec![0, 40, 100, 200, 255];
        contrast_gamma_mut(&mut px, 1.5, 1.0);
        // ((v / 255 - 0.5) * 1.5 + 0.5) * 255 = 1.5 v - 63.75
        assert_eq!(px, vec![0, 0, 86, 236, 255]);
        let mut px = vec![0, 64, 255];
        contrast_gamma_mut(&mut px, 1.0, 2.0);
        // sqrt(64 / 255) = 0.501 -> 128
        assert_eq!(px, vec![0, 128, 255]);
        let mut px = vec![0, 64, 255];
        contrast_gamma_mut(&mut px, f32::NAN, -1.0);
        assert_eq!(px, vec![0, 64, 255], "bad values are taken as 1");
    }

    #[test]
    fn materials_by_hue_of_the_pseudo_colour_mapping() {
        assert_eq!(material_of_rgb([200, 110, 0]), Some(StripMaterial::Organic));
        assert_eq!(
            material_of_rgb([40, 180, 40]),
            Some(StripMaterial::Inorganic)
        );
        assert_eq!(
            material_of_rgb([25, 75, 240]),
            Some(StripMaterial::Inorganic)
        );
        assert_eq!(material_of_rgb([120, 120, 125]), None, "grey");
        // The colour module's own rendering of thin plastic (ratio about 1.3) and of steel.
        let plastic = pseudo_colour(0.8, 0.75);
        let steel = pseudo_colour(0.5, 0.0625);
        assert_eq!(
            material_of_rgb(plastic),
            Some(StripMaterial::Organic),
            "{plastic:?}"
        );
        assert_eq!(
            material_of_rgb(steel),
            Some(StripMaterial::Inorganic),
            "{steel:?}"
        );
    }

    #[test]
    fn stripping_whitens_one_material_only() {
        let organic = [200, 110, 0];
        let metal = [25, 75, 240];
        let grey = [90, 90, 90];
        let image: Vec<u8> = [organic, metal, grey].concat();
        let mut px = image.clone();
        strip_mut(&mut px, StripMaterial::Organic);
        assert_eq!(px, [[255; 3], metal, grey].concat());
        let mut px = image;
        strip_mut(&mut px, StripMaterial::Inorganic);
        assert_eq!(px, [organic, [255; 3], grey].concat());
    }

    #[test]
    fn edge_enhancement_on_a_step() {
        // 3x1 grey: 100, 100, 200. Centre 5v - left - right - up - down (up/down = itself).
        let mut px: Vec<u8> = [100u8, 100, 200].iter().flat_map(|&v| [v; 3]).collect();
        edge_enhance_mut(&mut px, 3, 1);
        let grey: Vec<u8> = px.chunks_exact(3).map(|p| p[0]).collect();
        // x0: 500-100-100-100-100 = 100; x1: 500-100-200-100-100 = 0; x2: 1000-100-200-200-200 = 300 -> 255
        assert_eq!(grey, vec![100, 0, 255]);
        let flat = vec![77u8; 2 * 2 * 3];
        let mut px = flat.clone();
        edge_enhance_mut(&mut px, 2, 2);
        assert_eq!(px, flat, "a flat image stays flat");
        let mut wrong = vec![1u8; 5];
        edge_enhance_mut(&mut wrong, 2, 2);
        assert_eq!(wrong, vec![1u8; 5], "a wrong size is left alone");
    }

    /// The kernel written per pixel with clamped neighbours, as the definition.
    fn edge_reference(src: &[u8], width: usize, height: usize) -> Vec<u8> {
        let at = |x: usize, y: usize, c: usize| i32::from(src[(y * width + x) * 3 + c]);
        let mut out = src.to_vec();
        for y in 0..height {
            for x in 0..width {
                let (xl, xr) = (x.saturating_sub(1), (x + 1).min(width - 1));
                let (yu, yd) = (y.saturating_sub(1), (y + 1).min(height - 1));
                for c in 0..3 {
                    let v =
                        5 * at(x, y, c) - at(xl, y, c) - at(xr, y, c) - at(x, yu, c) - at(x, yd, c);
                    out[(y * width + x) * 3 + c] = u8::try_from(v.clamp(0, 255)).unwrap();
                }
            }
        }
        out
    }

    #[test]
    fn edge_enhancement_matches_its_definition_at_every_size() {
        let mut seed = 12345u32;
        for (w, h) in [(1, 1), (1, 5), (5, 1), (2, 2), (3, 7), (17, 9), (64, 3)] {
            let px: Vec<u8> = (0..w * h * 3)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (seed >> 24) as u8
                })
                .collect();
            let mut fast = px.clone();
            edge_enhance_mut(&mut fast, w, h);
            assert_eq!(fast, edge_reference(&px, w, h), "{w}x{h}");
        }
    }
}
