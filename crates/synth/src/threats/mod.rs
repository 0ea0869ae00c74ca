//! Procedural threats: firearms, their parts, and ammunition, as 2-D footprints with thickness
//! along the beam, built from published nominal dimensions (C.I.P./SAAMI cartridge drawings,
//! manufacturers' overall length and height). Each object is seen from the side (lying flat on
//! the belt), barrel along +x, grip down (+y). They are simplified silhouettes, not CAD models.
//!
//! One module per family: [`handguns`] (pistols, revolvers), [`long_guns`] (rifles, shotgun,
//! submachine gun), [`parts`] (fixed parts, and the accessories: magazines, a trigger group),
//! [`part_families`] (parametric receivers, bolts, barrels, light frames), [`silencers`],
//! [`ammunition`]; this module holds the variant tables and [`build`], which dispatches a variant
//! name to its family; [`mix`] draws random threats.
//!
//! Each variant's category is its fine class's in [`armscan_core::taxonomy`]: magazines and the
//! trigger group are `accessory` (not Protocol parts), a silencer is a `part`.

pub mod ammunition;
mod handguns;
mod long_guns;
pub mod mix;
mod part_families;
mod parts;
mod silencers;

use armscan_core::taxonomy::{known_category, Category};

use crate::rng::Rng;
use crate::shapes::Object;

pub use ammunition::{cartridge, shotgun_shell, Calibre};
pub use mix::{
    random_threat, random_threat_except, random_threat_from, random_threat_of, ThreatMix,
};

/// Every threat variant: `(variant, fine class)`.
pub const VARIANTS: &[(&str, &str)] = &[
    ("pistol_polymer_9mm", "pistol"),
    ("pistol_compact_9mm", "pistol"),
    ("pistol_steel_45acp", "pistol"),
    ("pistol_alloy_9mm", "pistol"),
    ("pistol_pocket_22", "pistol"),
    ("revolver_snub_38", "revolver"),
    ("revolver_4in_38", "revolver"),
    ("revolver_6in_38", "revolver"),
    ("rifle_ar15_556", "rifle"),
    ("rifle_ak_762x39", "rifle"),
    ("shotgun_pump_shortened", "shotgun"),
    ("smg_9mm", "submachine_gun"),
    ("barrel_pistol", "barrel"),
    ("barrel_rifle", "barrel"),
    ("slide_pistol", "slide"),
    ("frame_pistol_polymer", "frame_receiver"),
    ("receiver_ar15_lower", "frame_receiver"),
    ("bolt_carrier_ar15", "bolt"),
    ("bolt_rifle", "bolt"),
    ("cylinder_revolver", "cylinder"),
    ("trigger_group_ar15", "trigger_group"),
    ("magazine_pistol", "magazine"),
    ("magazine_rifle", "magazine"),
    ("cartridge", "cartridge"),
    ("shotgun_shell", "shotgun_shell"),
    ("ammunition_box", "ammunition_box"),
    ("ammunition_clip", "ammunition_clip"),
    ("ammunition_belt", "ammunition_belt"),
];

/// Parametric part families: each draw picks an architecture and its dimensions at random, so a
/// model trained on them meets the kind of part (a receiver, a bolt, a barrel) rather than one
/// design. Drawn only when a dataset asks for them ([`crate::SynthOptions::with_part_families`]),
/// so data sets made without them keep their bytes.
pub const PART_FAMILIES: &[(&str, &str)] = &[
    ("receiver_family", "frame_receiver"),
    ("bolt_family", "bolt"),
    ("barrel_family", "barrel"),
];

/// Light frames and receivers (aluminium or polymer, faint beside steel): drawn only in place of a
/// part at the rate a dataset asks for ([`crate::SynthOptions::with_light_frame_fraction`]).
pub const LIGHT_FRAME_FAMILY: (&str, &str) = ("light_frame_family", "frame_receiver");

/// Silencers (fine class `silencer`, a Protocol part): a sealed tube with cone baffles, seen from
/// the side or end-on. Drawn only in place of a part at the rate a dataset asks for
/// ([`crate::SynthOptions::with_silencer_fraction`]), the end-on view in
/// [`SILENCER_END_ON_SHARE`] of the draws.
pub const SILENCERS: &[(&str, &str)] = &[
    ("silencer_side", "silencer"),
    ("silencer_end_on", "silencer"),
];

/// The share of drawn silencers seen end-on (when neither view is held out).
pub const SILENCER_END_ON_SHARE: f32 = 0.25;

/// A threat ready to place.
#[derive(Clone, Debug)]
pub struct Threat {
    pub variant: &'static str,
    pub fine_class: &'static str,
    pub category: Category,
    pub object: Object,
}

