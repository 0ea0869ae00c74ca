//! Threat image projection (TIP): putting a threat into a clean scan.
//!
//! Transmissions multiply (Beer–Lambert: attenuations along the beam add), so a threat with
//! transmission `T_t` lying over a background with `T_b` reads `T_b · T_t`, in each energy
//! channel. Never alpha blending: blending would make a steel slide over a thick book brighter
//! than the book alone.
//!
//! A threat can be a synthetic rendering ([`crate::threats`]) or a real crop of a threat scanned
//! on an empty belt, normalised to transmission by the open-beam level with [`normalise_crop`]
//! (e.g. a GDXray B0049 handgun crop: `T = I / I_background`).

use armscan_core::colour::single_energy_view;

use crate::physics::DualT;

/// Multiplies `threat`'s transmissions into `background`, threat pixel `(0, 0)` at background
/// pixel `(x, y)` (which may be negative: the parts outside the background
/// are dropped). Both energy planes.
pub fn project_mut(background: &mut DualT, threat: &DualT, x: i64, y: i64) {
    let (bw, bh) = (background.width as i64, background.height as i64);
    for ty in 0..threat.height as i64 {
        let by = y + ty;
        if by < 0 || by >= bh {
            continue;
        }
        for tx in 0..threat.width as i64 {
            let bx = x + tx;
            if bx < 0 || bx >= bw {
                continue;
            }
            let bi = (by * bw + bx) as usize;
            let ti = (ty * threat.width as i64 + tx) as usize;
            if let (Some(b), Some(t)) = (background.high.get_mut(bi), threat.high.get(ti)) {
                *b *= t.clamp(0.0, 1.0);
            }
            if let (Some(b), Some(t)) = (background.low.get_mut(bi), threat.low.get(ti)) {
                *b *= t.clamp(0.0, 1.0);
            }
        }
    }
}

/// A crop's intensities as transmissions: `T = I / I_background`, clamped to `[0, 1]`.
/// `background_level` is the open-beam (empty belt) intensity of the same scan, e.g. a high
/// percentile of the image; non-positive levels give an all-zero crop.
#[must_use]
pub fn normalise_crop(intensity: &[f32], background_level: f32) -> Vec<f32> {
    if background_level <= 0.0 || !background_level.is_finite() {
        return vec![0.0; intensity.len()];
    }
    intensity
        .iter()
        .map(|i| (i / background_level).clamp(0.0, 1.0))
        .collect()
}

/// A single-energy crop (transmission `T`) as a dual-energy threat, assuming one material with
/// dual-energy ratio `ratio = μ_low/μ_high` (e.g. 6.1 for steel at 60/150 keV): its geometric
/// mean `sqrt(T_high·T_low)` equals `T`. A grey scan cannot tell materials apart, so this is an
/// assumption, stated by the caller.
#[must_use]
pub fn dual_from_single(t: &[f32], width: usize, height: usize, ratio: f32) -> DualT {
    let r = ratio.max(0.01);
    let mut high = Vec::with_capacity(t.len());
    let mut low = Vec::with_capacity(t.len());
    for &v in t {
        let a = -v.clamp(1e-6, 1.0).ln(); // (a_h + a_l)/2 = a, a_l = r a_h
        let ah = 2.0 * a / (1.0 + r);
        high.push((-ah).exp());
        low.push((-r * ah).exp());
    }
    DualT {
        width,
        height,
        high,
        low,
    }
}

