//! X-ray physics of the generator: materials, Beer–Lambert attenuation at two effective energies,
//! and a line-scan detector model (blur, photon noise, row gains, counts floor).
//!
//! Mass attenuation coefficients μ/ρ (cm²/g, total with coherent scattering) are from
//! J. H. Hubbell and S. M. Seltzer, *Tables of X-Ray Mass Attenuation Coefficients and Mass
//! Energy-Absorption Coefficients*, NIST Standard Reference Database 126 (NISTIR 5632, 2004),
//! <https://www.nist.gov/pml/x-ray-mass-attenuation-coefficients>, read at the tabulated
//! energies **60 keV** (low) and **150 keV** (high). Mixtures not in the tables (cellulose,
//! brass) are weighted sums of the elemental values by mass fraction (the XCOM mixture rule).
//! A real scanner has broad spectra; one effective energy per channel ignores beam hardening.

use armscan_core::colour::single_energy_view;

use crate::rng::Rng;

/// Low effective energy, keV.
pub const E_LOW_KEV: f32 = 60.0;
/// High effective energy, keV.
pub const E_HIGH_KEV: f32 = 150.0;

/// The two energy channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Energy {
    Low,
    High,
}

/// Materials of the generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Material {
    /// Water, as stand-in for food, liquids, skin, textiles of
    /// natural fibre (NIST "Water, Liquid").
    Organic,
    /// Polyethylene (NIST "Polyethylene"): bags, mailers, polymer frames, toys, cable sheaths.
    Plastic,
    /// Paper and cardboard: cellulose C6H10O5 (mixture rule from H, C, O), bulk density 0.8.
    Paper,
    /// Borosilicate glass (NIST "Glass, Borosilicate (Pyrex)"); also PCB laminate and ceramics.
    Glass,
    /// Aluminium, Z = 13.
    Aluminium,
    /// Iron, Z = 26, for steel.
    Steel,
    /// Copper, Z = 29.
    Copper,
    /// Cartridge brass, 70 % Cu / 30 % Zn by mass (mixture rule).
    Brass,
    /// Lead, Z = 82 (K-edge 88.0 keV).
    Lead,
}

impl Material {
    pub const ALL: [Material; 9] = [
        Material::Organic,
        Material::Plastic,
        Material::Paper,
        Material::Glass,
        Material::Aluminium,
        Material::Steel,
        Material::Copper,
        Material::Brass,
        Material::Lead,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Material::Organic => "organic (water)",
            Material::Plastic => "polyethylene",
            Material::Paper => "paper (cellulose)",
            Material::Glass => "glass (borosilicate)",
            Material::Aluminium => "aluminium",
            Material::Steel => "steel (iron)",
            Material::Copper => "copper",
            Material::Brass => "brass (70/30)",
            Material::Lead => "lead",
        }
    }

    /// Density, g/cm³ (NIST Table 1/2 values; paper is a bulk density).
    #[must_use]
    pub fn density(self) -> f32 {
        match self {
            Material::Organic => 1.0,
            Material::Plastic => 0.94,
            Material::Paper => 0.8,
            Material::Glass => 2.23,
            Material::Aluminium => 2.699,
            Material::Steel => 7.874,
            Material::Copper => 8.96,
            Material::Brass => 8.5,
            Material::Lead => 11.35,
        }
    }

    /// Mass attenuation coefficient μ/ρ in cm²/g at 60 keV and 150 keV: `[low, high]`.
    ///
    /// NIST SRD 126 values: water 0.2059 / 0.1505; polyethylene 0.1970 / 0.1534;
    /// Pyrex 0.2417 / 0.1389; Al 0.2778 / 0.1378; Fe 1.205 / 0.1964; Cu 1.593 / 0.2217;
    /// Pb 5.021 / 2.014. Cellulose from H 0.3260 / 0.2651, C 0.1753 / 0.1347,
    /// O 0.1907 / 0.1361 at mass fractions 0.0622 / 0.4445 / 0.4934. Brass from Cu and
    /// Zn 1.760 / 0.2341 at 0.7 / 0.3.
    #[must_use]
    pub fn mass_attenuation(self) -> [f32; 2] {
        match self {
            Material::Organic => [0.2059, 0.1505],
            Material::Plastic => [0.1970, 0.1534],
            Material::Paper => [0.1923, 0.1435],
            Material::Glass => [0.2417, 0.1389],
            Material::Aluminium => [0.2778, 0.1378],
            Material::Steel => [1.205, 0.1964],
            Material::Copper => [1.593, 0.2217],
            Material::Brass => [1.643, 0.2254],
            Material::Lead => [5.021, 2.014],
        }
    }

    /// Linear attenuation μ = (μ/ρ)·ρ per **millimetre** at `energy`.
    #[must_use]
    pub fn mu_per_mm(self, energy: Energy) -> f32 {
        let [l, h] = self.mass_attenuation();
        let m = match energy {
            Energy::Low => l,
            Energy::High => h,
        };
        m * self.density() / 10.0
    }
}