/// The `(variant, fine class)` entry of a fixed variant or part family named `name`.
#[must_use]
pub fn find_variant(name: &str) -> Option<(&'static str, &'static str)> {
    VARIANTS
        .iter()
        .chain(PART_FAMILIES)
        .chain(std::iter::once(&LIGHT_FRAME_FAMILY))
        .chain(SILENCERS)
        .find(|(v, _)| *v == name)
        .copied()
}

/// Builds one variant (None for an unknown name).
#[must_use]
pub fn build(variant: &str, rng: &mut Rng) -> Option<Threat> {
    let (name, fine) = find_variant(variant)?;
    let category = known_category(fine)?;
    // Each family builds only its own variants; the others return None without drawing.
    let object = handguns::build(name, rng)
        .or_else(|| long_guns::build(name, rng))
        .or_else(|| parts::build(name, rng))
        .or_else(|| ammunition::build(name, rng))
        .or_else(|| part_families::build(name, rng))
        .or_else(|| silencers::build(name, rng))?;
    Some(Threat {
        variant: name,
        fine_class: fine,
        category,
        object,
    })
}

#[cfg(test)]
mod tests {
    use std::f32::consts::PI;

    use super::*;
    use crate::physics::Material::{Aluminium, Plastic, Steel};
    use crate::shapes::Prim;

    #[test]
    fn every_variant_builds_with_a_known_class_and_sane_size() {
        let mut rng = Rng::new(5);
        for (v, fine) in VARIANTS {
            let t = build(v, &mut rng).unwrap_or_else(|| panic!("{v} does not build"));
            assert_eq!(t.fine_class, *fine);
            assert_eq!(known_category(fine), Some(t.category), "{v}");
            let r = t.object.radius();
            assert!(r > 5.0 && r < 600.0, "{v}: radius {r} mm");
            assert!(!t.object.parts.is_empty());
        }
        let firearms = VARIANTS
            .iter()
            .filter(|(_, f)| known_category(f) == Some(Category::Firearm))
            .count();
        assert_eq!(firearms, 12);
        let accessories: Vec<&str> = VARIANTS
            .iter()
            .filter(|(_, f)| known_category(f) == Some(Category::Accessory))
            .map(|(v, _)| *v)
            .collect();
        assert_eq!(
            accessories,
            ["trigger_group_ar15", "magazine_pistol", "magazine_rifle"]
        );
    }

    #[test]
    fn silencers_are_parts_and_drawn_only_when_asked() {
        let mut rng = Rng::new(17);
        for (v, fine) in SILENCERS {
            let t = build(v, &mut rng).unwrap_or_else(|| panic!("{v} does not build"));
            assert_eq!((t.fine_class, t.category), (*fine, Category::Part), "{v}");
            let r = t.object.radius();
            assert!(r > 12.0 && r < 150.0, "{v}: radius {r} mm");
            assert!(
                !VARIANTS.iter().any(|(x, _)| x == v),
                "{v} in the plain pool"
            );
        }
        let mut plain = Rng::new(3);
        let (mut side, mut end_on) = (0, 0);
        for _ in 0..300 {
            let a = random_threat_from(Category::Part, &[], true, 0.0, 0.0, &mut plain);
            assert!(
                a.fine_class != "silencer",
                "{} drawn without asking",
                a.variant
            );
        }
        let mut with = Rng::new(3);
        for _ in 0..200 {
            let b = random_threat_from(Category::Part, &[], false, 0.0, 1.0, &mut with);
            assert_eq!(b.fine_class, "silencer");
            match b.variant {
                "silencer_side" => side += 1,
                _ => end_on += 1,
            }
            let c = random_threat_from(Category::Firearm, &[], false, 0.0, 1.0, &mut with);
            assert_eq!(c.category, Category::Firearm, "only parts are replaced");
        }
        assert!(
            end_on > 20 && side > 2 * end_on,
            "{side} side, {end_on} end-on"
        );
        // a held-out view is never drawn
        let held = vec!["silencer_end_on".to_owned()];
        for _ in 0..50 {
            let b = random_threat_from(Category::Part, &held, false, 0.0, 1.0, &mut with);
            assert_eq!(b.variant, "silencer_side");
        }
    }

