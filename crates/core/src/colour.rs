//! Dual-energy pseudo-colour, as screening operators know it.
//!
//! A dual-energy scanner measures, per pixel, the transmission at a high and a low effective
//! energy, `T_high` and `T_low` (1 = open beam, 0 = nothing gets through). By Beer–Lambert,
//! `-ln T = Σ μ(E)·ρ·t`, so the ratio
//!
//! ```text
//! R = ln(T_low) / ln(T_high) = μ_low / μ_high     (for one material, independent of thickness)
//! ```
//!
//! grows with the effective atomic number Z: photo-absorption (∝ Z⁴/E³) lifts the low-energy
//! attenuation of heavy elements far more than Compton scattering (∝ electron density) lifts the
//! high-energy one. With NIST (Hubbell & Seltzer) coefficients at 60 keV / 150 keV: water 1.37,
//! polyethylene 1.28, paper 1.34, glass 1.74, aluminium 2.02, iron 6.1, copper 7.2.
//!
//! The rule ([`pseudo_colour`]):
//! - **hue by R**: `R ≤ 1.55` organic (orange); `1.55..1.75` orange fading to green;
//!   `1.75..2.6` inorganic / mixed (green); `2.6..3.4` green fading to blue; `R ≥ 3.4` metal
//!   (blue). A low-energy channel that is all but opaque (`T_low < 0.018`, i.e. `-ln T_low > 4`)
//!   is taken as metal whatever R says: only heavy metal or very thick matter does that, and above
//!   a K-edge (lead at 88 keV) the ratio of two mono-energetic channels no longer orders by Z.
//! - **strength by attenuation**: where the geometric mean `g = sqrt(T_high·T_low)` is near 1 the
//!   colour fades to white (empty belt, thin wrapping), full colour from `g ≤ 0.75`;
//! - **brightness by transmission**: the colour is scaled by `min(1, 1.1·sqrt(g))`, so dense is
//!   dark and nearly impenetrable matter (`g` below about 0.003) is black.
//!
//! Pure functions, no I/O; the synthetic-data generator and the viewer share them.

/// Orange: organic, low Z (water, plastics, paper, food, explosives).
pub const ORGANIC_RGB: [f32; 3] = [1.0, 0.55, 0.0];
/// Green: inorganic light elements or organic/metal mixtures (glass, aluminium, salt).
pub const INORGANIC_RGB: [f32; 3] = [0.15, 0.70, 0.15];
/// Blue: metal, high Z (steel, copper, brass, lead).
pub const METAL_RGB: [f32; 3] = [0.10, 0.30, 0.95];

/// Upper R of the organic band.
pub const R_ORGANIC_MAX: f32 = 1.55;
/// Lower R of the inorganic band.
pub const R_INORGANIC_MIN: f32 = 1.75;
/// Upper R of the inorganic band.
pub const R_INORGANIC_MAX: f32 = 2.6;
/// Lower R of the metal band.
pub const R_METAL_MIN: f32 = 3.4;
/// `-ln T_low` above which a pixel is metal whatever its ratio.
pub const LOW_OPAQUE_ATTENUATION: f32 = 4.0;

/// The single-energy view of a dual-energy pixel: the geometric mean `sqrt(T_high · T_low)`,
/// what a single-energy detector at the mean energy would see (to first order). The detector's
/// grey input, the synthetic grey images and the pseudo-colour brightness all use it.
#[must_use]
pub fn single_energy_view(t_high: f32, t_low: f32) -> f32 {
    (t_high * t_low).sqrt()
}

/// Broad material class of a pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaterialClass {
    Organic,
    Inorganic,
    Metal,
}

/// `R = ln(T_low) / ln(T_high)`, or `None` where the high-energy attenuation is too small to
/// give a stable ratio (`-ln T_high < 0.005`). Transmissions are clamped to `[1e-6, 1]`.
#[must_use]
pub fn dual_energy_ratio(t_high: f32, t_low: f32) -> Option<f32> {
    let ah = -t_high.clamp(1e-6, 1.0).ln();
    let al = -t_low.clamp(1e-6, 1.0).ln();
    if ah < 0.005 {
        None
    } else {
        Some(al / ah)
    }
}

/// The class of a pixel by the rule in the module docs (mid-band R goes to the nearer band).
#[must_use]
pub fn material_class(t_high: f32, t_low: f32) -> Option<MaterialClass> {
    let r = dual_energy_ratio(t_high, t_low)?;
    let al = -t_low.clamp(1e-6, 1.0).ln();
    Some(
        if al > LOW_OPAQUE_ATTENUATION || r >= 0.5 * (R_INORGANIC_MAX + R_METAL_MIN) {
            MaterialClass::Metal
        } else if r <= 0.5 * (R_ORGANIC_MAX + R_INORGANIC_MIN) {
            MaterialClass::Organic
        } else {
            MaterialClass::Inorganic
        },
    )
}

fn ramp(x: f32, lo: f32, hi: f32) -> f32 {
    ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
}

