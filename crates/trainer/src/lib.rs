//! Trainer mode: scoring people, not models. Signal-detection statistics ([`stats`]), the
//! adaptive difficulty staircase ([`staircase`]), and what each trial shows ([`plan`]: threat or
//! clean, category, levels, and the projected trial that `armscan-synth` makes of them).

pub mod plan;
pub mod staircase;
pub mod stats;
