//! Trials for people (armscan's trainer mode): one threat projected into one clean bag on the
//! spot, at a chosen view and cover, or the clean bag alone.
//!
//! The three difficulty axes of X-ray screening training map onto physical parameters here;
//! which level means which value is the trainer's business (`armscan-trainer`):
//!
//! - **view**: the threat turned out of its easy pose. The easy pose is the object as modelled
//!   (a firearm's side view, barrel horizontal) or a real crop as scanned; turning it by `φ`
//!   about the image's vertical axis foreshortens it to `cos φ` of its width and lengthens every
//!   ray's path through it by `1 / cos φ` (a slab seen obliquely), then it is rotated in the
//!   image plane by up to `in_plane_max_deg` either way;
//! - **superposition**: how much of the threat lies over dense objects. Of
//!   [`PLACEMENT_CANDIDATES`] random places inside the bag, the one whose cover (the share of
//!   the threat's footprint over background denser than `sqrt(T_high·T_low) < 0.37`, as the
//!   synthetic datasets measure it) is nearest `target_cover` is taken;
//! - **bag complexity**: the clutter of a synthetic bag (`clutter`, 0 to 1, as
//!   [`crate::SynthOptions::with_clutter`]), or a real clean bag, whose complexity is measured
//!   ([`Trial::bag_clutter`]). A threat goes inside the container (a real bag: the extent of
//!   what attenuates, `sqrt(T_high·T_low) < 0.8`) when it fits there.
//!
//! Projection multiplies transmissions ([`crate::tip`]), then the detector model measures the
//! composite; the threat's box is the extent of its visible footprint where it was projected,
//! exactly (a test checks it against the composite divided by the clean bag).

use std::f32::consts::PI;

use armscan_core::colour::{pseudo_colour_image, single_energy_view};
use armscan_core::taxonomy::{known_category, Category};

use crate::error::SynthError;
use crate::physics::{to_u8, DetectorModel, DualT};
use crate::render::{
    box_clutter, footprint_cover, threat_crop, ThreatAnnotation, VISIBLE_THRESHOLD,
};
use crate::rng::Rng;
use crate::scene::background;
use crate::sources::{read_bag, rescale, rotate, TipSources};
use crate::threats::{build, random_threat_from};
use crate::tip::{attenuation_mask, mask_extent, project_mut};

/// Random places tried for the threat; the one nearest the cover asked for is kept.
pub const PLACEMENT_CANDIDATES: usize = 32;
pub use crate::render::COVER_TRANSMISSION;
/// The steepest view: beyond it a flat object becomes a line.
pub const MAX_OUT_OF_PLANE_DEG: f32 = 80.0;

/// The bag a trial is made on.
#[derive(Clone, Debug, PartialEq)]
pub enum TrialBag {
    /// A synthetic parcel of this clutter level (0 to 1) at the request's size.
    Synthetic { clutter: f32 },
    /// The real clean bag `sources.bags[i]`, at its own size resampled to the request's spacing.
    Real(usize),
}

/// The threat a trial shows.
#[derive(Clone, Debug, PartialEq)]
pub enum TrialThreat {
    /// A synthetic threat of this category, drawn at random.
    Category(Category),
    /// A named synthetic variant (`crate::threats::VARIANTS` and the other tables).
    Variant(String),
    /// The real crop `sources.threats[i]`.
    Real(usize),
}

/// How the threat is shown: its view and its cover.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialPose {
    /// Turned out of the easy pose by this much, degrees (0 to [`MAX_OUT_OF_PLANE_DEG`]).
    pub out_of_plane_deg: f32,
    /// Then rotated in the image plane by up to this much either way, degrees.
    pub in_plane_max_deg: f32,
    /// The share of its footprint wanted over dense background (0 to 1).
    pub target_cover: f32,
}

/// One trial to make. Deterministic in all its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialRequest {
    /// Size of a synthetic bag, pixels.
    pub width: u32,
    pub height: u32,
    pub pixel_spacing_mm: f32,
    pub bag: TrialBag,
    /// `None`: a clean trial (the bag alone).
    pub threat: Option<(TrialThreat, TrialPose)>,
    pub seed: u64,
}

