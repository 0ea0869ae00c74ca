//! What the next trial is: threat or clean, which category, at which difficulty levels, and the
//! synthetic trial ([`armscan_synth::trial`]) that shows it.
//!
//! Levels map onto the projection's physical parameters ([`pose_for`], [`clutter_for`]):
//!
//! | level | view: out of plane, in-plane range | superposition: cover | complexity: clutter |
//! |---|---|---|---|
//! | 0 | 0°, ±10° | 0.00 | 0.10 |
//! | 1 | 20°, ±30° | 0.15 | 0.30 |
//! | 2 | 40°, ±60° | 0.30 | 0.50 |
//! | 3 | 55°, ±120° | 0.50 | 0.70 |
//! | 4 | 70°, any | 0.70 | 0.95 |
//!
//! A session of `n` trials has exactly `round(threat_share · n)` threat trials, at places
//! shuffled per session; each threat trial's category is drawn uniformly from the course's.
//!
//! A course can draw on a [`Library`] of real material: with `replay_share` a trial replays a
//! labelled real scan as it is (a threat scan on a threat trial, a clean one on a clean trial;
//! its difficulty is what it is, so replays do not move the staircase); with
//! `real_threat_share` a threat trial projects a real threat crop of the drawn category instead
//! of a synthetic threat; with `real_bag_share` the bag is a real clean bag.
//! Everything is deterministic in the course seed, the session's seed and the trial's index, so
//! a trial can be made again from what the database holds.

use armscan_core::Category;
use armscan_synth::rng::Rng;
use armscan_synth::trial::{TrialBag, TrialPose, TrialRequest, TrialThreat};
use serde::{Deserialize, Serialize};

use crate::staircase::{Levels, MAX_LEVEL};

/// View levels: (out of plane, in-plane range either way), degrees.
pub const VIEW_LEVELS: [(f32, f32); 5] = [
    (0.0, 10.0),
    (20.0, 30.0),
    (40.0, 60.0),
    (55.0, 120.0),
    (70.0, 180.0),
];
/// Superposition levels: the share of the threat's footprint wanted over dense background.
pub const COVER_LEVELS: [f32; 5] = [0.0, 0.15, 0.3, 0.5, 0.7];
/// Complexity levels: the synthetic bag's clutter.
pub const CLUTTER_LEVELS: [f32; 5] = [0.1, 0.3, 0.5, 0.7, 0.95];

fn level(l: u8) -> usize {
    usize::from(l.min(MAX_LEVEL))
}

/// The projection's view and cover for `levels`.
#[must_use]
pub fn pose_for(levels: &Levels) -> TrialPose {
    let (out_of_plane_deg, in_plane_max_deg) = VIEW_LEVELS[level(levels.view)];
    TrialPose {
        out_of_plane_deg,
        in_plane_max_deg,
        target_cover: COVER_LEVELS[level(levels.superposition)],
    }
}

/// The bag clutter of complexity level `l`.
#[must_use]
pub fn clutter_for(l: u8) -> f32 {
    CLUTTER_LEVELS[level(l)]
}

/// A course: what its sessions are made of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CourseSpec {
    /// Share of threat trials in a session, 0 to 1.
    pub threat_share: f32,
    /// The threat categories trained (the Protocol's three by default).
    pub categories: Vec<Category>,
    pub trials_per_session: u32,
    /// Trial image size, pixels, and spacing, mm/px.
    pub width: u32,
    pub height: u32,
    pub pixel_spacing_mm: f32,
    /// The course's seed: with a session's seed it fixes every trial.
    pub seed: u64,
    /// Share of trials replaying a labelled real scan from the library (0 to 1).
    #[serde(default)]
    pub replay_share: f32,
    /// Share of threat trials projecting a real threat crop, when the library has one of the
    /// drawn category (0 to 1).
    #[serde(default)]
    pub real_threat_share: f32,
    /// Share of projected trials made on a real clean bag, when the library has one (0 to 1).
    #[serde(default)]
    pub real_bag_share: f32,
}

