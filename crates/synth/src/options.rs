//! The options of a synthetic dataset ([`SynthOptions`]) and the planes written per scene.

use serde::Serialize;

use crate::error::SynthError;
use armscan_core::colour::Palette;

use crate::physics::DetectorModel;
use crate::threats::ThreatMix;

/// Options of a synthetic dataset. Build with [`SynthOptions::default`] and the `with_*` setters.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SynthOptions {
    /// Number of scenes.
    pub count: usize,
    /// Seed: the same seed and options give the same bytes.
    pub seed: u64,
    /// Image width and height, pixels.
    pub width: u32,
    pub height: u32,
    /// Millimetres per pixel.
    pub pixel_spacing_mm: f32,
    /// Fraction of scenes without any threat.
    pub clean_fraction: f32,
    /// Most threats in one scene (at least one in a scene that has threats).
    pub max_threats: usize,
    /// Clutter level in `[0, 1]`.
    pub clutter: f32,
    /// Detector model (dose, blur, row gains, counts floor).
    pub detector: DetectorModel,
    /// How many of the first scenes go on `contact_sheet.png` (0: no sheet).
    pub contact_sheet: usize,
    /// Relative weights of firearms, parts and ammunition among the threats.
    pub mix: ThreatMix,
    /// Share of firearms taken from real threat crops, when [`TipSources`] has some.
    pub real_threat_fraction: f32,
    /// Share of scenes whose background is a real clean bag, when [`TipSources`] has some.
    pub real_bag_fraction: f32,
    /// Synthetic threat variants never drawn (shapes held out of a training set).
    pub exclude_variants: Vec<String>,
    /// Whether parts are also drawn from the parametric families
    /// ([`crate::threats::PART_FAMILIES`]:
    /// receivers, bolts and barrels of random architecture and size). Off by default, so data
    /// sets made before the families existed keep their bytes (and their `info`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub part_families: bool,
    /// Share of drawn parts replaced by a light frame or receiver (aluminium or polymer,
    /// [`crate::threats::LIGHT_FRAME_FAMILY`]). 0 by default, so older data sets keep their bytes.
    #[serde(skip_serializing_if = "is_zero")]
    pub light_frame_fraction: f32,
    /// Share of drawn parts replaced by a silencer (fine class `silencer`, a Protocol part;
    /// [`crate::threats::SILENCERS`]). 0 by default, so older data sets keep their bytes.
    #[serde(skip_serializing_if = "is_zero")]
    pub silencer_fraction: f32,
    /// The palette of the pseudo-colour plane (`armscan_core::colour::Palette`, by name):
    /// armscan's own by default; the others render the same scenes as other vendors would.
    #[serde(skip_serializing_if = "is_armscan_palette")]
    pub palette: &'static str,
    /// Which planes to write: any of `high`, `low`, `grey`, `colour` (COCO `file_name` is the
    /// grey plane, so `grey` is always written).
    pub planes: Vec<Plane>,
}

/// An image written per scene.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Plane {
    High,
    Low,
    Grey,
    Colour,
}

impl Plane {
    pub const ALL: [Plane; 4] = [Plane::High, Plane::Low, Plane::Grey, Plane::Colour];

    /// Parses `high`, `low`, `grey` or `colour`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim() {
            "high" => Some(Plane::High),
            "low" => Some(Plane::Low),
            "grey" | "gray" => Some(Plane::Grey),
            "colour" | "color" => Some(Plane::Colour),
            _ => None,
        }
    }
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self {
            count: 16,
            seed: 0,
            width: 1000,
            height: 800,
            pixel_spacing_mm: 1.0,
            clean_fraction: 0.2,
            max_threats: 3,
            clutter: 0.6,
            detector: DetectorModel::default(),
            contact_sheet: 16,
            mix: ThreatMix::default(),
            real_threat_fraction: 0.5,
            real_bag_fraction: 0.3,
            exclude_variants: Vec::new(),
            part_families: false,
            light_frame_fraction: 0.0,
            silencer_fraction: 0.0,
            palette: Palette::ARMSCAN.name,
            planes: Plane::ALL.to_vec(),
        }
    }
}

