//! Adaptive difficulty: a staircase that keeps each trainee training at the difficulty they
//! detect about 70.7 % of the time.
//!
//! A threat trial's difficulty has three axes ([`Axis`]), each at a level from 0 (easiest) to
//! [`MAX_LEVEL`]: *view*, the threat's rotation out of its easy pose; *superposition*, how much
//! of it other objects cover; *complexity*, the bag's clutter. The total of the three levels
//! (0 to 12) is the trial's difficulty.
//!
//! # The rule
//!
//! One [`Staircase`] per trainee and threat category. It is a 2-down/1-up staircase (Levitt
//! 1971), which converges on the difficulty the trainee detects about 70.7 % of the time
//! (where p² = 0.5: two hits in a row are as likely as not):
//!
//! - Only threat trials move it. Clean trials measure false alarms, not difficulty; the caller
//!   does not pass them to [`Staircase::record`].
//! - After **two hits in a row** at the current levels, one axis goes up one level: the axis the
//!   trainee handles hardest so far that can still go up, i.e. the axis with the **highest**
//!   level below [`MAX_LEVEL`] (ties broken in the order view, superposition, complexity), but
//!   never an axis that would end up more than 2 levels above the lowest axis: the axes stay
//!   within 2 levels of each other. If the first candidate would break that limit, the next
//!   candidate is raised; if no axis can go up, nothing changes. The two hits start a new
//!   streak either way.
//! - After **a miss**, the axis raised most recently (and not yet lowered) goes down one level;
//!   when no raise is left to undo, the axis with the highest level goes down (ties broken in
//!   the reverse order: complexity, superposition, view); when all axes are at 0, nothing
//!   changes. A miss ends the streak of hits.
//! - A **reversal** is counted each time a change goes the other way than the change before it
//!   (up after down, down after up); reversals are for reporting only.
//!
//! Why the hardest axis first: pushing first the axis on which the trainee already copes with
//! the hardest images, as X-Ray Tutor does, moves the trainee into harder images fastest; the
//! limit of 2 levels between axes keeps the difficulty profile balanced, so that every axis
//! gets trained. A miss undoes the last raise first, so that the staircase steps back along
//! the path it came up.
//!
//! Since the lowest axis can always go up (until all are at [`MAX_LEVEL`]) and a miss always
//! lowers some axis (until all are at 0), every step changes the total by exactly one level:
//! on the total, the rule is Levitt's 2-down/1-up staircase with a step of 1.

use serde::{Deserialize, Serialize};

/// The highest level of each difficulty axis; levels run from 0 (easiest) to `MAX_LEVEL`.
pub const MAX_LEVEL: u8 = 4;

/// The most that an axis may be raised above the lowest axis, in levels.
const MAX_SPREAD: u8 = 2;

/// An axis of a threat trial's difficulty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// The threat's rotation out of its easy (canonical, side-on) pose.
    View,
    /// How much of the threat other objects in the bag cover.
    Superposition,
    /// The bag's clutter: how many and how dense the other objects are.
    Complexity,
}

impl Axis {
    /// The three axes, in the order that breaks ties when raising (lowering uses the reverse).
    pub const ALL: [Axis; 3] = [Axis::View, Axis::Superposition, Axis::Complexity];
}

/// Which way a change of difficulty went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// One level harder.
    Up,
    /// One level easier.
    Down,
}

/// The difficulty of a threat trial: a level from 0 (easiest) to [`MAX_LEVEL`] on each axis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Levels {
    /// The view level: the threat's rotation out of its easy pose.
    pub view: u8,
    /// The superposition level: how much of the threat is covered.
    pub superposition: u8,
    /// The complexity level: the bag's clutter.
    pub complexity: u8,
}

impl Levels {
    /// The total difficulty, the sum of the three levels (0 to 3 × [`MAX_LEVEL`] = 12 for
    /// levels in range).
    pub fn total(&self) -> u8 {
        self.view
            .saturating_add(self.superposition)
            .saturating_add(self.complexity)
    }