/// Beer–Lambert: the transmission through `thickness_mm` of `material`, `exp(-μ/ρ · ρ · t)`.
#[must_use]
pub fn transmission(material: Material, thickness_mm: f32, energy: Energy) -> f32 {
    (-material.mu_per_mm(energy) * thickness_mm.max(0.0)).exp()
}

/// Per-pixel line integrals `Σ μ·t` at both energies (dimensionless; T = exp(-value)).
#[derive(Clone, Debug, PartialEq)]
pub struct AttenuationMap {
    pub width: usize,
    pub height: usize,
    pub low: Vec<f32>,
    pub high: Vec<f32>,
}

impl AttenuationMap {
    #[must_use]
    pub fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            low: vec![0.0; width * height],
            high: vec![0.0; width * height],
        }
    }

    /// Adds `thickness_mm` of `material` along the beam at pixel `i`.
    #[inline]
    pub fn add(&mut self, i: usize, material: Material, thickness_mm: f32) {
        if let (Some(l), Some(h)) = (self.low.get_mut(i), self.high.get_mut(i)) {
            *l += material.mu_per_mm(Energy::Low) * thickness_mm;
            *h += material.mu_per_mm(Energy::High) * thickness_mm;
        }
    }

    /// The noiseless transmissions.
    #[must_use]
    pub fn transmission(&self) -> DualT {
        DualT {
            width: self.width,
            height: self.height,
            high: self.high.iter().map(|a| (-a.max(0.0)).exp()).collect(),
            low: self.low.iter().map(|a| (-a.max(0.0)).exp()).collect(),
        }
    }
}

/// Transmission images at both energies, row-major, values in `[0, 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DualT {
    pub width: usize,
    pub height: usize,
    pub high: Vec<f32>,
    pub low: Vec<f32>,
}

impl DualT {
    /// An empty scan (T = 1 everywhere).
    #[must_use]
    pub fn empty(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            high: vec![1.0; width * height],
            low: vec![1.0; width * height],
        }
    }

    /// The single-energy view `sqrt(T_high · T_low)`, as armscan-ingest's detector view.
    #[must_use]
    pub fn grey(&self) -> Vec<f32> {
        self.high
            .iter()
            .zip(&self.low)
            .map(|(h, l)| single_energy_view(*h, *l))
            .collect()
    }
}

/// A line-scan dual-energy detector.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DetectorModel {
    /// Open-beam photon counts per pixel in the high-energy channel (sets the noise: the
    /// relative noise of a pixel is `1/sqrt(I0·T)`).
    pub dose_high: f32,
    /// Open-beam counts in the low-energy channel.
    pub dose_low: f32,
    /// Gaussian blur σ, pixels (focal spot, detector crosstalk).
    pub blur_sigma_px: f32,
    /// Relative σ of the per-row gain error of the detector line (stripes along the belt).
    pub row_gain_sigma: f32,
    /// Counts floor (dark current / electronic noise): transmissions below `floor/I0` read as
    /// `floor/I0` plus noise; thick metal saturates there.
    pub floor_counts: f32,
}

impl Default for DetectorModel {
    fn default() -> Self {
        Self {
            dose_high: 20_000.0,
            dose_low: 10_000.0,
            blur_sigma_px: 0.7,
            row_gain_sigma: 0.006,
            floor_counts: 4.0,
        }
    }
}

fn gauss_kernel(sigma: f32) -> Vec<f32> {
    if sigma <= 0.05 {
        return vec![1.0];
    }
    let r = (3.0 * sigma).ceil() as i32;
    let mut k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let s: f32 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= s);
    k
}