/// A trial ready to show.
#[derive(Clone, Debug)]
pub struct Trial {
    pub width: usize,
    pub height: usize,
    /// 8-bit `sqrt(T_high·T_low)` of the measured scan (dark = dense).
    pub grey: Vec<u8>,
    /// Packed RGB, armscan's pseudo-colour of the measured pair.
    pub colour: Vec<u8>,
    /// The projected threat, with its exact box (`extent`), cover (`occluded_fraction`) and
    /// in-plane pose; `None` for a clean trial.
    pub threat: Option<ThreatAnnotation>,
    /// The view asked for, degrees out of the easy pose (0 for a clean trial).
    pub out_of_plane_deg: f32,
    /// Mean `1 - sqrt(T_high·T_low)` inside the bag before projection: its measured complexity.
    pub bag_clutter: f32,
    /// The container kind, or the real bag's file name.
    pub bag: String,
    /// Noiseless transmissions of the composite (for checks; not shown).
    pub ideal: DualT,
}

fn bad(message: String) -> SynthError {
    SynthError::Trial(message)
}

/// `crop` turned out of plane by `deg` about the vertical axis: `cos` of its width, paths
/// `1 / cos` as long (attenuation scaled in each energy).
fn foreshorten(crop: &DualT, deg: f32) -> DualT {
    let phi = deg.clamp(0.0, MAX_OUT_OF_PLANE_DEG).to_radians();
    if phi < 1e-3 {
        return crop.clone();
    }
    let (c, path) = (phi.cos(), 1.0 / phi.cos());
    let nw = ((crop.width as f32 * c).round() as usize).max(1);
    let mut out = DualT::empty(nw, crop.height);
    let step = crop.width as f32 / nw as f32;
    for y in 0..crop.height {
        let row = y * crop.width;
        for x in 0..nw {
            // box filter over the source columns this output column covers
            let (x0, x1) = (x as f32 * step, (x as f32 + 1.0) * step);
            let (mut ah, mut al, mut wsum) = (0.0f32, 0.0f32, 0.0f32);
            let mut sx = x0.floor() as usize;
            while (sx as f32) < x1 && sx < crop.width {
                let w = (x1.min(sx as f32 + 1.0) - x0.max(sx as f32)).max(0.0);
                ah += w * -crop.high[row + sx].max(1e-6).ln();
                al += w * -crop.low[row + sx].max(1e-6).ln();
                wsum += w;
                sx += 1;
            }
            let i = y * nw + x;
            if wsum > 0.0 {
                out.high[i] = (-(ah / wsum) * path).exp();
                out.low[i] = (-(al / wsum) * path).exp();
            }
        }
    }
    out
}

/// The threat's transmission crop in its easy pose (synthetic: drawn at angle 0, its own
/// manufacturing scale; real: as scanned, resampled to `mm`), its fine class and variant.
fn easy_pose(
    threat: &TrialThreat,
    sources: &TipSources,
    mm: f32,
    rng: &mut Rng,
) -> Result<(DualT, &'static str, String), SynthError> {
    let synthetic = |t: crate::threats::Threat, rng: &mut Rng| {
        let scale = rng.range(0.96, 1.08);
        let crop = threat_crop(&t.object, mm, 0.0, scale, false);
        (crop, t.fine_class, t.variant.to_owned())
    };
    match threat {
        TrialThreat::Category(c) => {
            // Part families include magazines, which are accessories: draw until the category
            // is the one asked for.
            for _ in 0..64 {
                let t = random_threat_from(*c, &[], true, 0.1, 0.1, rng);
                if t.category == *c {
                    return Ok(synthetic(t, rng));
                }
            }
            Err(bad(format!(
                "no synthetic threat of category {}",
                c.as_str()
            )))
        }
        TrialThreat::Variant(name) => {
            let t =
                build(name, rng).ok_or_else(|| bad(format!("unknown threat variant {name:?}")))?;
            Ok(synthetic(t, rng))
        }
        TrialThreat::Real(i) => {
            let r = sources
                .threats
                .get(*i)
                .ok_or_else(|| bad(format!("no real threat crop {i}")))?;
            let crop = rescale(&r.crop, r.pixel_spacing_mm / mm);
            Ok((crop, r.fine_class, format!("real:{}", r.source)))
        }
    }
}