    /// The level on one axis.
    pub fn get(&self, axis: Axis) -> u8 {
        match axis {
            Axis::View => self.view,
            Axis::Superposition => self.superposition,
            Axis::Complexity => self.complexity,
        }
    }

    /// Sets the level on one axis, clamped to [`MAX_LEVEL`].
    pub fn set(&mut self, axis: Axis, level: u8) {
        let level = level.min(MAX_LEVEL);
        match axis {
            Axis::View => self.view = level,
            Axis::Superposition => self.superposition = level,
            Axis::Complexity => self.complexity = level,
        }
    }

    /// These levels with one axis set (clamped to [`MAX_LEVEL`]).
    #[must_use]
    pub fn with(mut self, axis: Axis, level: u8) -> Self {
        self.set(axis, level);
        self
    }

    /// These levels, each clamped to [`MAX_LEVEL`].
    #[must_use]
    pub fn clamped(self) -> Self {
        Self {
            view: self.view.min(MAX_LEVEL),
            superposition: self.superposition.min(MAX_LEVEL),
            complexity: self.complexity.min(MAX_LEVEL),
        }
    }

    /// The lowest of the three levels.
    fn lowest(&self) -> u8 {
        self.view.min(self.superposition).min(self.complexity)
    }
}

/// The adaptive difficulty of one trainee for one threat category: a 2-down/1-up staircase over
/// the three difficulty axes (the rule is in the [module documentation](self)). Serialisable,
/// so the caller can store it between sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staircase {
    /// The current levels: the difficulty of the next threat trial.
    levels: Levels,
    /// Hits in a row at the current levels (0 or 1 between trials).
    streak: u8,
    /// The raises not yet undone by a miss, the most recent last.
    raised: Vec<Axis>,
    /// The number of changes of direction so far.
    reversals: u32,
    /// The direction of the last change, `None` before the first.
    last_direction: Option<Direction>,
    /// The number of threat trials recorded.
    trials: u32,
}

impl Staircase {
    /// A staircase starting at `start` (each level clamped to [`MAX_LEVEL`]), with no streak,
    /// no raises to undo and no reversals.
    pub fn new(start: Levels) -> Self {
        Self {
            levels: start.clamped(),
            ..Self::default()
        }
    }

    /// The current levels.
    pub fn levels(&self) -> Levels {
        self.levels
    }

    /// The levels of the next threat trial (the current levels).
    pub fn next_levels(&self) -> Levels {
        self.levels
    }

    /// The number of reversals (changes of direction) so far.
    pub fn reversals(&self) -> u32 {
        self.reversals
    }

    /// Hits in a row at the current levels.
    pub fn streak(&self) -> u8 {
        self.streak
    }

    /// The raises not yet undone by a miss, the most recent last.
    pub fn raised(&self) -> &[Axis] {
        &self.raised
    }

    /// The direction of the last change, `None` before the first.
    pub fn last_direction(&self) -> Option<Direction> {
        self.last_direction
    }

    /// The number of threat trials recorded.
    pub fn trials(&self) -> u32 {
        self.trials
    }

    /// Records the outcome of one **threat** trial at [`Staircase::next_levels`] (`hit`: the
    /// trainee found the threat) and moves the staircase by the rule of the
    /// [module documentation](self). Returns the axis that changed and which way, or `None`
    /// when the levels stayed as they were. Clean trials must not be recorded.
    pub fn record(&mut self, hit: bool) -> Option<(Axis, Direction)> {
        self.trials = self.trials.saturating_add(1);
        let change = if hit {
            self.streak = self.streak.saturating_add(1);
            if self.streak < 2 {
                return None;
            }
            self.streak = 0;
            self.raise().map(|axis| (axis, Direction::Up))
        } else {
            self.streak = 0;
            self.lower().map(|axis| (axis, Direction::Down))
        };
        if let Some((_, direction)) = change {
            if self.last_direction.is_some_and(|last| last != direction) {
                self.reversals = self.reversals.saturating_add(1);
            }
            self.last_direction = Some(direction);
        }
        change
    }

