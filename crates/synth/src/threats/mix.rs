//! Drawing threats: the category mix of a dataset and random variants.

use armscan_core::taxonomy::{known_category, Category};

use super::ammunition::{cartridge, Calibre};
use super::{
    build, Threat, LIGHT_FRAME_FAMILY, PART_FAMILIES, SILENCERS, SILENCER_END_ON_SHARE, VARIANTS,
};
use crate::rng::Rng;

/// Relative weights of the three Protocol categories among the threats of a dataset. The part
/// share also draws the accessories (magazines, a trigger group: category `accessory`, labelled
/// as such), as it did before they were told apart, so data sets keep their bytes.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct ThreatMix {
    pub firearm: f32,
    pub part: f32,
    pub ammunition: f32,
}

impl Default for ThreatMix {
    /// Firearms 40 %, parts 30 %, ammunition 30 %.
    fn default() -> Self {
        Self {
            firearm: 0.4,
            part: 0.3,
            ammunition: 0.3,
        }
    }
}

impl ThreatMix {
    #[must_use]
    pub fn new(firearm: f32, part: f32, ammunition: f32) -> Self {
        Self {
            firearm,
            part,
            ammunition,
        }
    }

    /// Parses `firearm=0.5,part=0.3,ammunition=0.2` (weights,
    /// normalised; a category left out gets 0).
    ///
    /// # Errors
    /// A message naming the bad item.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut mix = Self::new(0.0, 0.0, 0.0);
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| format!("`{item}` (expected CATEGORY=WEIGHT)"))?;
            let w: f32 = v
                .trim()
                .parse()
                .map_err(|_| format!("`{item}`: weight is not a number"))?;
            match k.trim().parse::<Category>().ok() {
                Some(Category::Firearm) => mix.firearm = w,
                Some(Category::Part) => mix.part = w,
                Some(Category::Ammunition) => mix.ammunition = w,
                Some(Category::Accessory) => {
                    return Err(format!(
                        "`{item}`: accessories (magazines, trigger groups) are drawn in the part \
                         share; weigh `part`"
                    ))
                }
                None => {
                    return Err(format!(
                        "`{item}`: unknown category (firearm, part, ammunition)"
                    ))
                }
            }
        }
        mix.validate()?;
        Ok(mix)
    }

    /// Weights must be finite, non-negative, and not all zero.
    ///
    /// # Errors
    /// A message with the weights.
    pub fn validate(&self) -> Result<(), String> {
        let w = [self.firearm, self.part, self.ammunition];
        if w.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || w.iter().sum::<f32>() <= 0.0 {
            return Err(format!("threat mix {w:?} (weights >= 0, not all 0)"));
        }
        Ok(())
    }

    /// A category drawn by the weights.
    pub fn draw(&self, rng: &mut Rng) -> Category {
        let total = self.firearm + self.part + self.ammunition;
        let u = rng.f32() * total;
        if u < self.firearm {
            Category::Firearm
        } else if u < self.firearm + self.part || self.ammunition <= 0.0 {
            Category::Part
        } else {
            Category::Ammunition
        }
    }
}

/// A random threat: firearms 40 %, parts 30 %, ammunition 30 %.
#[must_use]
pub fn random_threat(rng: &mut Rng) -> Threat {
    let want = ThreatMix::default().draw(rng);
    random_threat_of(want, rng)
}

/// A random threat of category `want`.
#[must_use]
pub fn random_threat_of(want: Category, rng: &mut Rng) -> Threat {
    random_threat_except(want, &[], rng)
}

/// A random threat of category `want` whose variant is not in `excluded` (shapes held out of a
/// training set). When every variant of `want` is excluded, any variant not excluded is used.
#[must_use]
pub fn random_threat_except(want: Category, excluded: &[String], rng: &mut Rng) -> Threat {
    random_threat_from(want, excluded, false, 0.0, 0.0, rng)
}

/// A random threat of category `want` whose variant is not in `excluded`, drawn from the fixed
/// variants and, when `part_families` holds, from [`PART_FAMILIES`] too. `want` =
/// [`Category::Part`] draws parts and accessories (magazines, a trigger group); such a draw is a
/// [`LIGHT_FRAME_FAMILY`] frame with probability `light_frame_fraction`, else a silencer
/// ([`SILENCERS`]) with probability `silencer_fraction` (one uniform number decides both, and none
/// is drawn when both are 0, so data sets made without them keep their bytes).
#[must_use]
pub fn random_threat_from(
    want: Category,
    excluded: &[String],
    part_families: bool,
    light_frame_fraction: f32,
    silencer_fraction: f32,
    rng: &mut Rng,
) -> Threat {
    let allowed = |v: &str| !excluded.iter().any(|e| e == v);
    if want == Category::Part {
        let light = if allowed(LIGHT_FRAME_FAMILY.0) {
            light_frame_fraction.max(0.0)
        } else {
            0.0
        };
        let silencers: Vec<&str> = SILENCERS
            .iter()
            .map(|(v, _)| *v)
            .filter(|v| allowed(v))
            .collect();
        let silencer = if silencers.is_empty() {
            0.0
        } else {
            silencer_fraction.max(0.0)
        };
        if light + silencer > 0.0 {
            let u = rng.f32();
            let special = if u < light {
                Some(LIGHT_FRAME_FAMILY.0)
            } else if u < light + silencer {
                // the side view unless the end-on one is drawn (or is all that is left)
                match silencers.as_slice() {
                    [one] => Some(*one),
                    [side, end_on, ..] => Some(if rng.chance(SILENCER_END_ON_SHARE) {
                        *end_on
                    } else {
                        *side
                    }),
                    [] => None,
                }
            } else {
                None
            };
            if let Some(t) = special.and_then(|v| build(v, rng)) {
                return t;
            }
        }
    }
    // the part share draws the accessories too
    let drawn_as = |c: Category| {
        if c == Category::Accessory {
            Category::Part
        } else {
            c
        }
    };
    let families: &[(&str, &str)] = if part_families { PART_FAMILIES } else { &[] };
    let mut pool: Vec<&str> = VARIANTS
        .iter()
        .chain(families)
        .filter(|(v, f)| {
            known_category(f).is_some_and(|c| c == want || drawn_as(c) == want) && allowed(v)
        })
        .map(|(v, _)| *v)
        .collect();
    if pool.is_empty() {
        pool = VARIANTS
            .iter()
            .chain(families)
            .filter(|(v, _)| allowed(v))
            .map(|(v, _)| *v)
            .collect();
    }
    let v = rng.pick(&pool).copied().unwrap_or("cartridge");
    build(v, rng).unwrap_or_else(|| Threat {
        variant: "cartridge",
        fine_class: "cartridge",
        category: Category::Ammunition,
        object: cartridge(Calibre::Nine19),
    })
}