fn lerp3(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

/// A pseudo-colour palette: the hue of each material band and how brightness follows the
/// transmission. Scanner vendors differ in both (the hues of orange, green and blue, and how dark
/// a given attenuation is drawn); [`Palette::ARMSCAN`] is armscan's own ([`pseudo_colour`]), the
/// others are made-up vendors for testing a detector on palettes it never saw.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Palette {
    pub name: &'static str,
    /// Organic (low R).
    pub organic: [f32; 3],
    /// Inorganic and mixtures.
    pub inorganic: [f32; 3],
    /// Metal (high R, or an opaque low-energy channel).
    pub metal: [f32; 3],
    /// Brightness is `min(1, gain · g^exponent)` of the geometric-mean transmission `g`.
    pub brightness_gain: f32,
    pub brightness_exponent: f32,
}

impl Palette {
    /// armscan's palette: the constants above, brightness `min(1, 1.1 · sqrt(g))`.
    pub const ARMSCAN: Palette = Palette {
        name: "armscan",
        organic: ORGANIC_RGB,
        inorganic: INORGANIC_RGB,
        metal: METAL_RGB,
        brightness_gain: 1.1,
        brightness_exponent: 0.5,
    };
    /// A light palette: pale amber organic, yellow-green mixtures, sky-blue metal, dense matter
    /// kept bright (exponent 0.3).
    pub const AMBER: Palette = Palette {
        name: "amber",
        organic: [1.0, 0.72, 0.28],
        inorganic: [0.45, 0.85, 0.25],
        metal: [0.30, 0.55, 1.0],
        brightness_gain: 1.0,
        brightness_exponent: 0.3,
    };
    /// A dark palette: deep orange organic, olive mixtures, navy metal, brightness almost linear
    /// in the transmission (exponent 0.85).
    pub const DEEP: Palette = Palette {
        name: "deep",
        organic: [0.92, 0.42, 0.05],
        inorganic: [0.40, 0.62, 0.10],
        metal: [0.12, 0.12, 0.75],
        brightness_gain: 1.15,
        brightness_exponent: 0.85,
    };
    /// Every palette, armscan's first.
    pub const ALL: [Palette; 3] = [Palette::ARMSCAN, Palette::AMBER, Palette::DEEP];

    /// A palette by its name.
    #[must_use]
    pub fn named(name: &str) -> Option<Palette> {
        Palette::ALL.into_iter().find(|p| p.name == name)
    }

    /// The hue (unit RGB) for a ratio R and low-energy attenuation `-ln T_low`.
    #[must_use]
    pub fn hue_for(&self, ratio: f32, low_attenuation: f32) -> [f32; 3] {
        if low_attenuation > LOW_OPAQUE_ATTENUATION {
            return self.metal;
        }
        if ratio <= R_INORGANIC_MIN {
            lerp3(
                self.organic,
                self.inorganic,
                ramp(ratio, R_ORGANIC_MAX, R_INORGANIC_MIN),
            )
        } else {
            lerp3(
                self.inorganic,
                self.metal,
                ramp(ratio, R_INORGANIC_MAX, R_METAL_MIN),
            )
        }
    }

    /// RGB of one pixel from its high- and low-energy transmissions (each in `[0, 1]`; values
    /// outside are clamped), by the rule in the module docs with this palette's hues and
    /// brightness.
    #[must_use]
    pub fn colour(&self, t_high: f32, t_low: f32) -> [u8; 3] {
        // NaN reads as opaque
        let clamp = |t: f32| if t.is_nan() { 0.0 } else { t.clamp(1e-6, 1.0) };
        let (th, tl) = (clamp(t_high), clamp(t_low));
        let g = single_energy_view(th, tl);
        // as `dual_energy_ratio`, with each logarithm taken once
        let (ah, al) = (-th.ln(), -tl.ln());
        let hue = if ah < 0.005 {
            [1.0, 1.0, 1.0]
        } else {
            self.hue_for(al / ah, al)
        };
        let strength = ramp(1.0 - g, 0.0, 0.25);
        let base = lerp3([1.0, 1.0, 1.0], hue, strength);
        // `sqrt` for armscan's exponent: `powf(0.5)` can differ in the last bit, and armscan's
        // palette must keep the bytes it always made
        let brightness = if self.brightness_exponent == 0.5 {
            g.sqrt()
        } else {
            g.powf(self.brightness_exponent)
        };
        let v = (self.brightness_gain * brightness).min(1.0);
        // c·v ≥ 0, so adding a half and truncating rounds like `round` (and saturates at 255)
        let to8 = |c: f32| (c * v * 255.0 + 0.5).min(255.0) as u8;
        [to8(base[0]), to8(base[1]), to8(base[2])]
    }

    /// [`Palette::colour`] for a whole image: `high` and `low` as transmissions; returns packed
    /// RGB. The shorter slice sets the length.
    #[must_use]
    pub fn colour_image(&self, high: &[f32], low: &[f32]) -> Vec<u8> {
        let mut out = vec![0u8; high.len().min(low.len()) * 3];
        for ((px, &h), &l) in out.chunks_exact_mut(3).zip(high).zip(low) {
            px.copy_from_slice(&self.colour(h, l));
        }
        out
    }
}