impl Default for CourseSpec {
    /// Half threat trials, the Protocol's three categories, 20 trials of 1024x768 at 1 mm/px.
    fn default() -> Self {
        Self {
            threat_share: 0.5,
            categories: Category::PROTOCOL.to_vec(),
            trials_per_session: 20,
            width: 1024,
            height: 768,
            pixel_spacing_mm: 1.0,
            seed: 1,
            replay_share: 0.0,
            real_threat_share: 0.0,
            real_bag_share: 0.0,
        }
    }
}

impl CourseSpec {
    #[must_use]
    pub fn with_threat_share(mut self, share: f32) -> Self {
        self.threat_share = share;
        self
    }

    #[must_use]
    pub fn with_categories(mut self, categories: Vec<Category>) -> Self {
        self.categories = categories;
        self
    }

    #[must_use]
    pub fn with_trials_per_session(mut self, n: u32) -> Self {
        self.trials_per_session = n;
        self
    }

    #[must_use]
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The shares of replayed real scans, real threat crops and real bags.
    #[must_use]
    pub fn with_real_shares(mut self, replay: f32, real_threat: f32, real_bag: f32) -> Self {
        self.replay_share = replay;
        self.real_threat_share = real_threat;
        self.real_bag_share = real_bag;
        self
    }

    /// Checks the numbers.
    ///
    /// # Errors
    /// A message naming the field at fault.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("threat_share", self.threat_share),
            ("replay_share", self.replay_share),
            ("real_threat_share", self.real_threat_share),
            ("real_bag_share", self.real_bag_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name}: {v} (0 to 1)"));
            }
        }
        if self.categories.is_empty() || self.categories.iter().any(|c| !c.is_protocol()) {
            return Err("categories: one or more of firearm, part, ammunition".into());
        }
        if !(1..=500).contains(&self.trials_per_session) {
            return Err(format!(
                "trials_per_session: {} (1 to 500)",
                self.trials_per_session
            ));
        }
        if !(256..=4096).contains(&self.width) || !(256..=4096).contains(&self.height) {
            return Err(format!(
                "size: {}x{} (256 to 4096 each)",
                self.width, self.height
            ));
        }
        if !(self.pixel_spacing_mm > 0.2 && self.pixel_spacing_mm <= 5.0) {
            return Err(format!(
                "pixel_spacing_mm: {} (0.2 to 5)",
                self.pixel_spacing_mm
            ));
        }
        Ok(())
    }

    /// Which trials of a session with `session_seed` show a threat: exactly
    /// `round(threat_share · n)` of them, shuffled.
    #[must_use]
    pub fn threat_positions(&self, session_seed: u64) -> Vec<bool> {
        let n = self.trials_per_session as usize;
        let k = ((self.threat_share * n as f32).round() as usize).min(n);
        let mut v: Vec<bool> = (0..n).map(|i| i < k).collect();
        let mut rng = Rng::for_scene(self.seed ^ 0x7EA1_0000, session_seed);
        for i in (1..n).rev() {
            let j = rng.below(i + 1);
            v.swap(i, j);
        }
        v
    }
}

/// What real material a course can draw on: the category of each real threat crop, the number
/// of real clean bags, and for each labelled real scan its threat's category (`None`: clean).
/// Indices are the library's own (`armscan_synth::sources::TipSources` and the replay list).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Library {
    pub real_threats: Vec<Category>,
    pub real_bags: usize,
    pub replays: Vec<Option<Category>>,
}

/// Where a trial's image comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum TrialSource {
    /// Made by projection ([`armscan_synth::trial::render_trial`]).
    Projected(TrialRequest),
    /// The labelled real scan `replays[i]` of the library, shown as it is.
    Replay(usize),
}

/// One trial as planned: what it shows and how it is made.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedTrial {
    /// The threat's category, `None` for a clean trial.
    pub category: Option<Category>,
    /// The difficulty it was made at (a clean trial: the bag's complexity only counts; a replay:
    /// not set by the planner).
    pub levels: Levels,
    pub source: TrialSource,
}