    #[test]
    fn the_part_share_still_draws_magazines_and_trigger_groups() {
        let mut rng = Rng::new(8);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..400 {
            let t = random_threat_from(Category::Part, &[], false, 0.0, 0.0, &mut rng);
            assert!(
                matches!(t.category, Category::Part | Category::Accessory),
                "{}",
                t.variant
            );
            seen.insert(t.fine_class);
        }
        for c in ["magazine", "trigger_group", "slide", "barrel"] {
            assert!(seen.contains(c), "{c} never drawn: {seen:?}");
        }
        let t = random_threat_from(Category::Accessory, &[], false, 0.0, 0.0, &mut rng);
        assert_eq!(t.category, Category::Accessory);
    }

    #[test]
    fn part_families_vary_and_are_drawn_only_when_asked() {
        let mut rng = Rng::new(9);
        for (v, fine) in PART_FAMILIES {
            let mut extents = Vec::new();
            for _ in 0..40 {
                let t = build(v, &mut rng).unwrap_or_else(|| panic!("{v} does not build"));
                assert_eq!(t.fine_class, *fine);
                assert_eq!(t.category, Category::Part, "{v}");
                assert!(!t.object.parts.is_empty(), "{v}: no parts");
                let r = t.object.radius();
                assert!(r > 15.0 && r < 400.0, "{v}: radius {r} mm");
                extents.push(r);
            }
            let (lo, hi) = extents
                .iter()
                .fold((f32::MAX, f32::MIN), |(a, b), &e| (a.min(e), b.max(e)));
            assert!(hi > 1.4 * lo, "{v}: radii {lo}..{hi} mm do not vary");
        }
        let mut plain = Rng::new(3);
        let mut with = Rng::new(3);
        let mut seen_family = false;
        for _ in 0..300 {
            let a = random_threat_from(Category::Part, &[], false, 0.0, 0.0, &mut plain);
            assert!(
                !PART_FAMILIES.iter().any(|(v, _)| *v == a.variant),
                "{} drawn without asking",
                a.variant
            );
            let b = random_threat_from(Category::Part, &[], true, 0.0, 0.0, &mut with);
            seen_family |= PART_FAMILIES.iter().any(|(v, _)| *v == b.variant);
        }
        assert!(seen_family, "no family drawn in 300 parts");
    }

    #[test]
    fn light_frames_vary_and_are_mostly_light_material() {
        let mut rng = Rng::new(21);
        let mut radii = Vec::new();
        let (mut light_area, mut steel_area) = (0.0f32, 0.0f32);
        for _ in 0..60 {
            let t = build(LIGHT_FRAME_FAMILY.0, &mut rng)
                .unwrap_or_else(|| panic!("light frame does not build"));
            assert_eq!(
                (t.fine_class, t.category),
                ("frame_receiver", Category::Part)
            );
            radii.push(t.object.radius());
            for p in &t.object.parts {
                let area = match &p.prim {
                    Prim::Slab { w, h, .. } => w * h,
                    Prim::Poly { pts, .. } => pts.len() as f32 * 100.0,
                    Prim::Disc { rx, ry, .. } => rx * ry * PI,
                    _ => 100.0,
                };
                if p.material == Steel {
                    steel_area += area;
                } else {
                    assert!(
                        matches!(p.material, Aluminium | Plastic),
                        "{:?}",
                        p.material
                    );
                    light_area += area;
                }
            }
        }
        assert!(
            light_area > 8.0 * steel_area,
            "light {light_area} mm², steel {steel_area} mm²"
        );
        let (lo, hi) = radii
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), &e| (a.min(e), b.max(e)));
        assert!(
            lo > 30.0 && hi < 200.0 && hi > 1.4 * lo,
            "radii {lo}..{hi} mm"
        );
        assert!(
            !PART_FAMILIES.contains(&LIGHT_FRAME_FAMILY),
            "drawn only when a dataset asks"
        );
    }

    #[test]
    fn cartridges_have_their_overall_length() {
        use crate::physics::AttenuationMap;
        use crate::shapes::{draw, Placement};
        for cal in Calibre::ALL {
            let mut map = AttenuationMap::new(200, 40);
            let pl = Placement {
                cx: 100.0,
                cy: 20.0,
                angle: 0.0,
                scale: 1.0,
                mirror: false,
                mm_per_px: 0.5,
            };
            draw(&mut map, &cartridge(cal), &pl);
            let cols: Vec<usize> = (0..200)
                .filter(|x| (0..40).any(|y| map.high[y * 200 + x] > 0.0))
                .collect();
            let extent = (cols.last().copied().unwrap_or(0) + 1
                - cols.first().copied().unwrap_or(0)) as f32
                * 0.5;
            assert!(
                (extent - cal.oal()).abs() <= 1.5,
                "{cal:?}: {extent} mm vs {}",
                cal.oal()
            );
        }
    }
}