    /// Raises the axis the rule picks, if any, and remembers it.
    fn raise(&mut self) -> Option<Axis> {
        let mut best: Option<(Axis, u8)> = None;
        for axis in Axis::ALL {
            let level = self.levels.get(axis);
            if level >= MAX_LEVEL {
                continue;
            }
            let raised = self.levels.with(axis, level + 1);
            if raised.get(axis) > raised.lowest().saturating_add(MAX_SPREAD) {
                continue;
            }
            // Strictly higher: ties keep the earlier axis.
            if best.is_none_or(|(_, best_level)| level > best_level) {
                best = Some((axis, level));
            }
        }
        let (axis, level) = best?;
        self.levels.set(axis, level + 1);
        self.raised.push(axis);
        Some(axis)
    }

    /// Lowers the axis the rule picks, if any.
    fn lower(&mut self) -> Option<Axis> {
        // The most recent raise still standing (a stored staircase could hold stale ones).
        while let Some(axis) = self.raised.pop() {
            let level = self.levels.get(axis);
            if level > 0 {
                self.levels.set(axis, level - 1);
                return Some(axis);
            }
        }
        let mut best: Option<(Axis, u8)> = None;
        for axis in Axis::ALL.into_iter().rev() {
            let level = self.levels.get(axis);
            if level > 0 && best.is_none_or(|(_, best_level)| level > best_level) {
                best = Some((axis, level));
            }
        }
        let (axis, level) = best?;
        self.levels.set(axis, level - 1);
        Some(axis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(view: u8, superposition: u8, complexity: u8) -> Levels {
        Levels {
            view,
            superposition,
            complexity,
        }
    }

    #[test]
    fn levels_accessors() {
        let mut l = levels(1, 2, 3);
        assert_eq!(l.total(), 6);
        assert_eq!(l.get(Axis::View), 1);
        assert_eq!(l.get(Axis::Superposition), 2);
        assert_eq!(l.get(Axis::Complexity), 3);
        l.set(Axis::View, 4);
        assert_eq!(l, levels(4, 2, 3));
        assert_eq!(l.with(Axis::Complexity, 0), levels(4, 2, 0));
        assert_eq!(l.with(Axis::Superposition, 9), levels(4, 4, 3));
        assert_eq!(levels(4, 4, 4).total(), 12);
    }

    #[test]
    fn new_clamps_the_start() {
        let staircase = Staircase::new(levels(9, 4, 200));
        assert_eq!(staircase.levels(), levels(4, 4, 4));
        assert_eq!(staircase.next_levels(), staircase.levels());
        assert_eq!(staircase.reversals(), 0);
        assert_eq!(staircase.trials(), 0);
        assert!(staircase.raised().is_empty());
    }

    #[test]
    fn two_hits_in_a_row_raise() {
        let mut staircase = Staircase::new(Levels::default());
        assert_eq!(staircase.record(true), None);
        assert_eq!(staircase.streak(), 1);
        assert_eq!(staircase.record(true), Some((Axis::View, Direction::Up)));
        assert_eq!(staircase.levels(), levels(1, 0, 0));
        assert_eq!(staircase.streak(), 0);
        assert_eq!(staircase.raised(), &[Axis::View]);
        // The streak starts over: one more hit does not raise.
        assert_eq!(staircase.record(true), None);
        assert_eq!(staircase.levels(), levels(1, 0, 0));
        assert_eq!(staircase.trials(), 3);
    }

    #[test]
    fn a_hit_after_a_miss_does_not_raise() {
        let mut staircase = Staircase::new(levels(1, 1, 1));
        assert_eq!(staircase.record(true), None);
        staircase.record(false);
        assert_eq!(staircase.levels().total(), 2);
        assert_eq!(staircase.record(true), None);
        assert_eq!(staircase.levels().total(), 2);
        assert!(staircase.record(true).is_some());
        assert_eq!(staircase.levels().total(), 3);
    }

    #[test]
    fn raises_the_highest_axis_within_the_balance_limit() {
        let mut staircase = Staircase::new(Levels::default());
        let mut raised = Vec::new();
        for _ in 0..12 {
            staircase.record(true);
            let change = staircase.record(true);
            raised.push((change, staircase.levels()));
        }
        let up = |axis| Some((axis, Direction::Up));
        let expected = [
            (up(Axis::View), levels(1, 0, 0)),
            (up(Axis::View), levels(2, 0, 0)),
            // View would be 3 above complexity: the next candidate, ties in order.
            (up(Axis::Superposition), levels(2, 1, 0)),
            (up(Axis::Superposition), levels(2, 2, 0)),
            (up(Axis::Complexity), levels(2, 2, 1)),
            (up(Axis::View), levels(3, 2, 1)),
            (up(Axis::Superposition), levels(3, 3, 1)),
            (up(Axis::Complexity), levels(3, 3, 2)),
            (up(Axis::View), levels(4, 3, 2)),
            (up(Axis::Superposition), levels(4, 4, 2)),
            (up(Axis::Complexity), levels(4, 4, 3)),
            (up(Axis::Complexity), levels(4, 4, 4)),
        ];
        assert_eq!(raised, expected);
        // At the top nothing changes, and nothing is remembered as raised.
        staircase.record(true);
        assert_eq!(staircase.record(true), None);
        assert_eq!(staircase.levels(), levels(4, 4, 4));
        assert_eq!(staircase.raised().len(), 12);
    }

    #[test]
    fn axes_stay_within_two_levels() {
        let mut staircase = Staircase::new(Levels::default());
        for _ in 0..30 {
            staircase.record(true);
            staircase.record(true);
            let l = staircase.levels();
            let (high, low) = (l.view.max(l.superposition).max(l.complexity), l.lowest());
            assert!(high - low <= 2, "{l:?}");
        }
    }

    #[test]
    fn highest_axis_is_raised_first() {
        let mut staircase = Staircase::new(levels(2, 3, 2));
        staircase.record(true);
        assert_eq!(
            staircase.record(true),
            Some((Axis::Superposition, Direction::Up))
        );
        assert_eq!(staircase.levels(), levels(2, 4, 2));
        // Superposition is at the top: the next highest, view and complexity tied, view first.
        staircase.record(true);
        assert_eq!(staircase.record(true), Some((Axis::View, Direction::Up)));
        staircase.record(true);
        assert_eq!(staircase.record(true), Some((Axis::View, Direction::Up)));
        assert_eq!(staircase.levels(), levels(4, 4, 2));
        // Superposition is highest but would be 3 above view: complexity instead.
        let mut limited = Staircase::new(levels(0, 2, 1));
        limited.record(true);
        assert_eq!(
            limited.record(true),
            Some((Axis::Complexity, Direction::Up))
        );
        assert_eq!(limited.levels(), levels(0, 2, 2));
        // Then neither may go up: view, though lowest.
        limited.record(true);
        assert_eq!(limited.record(true), Some((Axis::View, Direction::Up)));
    }

    #[test]
    fn a_miss_lowers_the_last_raised_axis() {
        let mut staircase = Staircase::new(Levels::default());
        for _ in 0..3 {
            staircase.record(true);
            staircase.record(true);
        }
        assert_eq!(staircase.levels(), levels(2, 1, 0));
        assert_eq!(
            staircase.record(false),
            Some((Axis::Superposition, Direction::Down))
        );
        assert_eq!(staircase.levels(), levels(2, 0, 0));
        assert_eq!(staircase.record(false), Some((Axis::View, Direction::Down)));
        assert_eq!(staircase.record(false), Some((Axis::View, Direction::Down)));
        assert_eq!(staircase.levels(), levels(0, 0, 0));
        assert!(staircase.raised().is_empty());
        assert_eq!(staircase.record(false), None);
        assert_eq!(staircase.levels(), levels(0, 0, 0));
    }

    #[test]
    fn without_raises_a_miss_lowers_the_highest_axis() {
        let mut staircase = Staircase::new(levels(2, 2, 1));
        assert_eq!(
            staircase.record(false),
            Some((Axis::Superposition, Direction::Down))
        );
        assert_eq!(staircase.levels(), levels(2, 1, 1));
        assert_eq!(staircase.record(false), Some((Axis::View, Direction::Down)));
        // All tied: complexity first.
        assert_eq!(
            staircase.record(false),
            Some((Axis::Complexity, Direction::Down))
        );
        assert_eq!(staircase.levels(), levels(1, 1, 0));
    }

    #[test]
    fn a_miss_ends_the_streak() {
        let mut staircase = Staircase::new(levels(2, 2, 2));
        staircase.record(true);
        assert_eq!(staircase.streak(), 1);
        staircase.record(false);
        assert_eq!(staircase.streak(), 0);
        // At all zero too.
        let mut bottom = Staircase::new(Levels::default());
        bottom.record(true);
        assert_eq!(bottom.record(false), None);
        assert_eq!(bottom.streak(), 0);
        assert_eq!(bottom.record(true), None);
    }

    #[test]
    fn reversals_are_counted() {
        let mut staircase = Staircase::new(levels(2, 2, 2));
        assert_eq!(staircase.last_direction(), None);
        staircase.record(false); // down (first change, no reversal)
        staircase.record(false); // down
        assert_eq!(staircase.reversals(), 0);
        staircase.record(true);
        staircase.record(true); // up: reversal 1
        assert_eq!(staircase.reversals(), 1);
        staircase.record(true);
        staircase.record(true); // up
        assert_eq!(staircase.reversals(), 1);
        staircase.record(false); // down: reversal 2
        assert_eq!(staircase.reversals(), 2);
        assert_eq!(staircase.last_direction(), Some(Direction::Down));
        // A miss that changes nothing is no reversal.
        let mut bottom = Staircase::new(Levels::default());
        bottom.record(true);
        bottom.record(true); // up
        bottom.record(false); // down: reversal
        bottom.record(false); // nothing
        bottom.record(true);
        bottom.record(true); // up: reversal
        assert_eq!(bottom.reversals(), 2);
    }

    #[test]
    fn only_threat_trials_are_recorded() {
        // The caller passes threat trials only: a session of clean trials interleaved with
        // threat trials leaves the staircase where the threat trials alone put it.
        let session = [
            (true, true),
            (false, false),
            (true, true),
            (false, true),
            (true, false),
        ];
        let mut staircase = Staircase::new(Levels::default());
        for (threat_present, hit) in session {
            if threat_present {
                staircase.record(hit);
            }
        }
        assert_eq!(staircase.trials(), 3);
        assert_eq!(staircase.levels(), Levels::default());
        assert_eq!(staircase.reversals(), 1);
    }

    #[test]
    fn stale_raises_from_storage_are_skipped() {
        let json = r#"{"levels":{"view":0,"superposition":1,"complexity":0},"streak":0,
            "raised":["superposition","view"],"reversals":0,"last_direction":"up","trials":4}"#;
        let mut staircase: Staircase = serde_json::from_str(json).unwrap_or_default();
        assert_eq!(staircase.trials(), 4);
        assert_eq!(
            staircase.record(false),
            Some((Axis::Superposition, Direction::Down))
        );
        assert_eq!(staircase.reversals(), 1);
    }

    #[test]
    fn round_trips_through_json() {
        let mut staircase = Staircase::new(levels(1, 0, 2));
        staircase.record(true);
        staircase.record(true);
        staircase.record(true);
        let json = serde_json::to_string(&staircase).unwrap_or_default();
        let back: Staircase = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, staircase);
        assert_eq!(back.streak(), 1);
    }
}