impl PlannedTrial {
    /// Whether the trial is a replay (replays do not move the staircase).
    #[must_use]
    pub fn is_replay(&self) -> bool {
        matches!(self.source, TrialSource::Replay(_))
    }
}

fn indices_where<T>(items: &[T], keep: impl Fn(&T) -> bool) -> Vec<usize> {
    items
        .iter()
        .enumerate()
        .filter(|(_, t)| keep(t))
        .map(|(i, _)| i)
        .collect()
}

/// Plans trial `index` of a session: threat or clean by [`CourseSpec::threat_positions`], the
/// category drawn, a replay of a matching labelled scan with `replay_share`, otherwise a
/// projection at the levels `levels_for(category)` gives (a trainee's staircase, or an exam's
/// fixed levels) with a real crop (`real_threat_share`) or bag (`real_bag_share`) where the
/// library has one. A clean trial takes its bag complexity from `levels_for` of a drawn
/// category, so clean and threat bags look alike. Deterministic in the course, the library,
/// the session's seed and the index.
#[must_use]
pub fn plan_trial(
    course: &CourseSpec,
    library: &Library,
    session_seed: u64,
    index: u32,
    levels_for: impl Fn(Category) -> Levels,
) -> PlannedTrial {
    let threat = course
        .threat_positions(session_seed)
        .get(index as usize)
        .copied()
        .unwrap_or(false);
    let mut rng = Rng::for_scene(course.seed ^ session_seed.rotate_left(17), u64::from(index));
    let category = *rng.pick(&course.categories).unwrap_or(&Category::Firearm);
    let levels = levels_for(category);
    let seed = rng.next_u64();
    // Replays: a labelled scan of the right kind (a threat of a course category, or clean).
    if rng.chance(course.replay_share) {
        let matching = indices_where(&library.replays, |c| match c {
            Some(c) => threat && course.categories.contains(c),
            None => !threat,
        });
        if let Some(&i) = rng.pick(&matching) {
            return PlannedTrial {
                category: library.replays[i],
                levels,
                source: TrialSource::Replay(i),
            };
        }
    }
    let real_crops = indices_where(&library.real_threats, |c| *c == category);
    let threat_source = if rng.chance(course.real_threat_share) && !real_crops.is_empty() {
        rng.pick(&real_crops)
            .map_or(TrialThreat::Category(category), |&i| TrialThreat::Real(i))
    } else {
        TrialThreat::Category(category)
    };
    let bag = if library.real_bags > 0 && rng.chance(course.real_bag_share) {
        TrialBag::Real(rng.below(library.real_bags))
    } else {
        TrialBag::Synthetic {
            clutter: clutter_for(levels.complexity),
        }
    };
    let request = TrialRequest {
        width: course.width,
        height: course.height,
        pixel_spacing_mm: course.pixel_spacing_mm,
        bag,
        threat: threat.then(|| (threat_source, pose_for(&levels))),
        seed,
    };
    PlannedTrial {
        category: threat.then_some(category),
        levels,
        source: TrialSource::Projected(request),
    }
}