/// Separable Gaussian blur with clamped edges.
#[must_use]
pub fn blur(data: &[f32], width: usize, height: usize, sigma: f32) -> Vec<f32> {
    let k = gauss_kernel(sigma);
    if k.len() == 1 || width == 0 || height == 0 {
        return data.to_vec();
    }
    let r = (k.len() / 2) as isize;
    let mut tmp = vec![0.0f32; data.len()];
    let ru = r as usize;
    for y in 0..height {
        let row = &data[y * width..(y + 1) * width];
        let dst = &mut tmp[y * width..(y + 1) * width];
        for x in 0..width {
            if x >= ru && x + ru < width {
                // interior: no clamping
                dst[x] = k
                    .iter()
                    .zip(&row[x - ru..=x + ru])
                    .map(|(kv, v)| kv * v)
                    .sum();
            } else {
                let mut s = 0.0;
                for (j, kv) in k.iter().enumerate() {
                    let xx = (x as isize + j as isize - r).clamp(0, width as isize - 1) as usize;
                    s += kv * row[xx];
                }
                dst[x] = s;
            }
        }
    }
    let mut out = vec![0.0f32; data.len()];
    for y in 0..height {
        for (j, kv) in k.iter().enumerate() {
            let yy = (y as isize + j as isize - r).clamp(0, height as isize - 1) as usize;
            let src = &tmp[yy * width..(yy + 1) * width];
            let dst = &mut out[y * width..(y + 1) * width];
            for (d, s) in dst.iter_mut().zip(src) {
                *d += kv * s;
            }
        }
    }
    out
}

impl DetectorModel {
    /// Measures noiseless transmissions: blur, per-row gain, Poisson noise (Gaussian with
    /// variance = counts), counts floor, clip to `[0, 1]`.
    #[must_use]
    pub fn measure(&self, ideal: &DualT, rng: &mut Rng) -> DualT {
        let (w, h) = (ideal.width, ideal.height);
        let chan = |plane: &[f32], dose: f32, rng: &mut Rng| -> Vec<f32> {
            let mut b = blur(plane, w, h, self.blur_sigma_px);
            for y in 0..h {
                let gain = 1.0 + self.row_gain_sigma * rng.normal();
                for px in b[y * w..(y + 1) * w].chunks_mut(4) {
                    let n = rng.normals4();
                    for (v, z) in px.iter_mut().zip(n) {
                        let counts = (dose * *v * gain).max(self.floor_counts);
                        let noisy = counts + counts.sqrt() * z;
                        *v = (noisy / dose).clamp(0.0, 1.0);
                    }
                }
            }
            b
        };
        let high = chan(&ideal.high, self.dose_high, rng);
        let low = chan(&ideal.low, self.dose_low, rng);
        DualT {
            width: w,
            height: h,
            high,
            low,
        }
    }
}

/// A transmission in `[0, 1]` as a 16-bit sample (65535 = open beam), as armscan-ingest reads it.
#[must_use]
pub fn to_u16(t: f32) -> u16 {
    // t ≥ 0 after the clamp, so adding a half and truncating rounds
    // half away from zero, like `round`
    (t.clamp(0.0, 1.0) * 65535.0 + 0.5) as u16
}

