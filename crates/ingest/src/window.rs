//! Bringing planes to the detector's 8-bit grey and to a display image.

use armscan_core::colour::{pseudo_colour, single_energy_view};
use armscan_core::{Plane, Planes, Scan};
use image::{GrayImage, RgbImage};

/// How the samples of a plane map to the detector's 0..=255 range (0 = dense, 255 = empty).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum Windowing {
    /// The plane's full range by its bit depth: 0..=255 for 8-bit, 0..=65535 for 16-bit.
    #[default]
    Full,
    /// An explicit window of sample values; below `low` is black, above `high` is white.
    Range { low: u16, high: u16 },
    /// A window between two percentiles of the plane's own samples (e.g. 0.5 and 99.5).
    Percentile { low_pct: f32, high_pct: f32 },
}

impl Windowing {
    /// The sample window `[low, high]` for a plane.
    #[must_use]
    pub fn window_for(&self, plane: &Plane) -> (u16, u16) {
        let (low, high) = match *self {
            Windowing::Full => (0, plane.max_value()),
            Windowing::Range { low, high } => (low.min(high), low.max(high)),
            Windowing::Percentile { low_pct, high_pct } => {
                let mut hist = vec![0u64; 65_536];
                for &s in plane.samples() {
                    hist[usize::from(s)] += 1;
                }
                let n = plane.samples().len() as f64;
                let at = |pct: f32| -> u16 {
                    let target = (f64::from(pct.clamp(0.0, 100.0)) / 100.0 * n)
                        .ceil()
                        .max(1.0);
                    let mut acc = 0.0;
                    for (v, &c) in hist.iter().enumerate() {
                        acc += c as f64;
                        if acc >= target {
                            return u16::try_from(v).unwrap_or(u16::MAX);
                        }
                    }
                    u16::MAX
                };
                (at(low_pct), at(high_pct))
            }
        };
        if high <= low {
            (low, low.saturating_add(1))
        } else {
            (low, high)
        }
    }
}

/// A lookup from sample value to transmission in `[0, 1]` for one plane under a window.
fn transmission_lut(plane: &Plane, windowing: &Windowing) -> Vec<f32> {
    let (low, high) = windowing.window_for(plane);
    let span = f32::from(high - low);
    (0..=u32::from(plane.max_value()))
        .map(|v| ((v as f32 - f32::from(low)) / span).clamp(0.0, 1.0))
        .collect()
}

/// The windowed transmissions `(T_high, T_low)` of a dual-energy pair, pixel by pixel.
fn dual_transmissions<'a>(
    high: &'a Plane,
    low: &'a Plane,
    windowing: &Windowing,
) -> impl Iterator<Item = (f32, f32)> + 'a {
    let lh = transmission_lut(high, windowing);
    let ll = transmission_lut(low, windowing);
    high.samples()
        .iter()
        .zip(low.samples())
        .map(move |(&a, &b)| {
            (
                lh.get(usize::from(a)).copied().unwrap_or(1.0),
                ll.get(usize::from(b)).copied().unwrap_or(1.0),
            )
        })
}

fn to_u8(t: f32) -> u8 {
    (t * 255.0).round().clamp(0.0, 255.0) as u8
}

/// The detector's view of a scan: one 8-bit grey image in the scan's pixels, bright = empty,
/// dark = dense.
///
/// - single-energy grey: the windowed plane;
/// - dual-energy: the geometric mean of the two windowed transmissions, `sqrt(T_high * T_low)`,
///   which is what a single-energy detector at the mean energy would see (to first order);
/// - pseudo-colour: the luma (ITU-R BT.601) of the rendering.
#[must_use]
pub fn detector_grey(scan: &Scan, windowing: &Windowing) -> GrayImage {
    let (w, h) = (scan.width(), scan.height());
    let data: Vec<u8> = match &scan.planes {
        Planes::Grey(p) if p.bit_depth() == 8 && matches!(windowing, Windowing::Full) => p
            .samples()
            .iter()
            .map(|&s| u8::try_from(s).unwrap_or(u8::MAX))
            .collect(),
        Planes::Grey(p) => {
            let lut = transmission_lut(p, windowing);
            p.samples()
                .iter()
                .map(|&s| to_u8(lut.get(usize::from(s)).copied().unwrap_or(1.0)))
                .collect()
        }
        Planes::Dual { high, low } => dual_transmissions(high, low, windowing)
            .map(|(th, tl)| to_u8(single_energy_view(th, tl)))
            .collect(),
        Planes::PseudoColour(rgb) => rgb
            .rgb()
            .chunks_exact(3)
            .map(|c| {
                to_u8(
                    (0.299 * f32::from(c[0]) + 0.587 * f32::from(c[1]) + 0.114 * f32::from(c[2]))
                        / 255.0,
                )
            })
            .collect(),
    };
    GrayImage::from_raw(w, h, data).unwrap_or_else(|| GrayImage::new(w, h))
}