/// An exam's fixed levels for trial `index`: each axis drawn uniformly from 0 to `MAX_LEVEL`
/// from the exam set's seed, the same for every trainee.
#[must_use]
pub fn exam_levels(set_seed: u64, index: u32) -> Levels {
    let mut rng = Rng::for_scene(set_seed ^ 0xE7A3, u64::from(index));
    let mut draw = || rng.below(usize::from(MAX_LEVEL) + 1) as u8;
    Levels {
        view: draw(),
        superposition: draw(),
        complexity: draw(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_has_exactly_its_share_of_threats() {
        let c = CourseSpec::default()
            .with_trials_per_session(20)
            .with_threat_share(0.3);
        let p = c.threat_positions(5);
        assert_eq!(p.iter().filter(|t| **t).count(), 6);
        assert_ne!(p, c.threat_positions(6), "shuffled per session");
        assert_eq!(p, c.threat_positions(5));
    }

    #[test]
    fn plans_are_deterministic_and_follow_the_levels() {
        let c = CourseSpec::default().with_threat_share(1.0);
        let lv = Levels {
            view: 3,
            superposition: 1,
            complexity: 4,
        };
        let lib = Library::default();
        let a = plan_trial(&c, &lib, 9, 4, |_| lv);
        assert_eq!(a, plan_trial(&c, &lib, 9, 4, |_| lv));
        assert!(a.category.is_some());
        let TrialSource::Projected(req) = &a.source else {
            panic!("a projection without a library")
        };
        let (_, pose) = req.threat.clone().unwrap();
        assert_eq!(pose.out_of_plane_deg, 55.0);
        assert_eq!(pose.target_cover, 0.15);
        assert_eq!(req.bag, TrialBag::Synthetic { clutter: 0.95 });
        let clean = plan_trial(&c.clone().with_threat_share(0.0), &lib, 9, 4, |_| lv);
        let TrialSource::Projected(req) = &clean.source else {
            panic!("a projection")
        };
        assert!(clean.category.is_none() && req.threat.is_none());
    }

    #[test]
    fn the_library_is_drawn_on_by_its_shares() {
        let lib = Library {
            real_threats: vec![Category::Firearm, Category::Ammunition],
            real_bags: 3,
            replays: vec![Some(Category::Firearm), None, Some(Category::Part)],
        };
        let all_real = CourseSpec::default()
            .with_trials_per_session(40)
            .with_real_shares(1.0, 1.0, 1.0);
        let mut seen_threat_replay = false;
        for i in 0..40 {
            let p = plan_trial(&all_real, &lib, 3, i, |_| Levels::default());
            match &p.source {
                TrialSource::Replay(r) => {
                    // a replay matches the trial's kind: threat scans on threat trials
                    assert_eq!(p.category, lib.replays[*r]);
                    seen_threat_replay |= p.category.is_some();
                }
                TrialSource::Projected(_) => panic!("every trial has a matching replay here"),
            }
        }
        assert!(seen_threat_replay);
        // No replays: real crops of the drawn category, and real bags.
        let projected = all_real.clone().with_real_shares(0.0, 1.0, 1.0);
        for i in 0..40 {
            let p = plan_trial(&projected, &lib, 3, i, |_| Levels::default());
            let TrialSource::Projected(req) = &p.source else {
                panic!("no replays asked")
            };
            assert!(matches!(req.bag, TrialBag::Real(b) if b < 3));
            if let Some((t, _)) = &req.threat {
                match (p.category.unwrap(), t) {
                    (Category::Firearm, TrialThreat::Real(0))
                    | (Category::Ammunition, TrialThreat::Real(1))
                    | (Category::Part, TrialThreat::Category(Category::Part)) => {}
                    other => panic!("{other:?}"),
                }
            }
        }
        assert!(CourseSpec::default()
            .with_real_shares(1.5, 0.0, 0.0)
            .validate()
            .unwrap_err()
            .starts_with("replay_share"));
    }

    #[test]
    fn bad_courses_are_refused() {
        assert!(CourseSpec::default().validate().is_ok());
        assert!(CourseSpec::default()
            .with_threat_share(1.5)
            .validate()
            .unwrap_err()
            .starts_with("threat_share"));
        assert!(CourseSpec::default()
            .with_categories(vec![Category::Accessory])
            .validate()
            .is_err());
        assert!(CourseSpec::default()
            .with_trials_per_session(0)
            .validate()
            .is_err());
    }

    #[test]
    fn exam_levels_are_fixed_by_the_set() {
        let a: Vec<Levels> = (0..10).map(|i| exam_levels(3, i)).collect();
        let b: Vec<Levels> = (0..10).map(|i| exam_levels(3, i)).collect();
        assert_eq!(a, b);
        assert!(a
            .iter()
            .all(|l| l.view <= MAX_LEVEL && l.complexity <= MAX_LEVEL));
        assert_ne!(a, (0..10).map(|i| exam_levels(4, i)).collect::<Vec<_>>());
    }
}