impl SynthOptions {
    #[must_use]
    pub fn with_count(mut self, count: usize) -> Self {
        self.count = count;
        self
    }
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    #[must_use]
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }
    #[must_use]
    pub fn with_pixel_spacing_mm(mut self, mm: f32) -> Self {
        self.pixel_spacing_mm = mm;
        self
    }
    #[must_use]
    pub fn with_clean_fraction(mut self, f: f32) -> Self {
        self.clean_fraction = f;
        self
    }
    #[must_use]
    pub fn with_max_threats(mut self, n: usize) -> Self {
        self.max_threats = n;
        self
    }
    #[must_use]
    pub fn with_clutter(mut self, level: f32) -> Self {
        self.clutter = level;
        self
    }
    #[must_use]
    pub fn with_detector(mut self, detector: DetectorModel) -> Self {
        self.detector = detector;
        self
    }
    /// Open-beam counts of the high channel; the low channel gets half.
    #[must_use]
    pub fn with_dose(mut self, dose_high: f32) -> Self {
        self.detector.dose_high = dose_high;
        self.detector.dose_low = dose_high / 2.0;
        self
    }
    #[must_use]
    pub fn with_contact_sheet(mut self, scenes: usize) -> Self {
        self.contact_sheet = scenes;
        self
    }
    #[must_use]
    pub fn with_mix(mut self, mix: ThreatMix) -> Self {
        self.mix = mix;
        self
    }
    #[must_use]
    pub fn with_real_threat_fraction(mut self, f: f32) -> Self {
        self.real_threat_fraction = f;
        self
    }
    #[must_use]
    pub fn with_real_bag_fraction(mut self, f: f32) -> Self {
        self.real_bag_fraction = f;
        self
    }
    #[must_use]
    pub fn with_exclude_variants(mut self, variants: Vec<String>) -> Self {
        self.exclude_variants = variants;
        self
    }
    #[must_use]
    pub fn with_part_families(mut self, on: bool) -> Self {
        self.part_families = on;
        self
    }
    #[must_use]
    pub fn with_light_frame_fraction(mut self, f: f32) -> Self {
        self.light_frame_fraction = f;
        self
    }
    /// The pseudo-colour plane's palette.
    #[must_use]
    pub fn with_palette(mut self, palette: Palette) -> Self {
        self.palette = palette.name;
        self
    }
    /// The pseudo-colour plane's palette.
    #[must_use]
    pub fn palette(&self) -> Palette {
        Palette::named(self.palette).unwrap_or(Palette::ARMSCAN)
    }
    /// Share of drawn parts replaced by a silencer (`silencer_side`, `silencer_end_on`).
    #[must_use]
    pub fn with_silencer_fraction(mut self, f: f32) -> Self {
        self.silencer_fraction = f;
        self
    }
    #[must_use]
    pub fn with_planes(mut self, planes: Vec<Plane>) -> Self {
        self.planes = planes;
        self
    }

    /// Checks the options.
    ///
    /// # Errors
    /// [`SynthError::InvalidOption`] naming the option.
    pub fn validate(&self) -> Result<(), SynthError> {
        let bad = |m: String| Err(SynthError::InvalidOption(m));
        if !(64..=8192).contains(&self.width) || !(64..=8192).contains(&self.height) {
            return bad(format!(
                "image size {}x{} (each side 64..=8192 pixels)",
                self.width, self.height
            ));
        }
        if !(self.pixel_spacing_mm > 0.05 && self.pixel_spacing_mm <= 10.0) {
            return bad(format!(
                "pixel spacing {} mm (0.05 < mm <= 10)",
                self.pixel_spacing_mm
            ));
        }
        if !(0.0..=1.0).contains(&self.clean_fraction) {
            return bad(format!("clean fraction {} (0..=1)", self.clean_fraction));
        }
        if !(0.0..=1.0).contains(&self.clutter) {
            return bad(format!("clutter {} (0..=1)", self.clutter));
        }
        if !(0.0..=1.0).contains(&self.light_frame_fraction) {
            return bad(format!(
                "light frame fraction {} (0..=1)",
                self.light_frame_fraction
            ));
        }
        if !(0.0..=1.0).contains(&self.silencer_fraction) {
            return bad(format!(
                "silencer fraction {} (0..=1)",
                self.silencer_fraction
            ));
        }
        if self.light_frame_fraction + self.silencer_fraction > 1.0 {
            return bad(format!(
                "light frame fraction {} + silencer fraction {} (at most 1 together: both \
                 replace drawn parts)",
                self.light_frame_fraction, self.silencer_fraction
            ));
        }
        if !(0.0..=1.0).contains(&self.real_threat_fraction)
            || !(0.0..=1.0).contains(&self.real_bag_fraction)
        {
            return bad(format!(
                "real threat / bag fraction {} / {} (0..=1)",
                self.real_threat_fraction, self.real_bag_fraction
            ));
        }
        self.mix.validate().map_err(SynthError::InvalidOption)?;
        if let Some(v) = self
            .exclude_variants
            .iter()
            .find(|v| crate::threats::find_variant(v).is_none())
        {
            return bad(format!("unknown threat variant `{v}` to exclude"));
        }
        if self.max_threats == 0 || self.max_threats > 20 {
            return bad(format!("max threats {} (1..=20)", self.max_threats));
        }
        let d = &self.detector;
        if !(d.dose_high >= 10.0
            && d.dose_low >= 10.0
            && d.dose_high.is_finite()
            && d.dose_low.is_finite())
        {
            return bad(format!(
                "dose {} / {} (at least 10 counts)",
                d.dose_high, d.dose_low
            ));
        }
        if !(0.0..=5.0).contains(&d.blur_sigma_px) || !(0.0..=0.2).contains(&d.row_gain_sigma) {
            return bad("detector blur (0..=5 px) or row gain sigma (0..=0.2)".to_owned());
        }
        Ok(())
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_armscan_palette(name: &&'static str) -> bool {
    *name == Palette::ARMSCAN.name
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(v: &f32) -> bool {
    *v == 0.0
}