/// Reads a threat crop from a single-energy scan taken on an empty belt (8- or 16-bit grey,
/// any format the `image` crate decodes; dark = dense): the rectangle `[x, y, w, h]` (clipped to
/// the image), normalised by the open-beam level, taken as the median of the rectangle's border
/// (so leave a margin of empty belt round the object), transmissions above 0.96 set to 1 (belt
/// noise and JPEG ripple), resampled by `scale` (the crop's mm/px over the
/// scene's; 1 keeps it), and made
/// dual-energy with [`dual_from_single`] at `ratio` (6.1 for steel).
///
/// # Errors
/// The file cannot be read or decoded, or the rectangle misses the image.
pub fn crop_from_image(
    path: &std::path::Path,
    rect: [u32; 4],
    scale: f32,
    ratio: f32,
) -> Result<DualT, crate::error::SynthError> {
    let img = image::open(path)
        .map_err(|source| crate::error::SynthError::Image {
            path: path.to_path_buf(),
            source,
        })?
        .into_luma16();
    let (iw, ih) = img.dimensions();
    let [x, y, w, h] = rect;
    let (x1, y1) = (x.saturating_add(w).min(iw), y.saturating_add(h).min(ih));
    if x >= x1 || y >= y1 {
        return Err(crate::error::SynthError::InvalidOption(format!(
            "{}: crop {rect:?} misses the {iw}x{ih} image",
            path.display()
        )));
    }
    // open-beam level: the median of the crop's border pixels (the empty belt round the object)
    let mut border: Vec<u16> = Vec::new();
    for xx in x..x1 {
        border.push(img.get_pixel(xx, y).0[0]);
        border.push(img.get_pixel(xx, y1 - 1).0[0]);
    }
    for yy in y..y1 {
        border.push(img.get_pixel(x, yy).0[0]);
        border.push(img.get_pixel(x1 - 1, yy).0[0]);
    }
    border.sort_unstable();
    let level = f32::from(border[border.len() / 2]);
    let mut crop = image::imageops::crop_imm(&img, x, y, x1 - x, y1 - y).to_image();
    if (scale - 1.0).abs() > 1e-3 && scale.is_finite() && scale > 0.0 {
        let (nw, nh) = (
            ((x1 - x) as f32 * scale).round().max(1.0) as u32,
            ((y1 - y) as f32 * scale).round().max(1.0) as u32,
        );
        crop = image::imageops::resize(&crop, nw, nh, image::imageops::FilterType::Triangle);
    }
    let (cw, ch) = crop.dimensions();
    let inten: Vec<f32> = crop.as_raw().iter().map(|v| f32::from(*v)).collect();
    // the belt's own noise and compression ripple (within 4 % of the level) is no threat
    let t: Vec<f32> = normalise_crop(&inten, level)
        .into_iter()
        .map(|v| if v > 0.96 { 1.0 } else { v })
        .collect();
    Ok(dual_from_single(&t, cw as usize, ch as usize, ratio))
}

/// Pixels where the threat attenuates: `1 - sqrt(T_high·T_low) > threshold`.
#[must_use]
pub fn attenuation_mask(threat: &DualT, threshold: f32) -> Vec<bool> {
    threat
        .high
        .iter()
        .zip(&threat.low)
        .map(|(h, l)| 1.0 - single_energy_view(*h, *l) > threshold)
        .collect()
}