/// A transmission as an 8-bit sample, rounded like armscan-ingest's detector view.
#[must_use]
pub fn to_u8(t: f32) -> u8 {
    (t.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beer_lambert_matches_closed_form() {
        // 10 mm of iron at 60 keV: exp(-1.205 * 7.874 * 1.0) = 7.46e-5; 5 mm water at 150 keV.
        let cases = [
            (
                Material::Steel,
                10.0,
                Energy::Low,
                (-1.205f64 * 7.874 * 1.0).exp(),
            ),
            (
                Material::Organic,
                50.0,
                Energy::High,
                (-0.1505f64 * 1.0 * 5.0).exp(),
            ),
            (
                Material::Aluminium,
                20.0,
                Energy::Low,
                (-0.2778f64 * 2.699 * 2.0).exp(),
            ),
            (
                Material::Lead,
                1.0,
                Energy::High,
                (-2.014f64 * 11.35 * 0.1).exp(),
            ),
        ];
        for (m, mm, e, want) in cases {
            let got = f64::from(transmission(m, mm, e));
            assert!(
                (got / want - 1.0).abs() < 0.01,
                "{m:?} {mm} mm {e:?}: {got} vs {want}"
            );
        }
        // through the map as well: two slabs add
        let mut a = AttenuationMap::new(1, 1);
        a.add(0, Material::Organic, 30.0);
        a.add(0, Material::Organic, 20.0);
        let t = a.transmission();
        let want = (-0.1505f32 * 5.0).exp();
        assert!((t.high[0] / want - 1.0).abs() < 0.01);
    }

    #[test]
    fn dual_energy_ratio_orders_by_atomic_number() {
        let r = |m: Material| m.mu_per_mm(Energy::Low) / m.mu_per_mm(Energy::High);
        // independent of thickness: check through transmissions of two thicknesses
        for m in Material::ALL {
            for mm in [1.0, 7.0] {
                let rt =
                    transmission(m, mm, Energy::Low).ln() / transmission(m, mm, Energy::High).ln();
                assert!((rt / r(m) - 1.0).abs() < 1e-3, "{m:?}");
            }
        }
        // Z_eff: polyethylene ~5.4 < water ~7.4 < Al 13 < Fe 26 < Cu 29
        assert!(r(Material::Plastic) < r(Material::Organic));
        assert!(r(Material::Organic) < r(Material::Glass));
        assert!(r(Material::Glass) < r(Material::Aluminium));
        assert!(r(Material::Aluminium) < r(Material::Steel));
        assert!(r(Material::Steel) < r(Material::Copper));
        // Lead is the exception at mono-energetic 60/150 keV: 150 keV is above its 88 keV K-edge,
        // so its ratio (2.49) falls below iron's (6.1). Lead still reads as metal because its
        // low-energy channel is opaque (see armscan_core::colour). This test pins that physics.
        assert!(r(Material::Lead) < r(Material::Steel));
        assert!(
            Material::Lead.mu_per_mm(Energy::Low) > 5.0 * Material::Steel.mu_per_mm(Energy::Low)
        );
    }

    #[test]
    fn colour_mapping_reads_materials() {
        use armscan_core::colour::{material_class, MaterialClass};
        let class = |m: Material, mm: f32| {
            material_class(
                transmission(m, mm, Energy::High),
                transmission(m, mm, Energy::Low),
            )
        };
        assert_eq!(class(Material::Organic, 80.0), Some(MaterialClass::Organic));
        assert_eq!(class(Material::Paper, 30.0), Some(MaterialClass::Organic));
        assert_eq!(
            class(Material::Aluminium, 10.0),
            Some(MaterialClass::Inorganic)
        );
        assert_eq!(class(Material::Steel, 3.0), Some(MaterialClass::Metal));
        assert_eq!(class(Material::Brass, 1.0), Some(MaterialClass::Metal));
        assert_eq!(class(Material::Lead, 2.0), Some(MaterialClass::Metal));
        // and the pseudo-colour hue: orange (r > g > b), green, blue, black
        let rgb = |m: Material, mm: f32| {
            armscan_core::colour::pseudo_colour(
                transmission(m, mm, Energy::High),
                transmission(m, mm, Energy::Low),
            )
        };
        let c = rgb(Material::Organic, 100.0);
        assert!(c[0] > c[1] && c[1] > c[2], "water {c:?}");
        let c = rgb(Material::Plastic, 30.0);
        assert!(c[0] > c[1] && c[1] > c[2], "plastic {c:?}");
        let c = rgb(Material::Aluminium, 10.0);
        assert!(c[1] > c[0] && c[1] > c[2], "aluminium {c:?}");
        let c = rgb(Material::Steel, 4.0);
        assert!(c[2] > c[0] && c[2] > c[1], "steel {c:?}");
        let c = rgb(Material::Steel, 60.0);
        assert!(c.iter().all(|v| *v < 20), "60 mm steel {c:?}");
    }

    #[test]
    fn detector_noise_scales_with_dose_and_floor_saturates() {
        let mut rng = Rng::new(3);
        let n = 64 * 64;
        let ideal = DualT {
            width: 64,
            height: 64,
            high: vec![0.5; n],
            low: vec![1e-9; n],
        };
        let det = DetectorModel {
            blur_sigma_px: 0.0,
            row_gain_sigma: 0.0,
            ..DetectorModel::default()
        };
        let m = det.measure(&ideal, &mut rng);
        let mean: f32 = m.high.iter().sum::<f32>() / n as f32;
        let var: f32 = m.high.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n as f32;
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
        // counts = 10000, sd = 100 counts = 0.005 in T
        let want = 0.5 / det.dose_high;
        assert!((var / want - 1.0).abs() < 0.15, "{var} vs {want}");
        let floor_mean: f32 = m.low.iter().sum::<f32>() / n as f32;
        assert!(
            floor_mean > 0.0 && floor_mean < 10.0 / det.dose_low,
            "{floor_mean}"
        );
    }

    #[test]
    fn blur_keeps_mass_and_flat_fields() {
        let mut d = vec![0.0f32; 21 * 21];
        d[10 * 21 + 10] = 1.0;
        let b = blur(&d, 21, 21, 1.0);
        let s: f32 = b.iter().sum();
        assert!((s - 1.0).abs() < 1e-4);
        assert!(b[10 * 21 + 10] < 0.5);
        let f = blur(&[0.3; 100], 10, 10, 2.0);
        assert!(f.iter().all(|v| (v - 0.3).abs() < 1e-5));
    }
}