/// The hue (unit RGB) of armscan's palette for a ratio R and low-energy attenuation `-ln T_low`.
#[must_use]
pub fn hue_for(ratio: f32, low_attenuation: f32) -> [f32; 3] {
    Palette::ARMSCAN.hue_for(ratio, low_attenuation)
}

/// Pseudo-colour RGB of one pixel in armscan's palette from its high- and low-energy
/// transmissions (each in `[0, 1]`; values outside are clamped).
#[must_use]
pub fn pseudo_colour(t_high: f32, t_low: f32) -> [u8; 3] {
    Palette::ARMSCAN.colour(t_high, t_low)
}

/// [`pseudo_colour`] for a whole image: `high` and `low` as transmissions; returns packed RGB.
/// The shorter slice sets the length.
#[must_use]
pub fn pseudo_colour_image(high: &[f32], low: &[f32]) -> Vec<u8> {
    Palette::ARMSCAN.colour_image(high, low)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// T = exp(-mu_rho * rho * t_cm) with NIST mu/rho at 150 keV and 60 keV.
    fn t(mu_h: f32, mu_l: f32, rho: f32, cm: f32) -> (f32, f32) {
        ((-mu_h * rho * cm).exp(), (-mu_l * rho * cm).exp())
    }

    #[test]
    fn palettes_keep_the_material_order_and_differ_in_look() {
        let steel = t(0.1964, 1.205, 7.874, 0.2);
        let water = t(0.1505, 0.2059, 1.0, 8.0);
        for p in Palette::ALL {
            // metal bluest, organic reddest, in every palette; the empty belt white
            let (m, o) = (p.colour(steel.0, steel.1), p.colour(water.0, water.1));
            assert_eq!(dominant(m), 2, "{} {m:?}", p.name);
            assert_eq!(dominant(o), 0, "{} {o:?}", p.name);
            assert_eq!(p.colour(1.0, 1.0), [255, 255, 255], "{}", p.name);
            assert_eq!(Palette::named(p.name), Some(p));
        }
        // the same steel is drawn at different brightness by different vendors
        let v = |p: Palette| {
            let c = p.colour(steel.0, steel.1);
            c[0].max(c[1]).max(c[2])
        };
        assert!(v(Palette::AMBER) > v(Palette::ARMSCAN) && v(Palette::ARMSCAN) > v(Palette::DEEP));
        assert_eq!(Palette::named("nope"), None);
    }

    fn dominant(c: [u8; 3]) -> usize {
        if c[0] >= c[1] && c[0] >= c[2] {
            0
        } else if c[1] >= c[2] {
            1
        } else {
            2
        }
    }

    #[test]
    fn water_and_plastic_are_orange() {
        for (mh, ml, rho, cm) in [(0.1505, 0.2059, 1.0, 10.0), (0.1534, 0.1970, 0.94, 4.0)] {
            let (th, tl) = t(mh, ml, rho, cm);
            let c = pseudo_colour(th, tl);
            assert!(c[0] > c[1] && c[1] > c[2], "{c:?}");
            assert_eq!(material_class(th, tl), Some(MaterialClass::Organic));
        }
    }

    #[test]
    fn aluminium_is_green() {
        let (th, tl) = t(0.1378, 0.2778, 2.699, 1.0);
        let c = pseudo_colour(th, tl);
        assert_eq!(dominant(c), 1, "{c:?}");
        assert_eq!(material_class(th, tl), Some(MaterialClass::Inorganic));
    }

    #[test]
    fn steel_is_blue() {
        for cm in [0.1, 0.2, 0.5] {
            let (th, tl) = t(0.1964, 1.205, 7.874, cm);
            let c = pseudo_colour(th, tl);
            assert_eq!(dominant(c), 2, "{cm} cm: {c:?}");
            assert_eq!(material_class(th, tl), Some(MaterialClass::Metal));
        }
    }

    #[test]
    fn impenetrable_is_black_and_empty_is_white() {
        let c = pseudo_colour(1e-4, 1e-6);
        assert!(c.iter().all(|&v| v < 20), "{c:?}");
        assert_eq!(pseudo_colour(1.0, 1.0), [255, 255, 255]);
        let c = pseudo_colour(f32::NAN, 0.5);
        assert!(c.iter().all(|&v| v < 20), "{c:?}");
    }

    #[test]
    fn darker_with_more_matter() {
        let (h1, l1) = t(0.1505, 0.2059, 1.0, 2.0);
        let (h2, l2) = t(0.1505, 0.2059, 1.0, 12.0);
        let a = pseudo_colour(h1, l1);
        let b = pseudo_colour(h2, l2);
        assert!(
            u32::from(a[0]) + u32::from(a[1]) > u32::from(b[0]) + u32::from(b[1]),
            "{a:?} {b:?}"
        );
    }

    #[test]
    fn image_helper_matches_pixelwise() {
        let hi = [1.0, 0.5, 0.01];
        let lo = [1.0, 0.3, 0.0001];
        let img = pseudo_colour_image(&hi, &lo);
        assert_eq!(img.len(), 9);
        assert_eq!(&img[3..6], &pseudo_colour(0.5, 0.3));
    }
}