/// Inclusive pixel extent `[x_min, y_min, x_max, y_max]` of a mask, `None` when empty.
#[must_use]
pub fn mask_extent(mask: &[bool], width: usize) -> Option<[usize; 4]> {
    let mut e: Option<[usize; 4]> = None;
    for (i, _) in mask.iter().enumerate().filter(|(_, m)| **m) {
        let (x, y) = (i % width.max(1), i / width.max(1));
        e = Some(match e {
            None => [x, y, x, y],
            Some([a, b, c, d]) => [a.min(x), b.min(y), c.max(x), d.max(y)],
        });
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synthetic_crop() -> DualT {
        // a 12 x 8 "handgun-ish" crop: a bar and a grip, T between 0.05 and 1
        let (w, h) = (12, 8);
        let mut t = vec![1.0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                if y < 3 || (x < 4 && y < 8) {
                    t[y * w + x] = 0.05 + 0.02 * x as f32;
                }
            }
        }
        dual_from_single(&t, w, h, 6.1)
    }

    #[test]
    fn tip_into_empty_background_returns_the_threat() {
        let threat = synthetic_crop();
        let mut bg = DualT::empty(30, 20);
        project_mut(&mut bg, &threat, 5, 7);
        for y in 0..threat.height {
            for x in 0..threat.width {
                let bi = (y + 7) * 30 + x + 5;
                let ti = y * threat.width + x;
                assert_eq!(bg.high[bi], threat.high[ti]);
                assert_eq!(bg.low[bi], threat.low[ti]);
            }
        }
        let untouched = bg.high.iter().filter(|v| **v == 1.0).count();
        assert_eq!(
            untouched,
            30 * 20 - threat.high.iter().filter(|v| **v < 1.0).count()
        );
    }

    #[test]
    fn tip_multiplies_and_clips_at_the_border() {
        let threat = DualT {
            width: 2,
            height: 2,
            high: vec![0.5; 4],
            low: vec![0.25; 4],
        };
        let mut bg = DualT {
            width: 3,
            height: 3,
            high: vec![0.8; 9],
            low: vec![0.4; 9],
        };
        project_mut(&mut bg, &threat, -1, 2);
        // only threat pixel (1, 0) lands, on background (0, 2)
        assert!((bg.high[6] - 0.4).abs() < 1e-6);
        assert!((bg.low[6] - 0.1).abs() < 1e-6);
        assert_eq!(
            bg.high.iter().filter(|v| (**v - 0.8).abs() < 1e-6).count(),
            8
        );
    }

    #[test]
    fn real_style_crop_normalises_and_keeps_its_grey() {
        // intensities of a crop on an empty belt at level 200
        let i = [200.0, 100.0, 20.0, 230.0];
        let t = normalise_crop(&i, 200.0);
        assert_eq!(t, vec![1.0, 0.5, 0.1, 1.0]);
        let d = dual_from_single(&t, 2, 2, 6.1);
        for (k, g) in d.grey().iter().enumerate() {
            assert!((g - t[k]).abs() < 1e-4, "{g} vs {}", t[k]);
        }
        assert!(d.low[1] < d.high[1]);
        let m = attenuation_mask(&d, 0.02);
        assert_eq!(m, vec![false, true, true, false]);
        assert_eq!(mask_extent(&m, 2), Some([0, 0, 1, 1]));
        assert_eq!(mask_extent(&[false; 4], 2), None);
    }

    #[test]
    fn crop_from_a_grey_file_projects_into_a_scene() {
        // a synthetic 'scan on an empty belt': bright 240 background, a dark L-shaped object
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("scan.png");
        let mut img = image::GrayImage::from_pixel(40, 30, image::Luma([240]));
        for y in 10..20 {
            for x in 5..25 {
                if y < 13 || x < 10 {
                    img.put_pixel(x, y, image::Luma([24]));
                }
            }
        }
        img.save(&path).unwrap_or_else(|e| panic!("{e}"));
        let crop =
            crop_from_image(&path, [0, 5, 30, 20], 1.0, 6.1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((crop.width, crop.height), (30, 20));
        let g = crop.grey();
        assert!((g[0] - 1.0).abs() < 1e-3);
        assert!((g[5 * 30 + 6] - 0.1).abs() < 2e-3, "{}", g[5 * 30 + 6]);
        let m = attenuation_mask(&crop, 0.02);
        assert_eq!(mask_extent(&m, 30), Some([5, 5, 24, 14]));
        let mut scene = DualT {
            width: 50,
            height: 50,
            high: vec![0.5; 2500],
            low: vec![0.4; 2500],
        };
        project_mut(&mut scene, &crop, 10, 10);
        let i = (10 + 5) * 50 + 10 + 6;
        assert!((scene.high[i] - 0.5 * crop.high[5 * 30 + 6]).abs() < 1e-6);
        let half =
            crop_from_image(&path, [0, 5, 30, 20], 0.5, 6.1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((half.width, half.height), (15, 10));
        assert!(crop_from_image(&path, [100, 100, 5, 5], 1.0, 6.1).is_err());
        assert!(crop_from_image(&dir.path().join("missing.png"), [0, 0, 5, 5], 1.0, 6.1).is_err());
    }
}