fn mean_clutter(t: &DualT, inside: [f32; 4]) -> f32 {
    let x0 = (inside[0].max(0.0) as usize).min(t.width);
    let y0 = (inside[1].max(0.0) as usize).min(t.height);
    let x1 = (inside[2].max(0.0) as usize).clamp(x0, t.width);
    let y1 = (inside[3].max(0.0) as usize).clamp(y0, t.height);
    box_clutter(t, x0 as i64, y0 as i64, (x1 - x0) as i64, (y1 - y0) as i64)
}

/// Makes a trial: the bag, then (for a threat trial) the threat in its easy pose, turned by the
/// view asked for, placed at the cover nearest the one asked for, projected; then measured by
/// the default detector model.
///
/// # Errors
/// Bad numbers in the request, an unknown variant or source index, a real bag that cannot be
/// read, or a threat that fits nowhere in the bag.
pub fn render_trial(req: &TrialRequest, sources: &TipSources) -> Result<Trial, SynthError> {
    let mm = req.pixel_spacing_mm;
    if !(mm.is_finite() && mm > 0.0) || req.width < 16 || req.height < 16 {
        return Err(bad(format!(
            "trial {}x{} px at {mm} mm/px (at least 16x16, spacing > 0)",
            req.width, req.height
        )));
    }
    let mut rng = Rng::new(req.seed);
    let mut noise_rng = rng.fork();
    let (mut t, inside, bag) = match &req.bag {
        TrialBag::Synthetic { clutter } => {
            if !(0.0..=1.0).contains(clutter) {
                return Err(bad(format!("clutter {clutter} (0..=1)")));
            }
            let b = background(
                req.width as usize,
                req.height as usize,
                mm,
                *clutter,
                &mut rng,
            );
            (
                b.map.transmission(),
                b.inside,
                b.container.as_str().to_owned(),
            )
        }
        TrialBag::Real(i) => {
            let real = sources
                .bags
                .get(*i)
                .ok_or_else(|| bad(format!("no real bag {i}")))?;
            let t = read_bag(real, mm)?;
            // Threats go where the bag is: the extent of what attenuates (T < 0.8), not the
            // empty belt round it.
            let content: Vec<bool> = t
                .high
                .iter()
                .zip(&t.low)
                .map(|(h, l)| single_energy_view(*h, *l) < 0.8)
                .collect();
            let inside = mask_extent(&content, t.width).map_or(
                [0.0, 0.0, t.width as f32, t.height as f32],
                |[x0, y0, x1, y1]| [x0 as f32, y0 as f32, (x1 + 1) as f32, (y1 + 1) as f32],
            );
            let name = real
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            (t, inside, name)
        }
    };
    let bag_clutter = mean_clutter(&t, inside);
    let mut annotation = None;
    let mut out_of_plane_deg = 0.0;
    if let Some((threat, pose)) = &req.threat {
        if !(0.0..=1.0).contains(&pose.target_cover)
            || !(0.0..=MAX_OUT_OF_PLANE_DEG).contains(&pose.out_of_plane_deg)
            || !(0.0..=180.0).contains(&pose.in_plane_max_deg)
        {
            return Err(bad(format!(
                "pose {pose:?} (cover 0..=1, out of plane 0..={MAX_OUT_OF_PLANE_DEG}, in plane 0..=180)"
            )));
        }
        out_of_plane_deg = pose.out_of_plane_deg;
        // A drawn threat that does not fit the bag (a rifle in a small parcel) is drawn again;
        // a named one is an error.
        let attempts = if matches!(threat, TrialThreat::Category(_)) {
            16
        } else {
            1
        };
        let mut fitted = None;
        let mut last_error = String::new();
        for _ in 0..attempts {
            let (crop, fine_class, variant) = easy_pose(threat, sources, mm, &mut rng)?;
            let turned = foreshorten(&crop, pose.out_of_plane_deg);
            let angle = rng.range(-pose.in_plane_max_deg, pose.in_plane_max_deg) * PI / 180.0;
            let mirrored = rng.chance(0.5);
            let ct = rotate(&turned, angle, mirrored);
            let mask = attenuation_mask(&ct, VISIBLE_THRESHOLD);
            let Some(extent) = mask_extent(&mask, ct.width) else {
                last_error = format!("threat {variant} has no visible footprint");
                continue;
            };
            let (bw, bh) = (
                (extent[2] - extent[0] + 1) as f32,
                (extent[3] - extent[1] + 1) as f32,
            );
            if bw > t.width as f32 || bh > t.height as f32 {
                last_error = format!(
                    "threat {variant} ({bw}x{bh} px) does not fit the {}x{} bag",
                    t.width, t.height
                );
                continue;
            }
            fitted = Some((ct, mask, extent, fine_class, variant, angle, mirrored));
            break;
        }
        let Some((ct, mask, [bx0, by0, bx1, by1], fine_class, variant, angle, mirrored)) = fitted
        else {
            return Err(bad(last_error));
        };
        let cw = ct.width;
        let (bw, bh) = ((bx1 - bx0 + 1) as i64, (by1 - by0 + 1) as i64);
        let region = if bw as f32 <= inside[2] - inside[0] && bh as f32 <= inside[3] - inside[1] {
            inside
        } else {
            [0.0, 0.0, t.width as f32, t.height as f32]
        };
        // The candidate whose cover is nearest the target; ties to the first.
        let mut best: Option<(f32, i64, i64, u32, u32)> = None;
        for _ in 0..PLACEMENT_CANDIDATES {
            let x0 = (rng.range(region[0], region[2] - bw as f32 + 1.0).floor() as i64)
                .clamp(0, t.width as i64 - bw);
            let y0 = (rng.range(region[1], region[3] - bh as f32 + 1.0).floor() as i64)
                .clamp(0, t.height as i64 - bh);
            let (ox, oy) = (x0 - bx0 as i64, y0 - by0 as i64);
            let (area, covered) = footprint_cover(&t, &mask, cw, ox, oy);
            let cover = covered as f32 / area.max(1) as f32;
            let gap = (cover - pose.target_cover).abs();
            if best.is_none_or(|b| gap < b.0) {
                best = Some((gap, x0, y0, area, covered));
            }
        }
        let Some((_, x0, y0, area, covered)) = best else {
            return Err(bad("no placement tried".into()));
        };
        let (ox, oy) = (x0 - bx0 as i64, y0 - by0 as i64);
        let clutter_density = box_clutter(&t, x0, y0, bw, bh);
        project_mut(&mut t, &ct, ox, oy);
        let deg = (angle.to_degrees() % 360.0 + 360.0) % 360.0;
        annotation = Some(ThreatAnnotation {
            fine_class,
            category: known_category(fine_class).map_or("firearm", Category::as_str),
            variant,
            extent: [
                x0 as u32,
                y0 as u32,
                (x0 + bw - 1) as u32,
                (y0 + bh - 1) as u32,
            ],
            area,
            occluded_fraction: covered as f32 / area.max(1) as f32,
            clutter_density,
            pose_deg: deg,
            mirrored,
            scale: 1.0,
        });
    }
    let measured = DetectorModel::default().measure(&t, &mut noise_rng);
    Ok(Trial {
        width: t.width,
        height: t.height,
        grey: measured.grey().iter().map(|v| to_u8(*v)).collect(),
        colour: pseudo_colour_image(&measured.high, &measured.low),
        threat: annotation,
        out_of_plane_deg,
        bag_clutter,
        bag,
        ideal: t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(threat: Option<(TrialThreat, TrialPose)>, seed: u64) -> TrialRequest {
        TrialRequest {
            width: 640,
            height: 480,
            pixel_spacing_mm: 1.5,
            bag: TrialBag::Synthetic { clutter: 0.5 },
            threat,
            seed,
        }
    }

    fn pose(view: f32, cover: f32) -> TrialPose {
        TrialPose {
            out_of_plane_deg: view,
            in_plane_max_deg: 30.0,
            target_cover: cover,
        }
    }

    #[test]
    fn the_box_is_exactly_the_projected_footprint() {
        for (seed, cat) in [
            (1, Category::Firearm),
            (2, Category::Part),
            (3, Category::Ammunition),
            (4, Category::Firearm),
        ] {
            let with = render_trial(
                &request(Some((TrialThreat::Category(cat), pose(40.0, 0.3))), seed),
                &TipSources::default(),
            )
            .unwrap();
            let clean = render_trial(&request(None, seed), &TipSources::default()).unwrap();
            let a = with.threat.clone().unwrap();
            assert_eq!(a.category, cat.as_str());
            // What the threat did to the bag: composite / clean, per energy.
            let ratio = DualT {
                width: with.width,
                height: with.height,
                high: with
                    .ideal
                    .high
                    .iter()
                    .zip(&clean.ideal.high)
                    .map(|(c, b)| if *b > 0.0 { c / b } else { 1.0 })
                    .collect(),
                low: with
                    .ideal
                    .low
                    .iter()
                    .zip(&clean.ideal.low)
                    .map(|(c, b)| if *b > 0.0 { c / b } else { 1.0 })
                    .collect(),
            };
            let mask = attenuation_mask(&ratio, VISIBLE_THRESHOLD);
            let [x0, y0, x1, y1] = mask_extent(&mask, with.width).unwrap();
            assert_eq!(
                a.extent,
                [x0 as u32, y0 as u32, x1 as u32, y1 as u32],
                "seed {seed}"
            );
            assert_eq!(with.grey.len(), with.width * with.height);
            assert_eq!(with.colour.len(), with.width * with.height * 3);
        }
    }

    #[test]
    fn the_same_request_gives_the_same_trial() {
        let req = request(
            Some((TrialThreat::Category(Category::Firearm), pose(20.0, 0.2))),
            9,
        );
        let a = render_trial(&req, &TipSources::default()).unwrap();
        let b = render_trial(&req, &TipSources::default()).unwrap();
        assert_eq!(a.grey, b.grey);
        assert_eq!(a.threat, b.threat);
    }

    #[test]
    fn a_turned_threat_is_narrower_and_denser() {
        let mut crop = DualT::empty(40, 10);
        for v in crop.high.iter_mut() {
            *v = 0.5;
        }
        for v in crop.low.iter_mut() {
            *v = 0.25;
        }
        let turned = foreshorten(&crop, 60.0);
        assert_eq!(turned.width, 20);
        // path doubled: T^2
        assert!((turned.high[5] - 0.25).abs() < 1e-4, "{}", turned.high[5]);
        assert!((turned.low[5] - 0.0625).abs() < 1e-4);
        assert_eq!(foreshorten(&crop, 0.0).width, 40);
    }

    #[test]
    fn more_cover_asked_gives_more_cover() {
        let mut low = 0.0;
        let mut high = 0.0;
        for seed in 0..12 {
            let mut req = request(
                Some((TrialThreat::Category(Category::Firearm), pose(0.0, 0.0))),
                seed,
            );
            req.bag = TrialBag::Synthetic { clutter: 0.9 };
            low += render_trial(&req, &TipSources::default())
                .unwrap()
                .threat
                .unwrap()
                .occluded_fraction;
            req.threat = Some((TrialThreat::Category(Category::Firearm), pose(0.0, 0.8)));
            high += render_trial(&req, &TipSources::default())
                .unwrap()
                .threat
                .unwrap()
                .occluded_fraction;
        }
        assert!(
            high > low + 1.0,
            "mean cover asked 0.0: {}, asked 0.8: {}",
            low / 12.0,
            high / 12.0
        );
    }

    #[test]
    fn bad_requests_are_refused() {
        let mut req = request(None, 1);
        req.bag = TrialBag::Synthetic { clutter: 2.0 };
        assert!(render_trial(&req, &TipSources::default()).is_err());
        let req = request(
            Some((TrialThreat::Variant("ray_gun".into()), pose(0.0, 0.0))),
            1,
        );
        let e = render_trial(&req, &TipSources::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("ray_gun"), "{e}");
        let req = request(Some((TrialThreat::Real(3), pose(0.0, 0.0))), 1);
        assert!(render_trial(&req, &TipSources::default()).is_err());
        let mut req = request(None, 1);
        req.bag = TrialBag::Real(0);
        assert!(render_trial(&req, &TipSources::default()).is_err());
    }
}
