//! One scene: a synthetic or real background, threats placed in it (synthetic or real crops,
//! projected by [`crate::tip`]), measured by the detector model; deterministic in `(seed, index)`.

use std::f32::consts::PI;

use armscan_core::colour::{pseudo_colour_image, single_energy_view};
use armscan_core::taxonomy::{known_category, Category};
use serde::Serialize;

use crate::error::SynthError;
use crate::options::SynthOptions;
use crate::physics::{to_u16, to_u8, AttenuationMap, DualT};
use crate::rng::Rng;
use crate::scene::background;
use crate::shapes::{draw, Placement};
use crate::sources::{read_bag, rescale, rotate, RealThreat, TipSources};
use crate::threats::{random_threat_from, Threat};
use crate::tip::{attenuation_mask, mask_extent, project_mut};

/// Where a threat's footprint counts as visible: `1 - sqrt(T_high·T_low) > VISIBLE_THRESHOLD`.
pub const VISIBLE_THRESHOLD: f32 = 0.02;

/// One threat in a scene.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThreatAnnotation {
    pub fine_class: &'static str,
    pub category: &'static str,
    /// The synthetic variant, or `real:FILE#N` for a real crop.
    pub variant: String,
    /// Tight box round the visible footprint, inclusive pixels `[x_min, y_min, x_max, y_max]`.
    pub extent: [u32; 4],
    /// Pixels of the visible footprint.
    pub area: u32,
    /// Fraction of the footprint lying over background with `sqrt(T_high·T_low) < 0.37`
    /// (attenuation above 1: dense clutter or another threat).
    pub occluded_fraction: f32,
    /// Mean `1 - sqrt(T_high·T_low)` of the background inside the box.
    pub clutter_density: f32,
    /// Rotation in the image plane, degrees `[0, 360)`.
    pub pose_deg: f32,
    pub mirrored: bool,
    pub scale: f32,
}

/// One rendered scene.
#[derive(Clone, Debug)]
pub struct Scene {
    pub index: usize,
    pub width: usize,
    pub height: usize,
    /// The container kind, or `real_bag` for a real background.
    pub container: &'static str,
    /// Clutter kinds, or the real bag's file name.
    pub clutter: Vec<String>,
    /// Noiseless transmissions before the detector.
    pub ideal: DualT,
    /// Measured transmissions.
    pub measured: DualT,
    pub threats: Vec<ThreatAnnotation>,
}

impl Scene {
    #[must_use]
    pub fn high_u16(&self) -> Vec<u16> {
        self.measured.high.iter().map(|t| to_u16(*t)).collect()
    }
    #[must_use]
    pub fn low_u16(&self) -> Vec<u16> {
        self.measured.low.iter().map(|t| to_u16(*t)).collect()
    }
    /// 8-bit `sqrt(T_high·T_low)`, what armscan-ingest's detector view would make of the pair.
    #[must_use]
    pub fn grey_u8(&self) -> Vec<u8> {
        self.measured.grey().iter().map(|t| to_u8(*t)).collect()
    }
    /// Packed RGB by [`armscan_core::colour`], in armscan's palette.
    #[must_use]
    pub fn colour_rgb(&self) -> Vec<u8> {
        pseudo_colour_image(&self.measured.high, &self.measured.low)
    }
    /// Packed RGB in `palette`.
    #[must_use]
    pub fn colour_rgb_in(&self, palette: &armscan_core::colour::Palette) -> Vec<u8> {
        palette.colour_image(&self.measured.high, &self.measured.low)
    }
}

/// Renders scene `index` of the dataset `opts` describes (deterministic in
/// `(seed, index)`), fully synthetic.
#[must_use]
pub fn render_scene(opts: &SynthOptions, index: usize) -> Scene {
    let mut rng = Rng::for_scene(opts.seed, index as u64);
    let noise_rng = rng.fork();
    let background = synthetic_background(opts, &mut rng);
    populate_scene(
        opts,
        &TipSources::default(),
        index,
        background,
        rng,
        noise_rng,
    )
}

/// Renders scene `index` with real TIP sources: with probability `opts.real_bag_fraction` the
/// background is a real clean bag (at its own size, resampled to the scenes' pixel spacing),
/// and each firearm is a real crop with probability `opts.real_threat_fraction`. Deterministic
/// in `(seed, index)` and the sources; without sources it is [`render_scene`].
///
/// # Errors
/// A real bag that cannot be read.
pub fn render_scene_with(
    opts: &SynthOptions,
    sources: &TipSources,
    index: usize,
) -> Result<Scene, SynthError> {
    let mut rng = Rng::for_scene(opts.seed, index as u64);
    let noise_rng = rng.fork();
    let mm = opts.pixel_spacing_mm;
    let real_bag = if !sources.bags.is_empty() && rng.chance(opts.real_bag_fraction) {
        rng.pick(&sources.bags)
    } else {
        None
    };
    let background = match real_bag {
        Some(bag) => {
            let t = read_bag(bag, mm)?;
            let inside = [0.0, 0.0, t.width as f32, t.height as f32];
            let name = bag
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            SceneBackground {
                transmission: t,
                inside,
                container: "real_bag",
                clutter: vec![name],
            }
        }
        None => synthetic_background(opts, &mut rng),
    };
    Ok(populate_scene(
        opts, sources, index, background, rng, noise_rng,
    ))
}