/// The scan as an operator sees it, in the scan's pixels: grey scans in grey, pseudo-colour as
/// rendered by the scanner, dual-energy scans in the shared pseudo-colour mapping
/// ([`armscan_core::colour::pseudo_colour`]: orange organic, green inorganic, blue metal).
#[must_use]
pub fn display_rgb(scan: &Scan, windowing: &Windowing) -> RgbImage {
    match &scan.planes {
        Planes::Dual { high, low } => {
            let rgb: Vec<u8> = dual_transmissions(high, low, windowing)
                .flat_map(|(th, tl)| pseudo_colour(th, tl))
                .collect();
            RgbImage::from_raw(high.width(), high.height(), rgb)
                .unwrap_or_else(|| RgbImage::new(high.width(), high.height()))
        }
        Planes::PseudoColour(rgb) => {
            RgbImage::from_raw(rgb.width(), rgb.height(), rgb.rgb().to_vec())
                .unwrap_or_else(|| RgbImage::new(rgb.width(), rgb.height()))
        }
        _ => {
            let g = detector_grey(scan, windowing);
            let (w, h) = g.dimensions();
            let rgb = g.into_raw().into_iter().flat_map(|v| [v, v, v]).collect();
            RgbImage::from_raw(w, h, rgb).unwrap_or_else(|| RgbImage::new(w, h))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey16(samples: Vec<u16>) -> Scan {
        let n = samples.len() as u32;
        Scan::new(
            "t",
            Planes::Grey(Plane::new(n, 1, 16, samples).unwrap_or_else(|e| panic!("{e}"))),
        )
    }

    #[test]
    fn full_window_maps_16_bit_range() {
        let g = detector_grey(&grey16(vec![0, 32768, 65535]), &Windowing::Full);
        assert_eq!(g.into_raw(), vec![0, 128, 255]);
    }

    #[test]
    fn explicit_window_clips() {
        let g = detector_grey(
            &grey16(vec![0, 1000, 2000, 3000, 60000]),
            &Windowing::Range {
                low: 1000,
                high: 3000,
            },
        );
        assert_eq!(g.into_raw(), vec![0, 0, 128, 255, 255]);
    }

    #[test]
    fn percentile_window_spreads_a_narrow_range() {
        let samples: Vec<u16> = (0..1000).map(|i| 4000 + i).collect();
        let g = detector_grey(
            &grey16(samples),
            &Windowing::Percentile {
                low_pct: 0.0,
                high_pct: 100.0,
            },
        );
        let raw = g.into_raw();
        assert_eq!(raw[0], 0);
        assert_eq!(raw[999], 255);
    }

    #[test]
    fn dual_energy_display_uses_the_shared_colour_mapping() {
        let high = Plane::new(2, 1, 16, vec![65535, 30000]).unwrap_or_else(|e| panic!("{e}"));
        let low = Plane::new(2, 1, 16, vec![65535, 9000]).unwrap_or_else(|e| panic!("{e}"));
        let rgb = display_rgb(
            &Scan::new("d", Planes::Dual { high, low }),
            &Windowing::Full,
        );
        let t = |v: u16| f32::from(v) / 65535.0;
        assert_eq!(
            rgb.get_pixel(1, 0).0,
            armscan_core::colour::pseudo_colour(t(30000), t(9000))
        );
        assert_eq!(
            rgb.get_pixel(0, 0).0,
            armscan_core::colour::pseudo_colour(1.0, 1.0)
        );
    }

    #[test]
    fn dual_energy_is_geometric_mean() {
        let high = Plane::new(2, 1, 16, vec![65535, 16384]).unwrap_or_else(|e| panic!("{e}"));
        let low = Plane::new(2, 1, 16, vec![65535, 65535]).unwrap_or_else(|e| panic!("{e}"));
        let g = detector_grey(
            &Scan::new("d", Planes::Dual { high, low }),
            &Windowing::Full,
        );
        // sqrt(0.25 * 1.0) = 0.5
        assert_eq!(g.into_raw(), vec![255, 128]);
    }
}