/// A scene's background before any threat is placed: transmission, the area threats may go in
/// (image px), the container's name and the clutter's.
struct SceneBackground {
    transmission: DualT,
    inside: [f32; 4],
    container: &'static str,
    clutter: Vec<String>,
}

fn synthetic_background(opts: &SynthOptions, rng: &mut Rng) -> SceneBackground {
    let bg = background(
        opts.width as usize,
        opts.height as usize,
        opts.pixel_spacing_mm,
        opts.clutter,
        rng,
    );
    SceneBackground {
        transmission: bg.map.transmission(),
        inside: bg.inside,
        container: bg.container.as_str(),
        clutter: bg.clutter.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// Places the scene's threats (drawn from `rng`) into its background, then measures it with the
/// detector model (noise from `noise_rng`).
fn populate_scene(
    opts: &SynthOptions,
    sources: &TipSources,
    index: usize,
    background: SceneBackground,
    mut rng: Rng,
    mut noise_rng: Rng,
) -> Scene {
    let mm = opts.pixel_spacing_mm;
    let SceneBackground {
        transmission: mut t,
        inside,
        container,
        clutter,
    } = background;
    let mut threats = Vec::new();
    if !rng.chance(opts.clean_fraction) {
        let n = 1 + rng.below(opts.max_threats);
        for _ in 0..n {
            let want = opts.mix.draw(&mut rng);
            let real = if want == Category::Firearm
                && !sources.threats.is_empty()
                && rng.chance(opts.real_threat_fraction)
            {
                rng.pick(&sources.threats)
            } else {
                None
            };
            let placed = match real {
                Some(r) => place_real_threat(&mut t, inside, mm, r, &mut rng),
                None => {
                    let threat = random_threat_from(
                        want,
                        &opts.exclude_variants,
                        opts.part_families,
                        opts.light_frame_fraction,
                        opts.silencer_fraction,
                        &mut rng,
                    );
                    place_threat(&mut t, inside, mm, threat, &mut rng)
                }
            };
            if let Some(a) = placed {
                threats.push(a);
            }
        }
    }
    let measured = opts.detector.measure(&t, &mut noise_rng);
    Scene {
        index,
        width: t.width,
        height: t.height,
        container,
        clutter,
        ideal: t,
        measured,
        threats,
    }
}

/// A real crop, scaled to the scene's spacing (±8 %), rotated and mirrored at random.
fn place_real_threat(
    t: &mut DualT,
    inside: [f32; 4],
    mm: f32,
    real: &RealThreat,
    rng: &mut Rng,
) -> Option<ThreatAnnotation> {
    let scale = real.pixel_spacing_mm / mm * rng.range(0.92, 1.08);
    let sized = rescale(&real.crop, scale);
    for _ in 0..4 {
        let angle = rng.range(0.0, 2.0 * PI);
        let mirrored = rng.chance(0.5);
        let ct = rotate(&sized, angle, mirrored);
        let meta = Pose {
            fine_class: real.fine_class,
            variant: format!("real:{}", real.source),
            angle,
            mirrored,
            scale,
        };
        if let Some(a) = place_crop(t, &ct, inside, meta, rng) {
            return Some(a);
        }
    }
    None
}

struct Pose {
    fine_class: &'static str,
    variant: String,
    angle: f32,
    mirrored: bool,
    scale: f32,
}

/// Background counted as covering a threat: `sqrt(T_high·T_low)` below this.
pub const COVER_TRANSMISSION: f32 = 0.37;

/// The visible footprint `mask` (of a crop `cw` wide) placed with its crop origin at
/// `(ox, oy)` of `t`: its pixels inside the image, and how many of them lie over background
/// denser than [`COVER_TRANSMISSION`] (from `t` before the threat is projected).
pub(crate) fn footprint_cover(t: &DualT, mask: &[bool], cw: usize, ox: i64, oy: i64) -> (u32, u32) {
    let (mut area, mut covered) = (0u32, 0u32);
    for (i, m) in mask.iter().enumerate() {
        if !*m {
            continue;
        }
        let (x, y) = ((i % cw) as i64 + ox, (i / cw) as i64 + oy);
        if x < 0 || y < 0 || x >= t.width as i64 || y >= t.height as i64 {
            continue;
        }
        let bi = y as usize * t.width + x as usize;
        area += 1;
        if single_energy_view(t.high[bi], t.low[bi]) < COVER_TRANSMISSION {
            covered += 1;
        }
    }
    (area, covered)
}

/// Mean `1 - sqrt(T_high·T_low)` of `t` over the `w` x `h` box at `(x0, y0)` (inside the image).
pub(crate) fn box_clutter(t: &DualT, x0: i64, y0: i64, w: i64, h: i64) -> f32 {
    let mut dens = 0.0f64;
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            let bi = y as usize * t.width + x as usize;
            dens += f64::from(1.0 - single_energy_view(t.high[bi], t.low[bi]));
        }
    }
    (dens / (w * h).max(1) as f64) as f32
}

/// `object` rasterised alone into a square crop just large enough for any rotation, at `mm`
/// per pixel, as transmissions.
pub(crate) fn threat_crop(
    object: &crate::shapes::Object,
    mm: f32,
    angle: f32,
    scale: f32,
    mirror: bool,
) -> DualT {
    // the same arithmetic as ever, so scenes keep their bytes
    let k = 1.0 / mm;
    let r = (object.radius() * k * scale).ceil() as usize + 3;
    let side = 2 * r + 1;
    let mut crop = AttenuationMap::new(side, side);
    let pl = Placement {
        cx: r as f32 + 0.5,
        cy: r as f32 + 0.5,
        angle,
        scale,
        mirror,
        mm_per_px: mm,
    };
    draw(&mut crop, object, &pl);
    crop.transmission()
}

fn place_threat(
    t: &mut DualT,
    inside: [f32; 4],
    mm: f32,
    threat: Threat,
    rng: &mut Rng,
) -> Option<ThreatAnnotation> {
    for attempt in 0..4 {
        let scale = rng.range(0.96, 1.12);
        let angle = if attempt < 2 {
            rng.range(0.0, 2.0 * PI)
        } else {
            rng.range(-0.15, 0.15) + if rng.chance(0.5) { PI } else { 0.0 }
        };
        let mirrored = rng.chance(0.5);
        let ct = threat_crop(&threat.object, mm, angle, scale, mirrored);
        let meta = Pose {
            fine_class: threat.fine_class,
            variant: threat.variant.to_owned(),
            angle,
            mirrored,
            scale,
        };
        if let Some(a) = place_crop(t, &ct, inside, meta, rng) {
            return Some(a);
        }
    }
    None
}

/// Projects the threat crop `ct` at a random place of `inside` (or of the image when it does
/// not fit inside), annotating its visible footprint; `None` when it fits nowhere or is empty.
fn place_crop(
    t: &mut DualT,
    ct: &DualT,
    inside: [f32; 4],
    pose: Pose,
    rng: &mut Rng,
) -> Option<ThreatAnnotation> {
    let cw = ct.width;
    let mask = attenuation_mask(ct, VISIBLE_THRESHOLD);
    let [bx0, by0, bx1, by1] = mask_extent(&mask, cw)?;
    let (bw, bh) = ((bx1 - bx0 + 1) as f32, (by1 - by0 + 1) as f32);
    // the box must fit inside the container, or at least inside the image
    let region = if bw <= inside[2] - inside[0] && bh <= inside[3] - inside[1] {
        inside
    } else {
        [0.0, 0.0, t.width as f32, t.height as f32]
    };
    if bw > region[2] - region[0] || bh > region[3] - region[1] {
        return None;
    }
    let x0 = rng.range(region[0], region[2] - bw + 1.0).floor() as i64;
    let y0 = rng.range(region[1], region[3] - bh + 1.0).floor() as i64;
    let (x0, y0) = (
        x0.clamp(0, t.width as i64 - bw as i64),
        y0.clamp(0, t.height as i64 - bh as i64),
    );
    let (ox, oy) = (x0 - bx0 as i64, y0 - by0 as i64);
    // difficulty, from the background before this threat
    let (area, occluded) = footprint_cover(t, &mask, cw, ox, oy);
    let clutter_density = box_clutter(t, x0, y0, bw as i64, bh as i64);
    project_mut(t, ct, ox, oy);
    let deg = (pose.angle.to_degrees() % 360.0 + 360.0) % 360.0;
    Some(ThreatAnnotation {
        fine_class: pose.fine_class,
        category: known_category(pose.fine_class).map_or("firearm", Category::as_str),
        variant: pose.variant,
        extent: [
            x0 as u32,
            y0 as u32,
            (x0 + bw as i64 - 1) as u32,
            (y0 + bh as i64 - 1) as u32,
        ],
        area,
        occluded_fraction: occluded as f32 / area.max(1) as f32,
        clutter_density,
        pose_deg: deg,
        mirrored: pose.mirrored,
        scale: pose.scale,
    })
}
