//! The staircase converges on the difficulty a simulated trainee detects 70.7 % of the time.
//!
//! The simulated trainee of ability θ (a total difficulty, 0..=12) finds the threat of a trial
//! at total difficulty D with probability p(D) = 0.02 + 0.96 / (1 + exp((D − θ) / 0.7)): a
//! logistic psychometric function with lapse rates of 2 % either way. A 2-down/1-up staircase
//! converges where two hits in a row are as likely as not, p(D*)² = 0.5.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use armscan_trainer::staircase::{Levels, Staircase, MAX_LEVEL};

const SEEDS: [u64; 5] = [1, 2, 3, 0x5eed_cafe, 0xdead_beef_0bad_f00d];
const TRIALS: usize = 600;
const MEASURED: usize = 300;
/// The largest total difficulty.
const MAX_TOTAL: f64 = 3.0 * MAX_LEVEL as f64;

/// The probability that a trainee of ability `theta` finds a threat at total difficulty `d`.
fn p_hit(d: f64, theta: f64) -> f64 {
    0.02 + 0.96 / (1.0 + ((d - theta) / 0.7).exp())
}

/// The convergence point D*, where p(D*) = √0.5, by bisection (p falls with D), clamped to the
/// range of totals.
fn target(theta: f64) -> f64 {
    let goal = 0.5_f64.sqrt();
    let (mut low, mut high) = (theta - 20.0, theta + 20.0);
    assert!(p_hit(low, theta) > goal && p_hit(high, theta) < goal);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if p_hit(mid, theta) > goal {
            low = mid;
        } else {
            high = mid;
        }
    }
    let d_star = 0.5 * (low + high);
    assert!((p_hit(d_star, theta) - goal).abs() < 1e-12);
    d_star.clamp(0.0, MAX_TOTAL)
}

/// splitmix64 (Steele, Lea & Flood 2014): a small, deterministic generator.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

/// Runs `TRIALS` threat trials from all-zero levels; returns the total difficulty of each
/// trial and the staircase at the end.
fn simulate(theta: f64, seed: u64) -> (Vec<u8>, Staircase) {
    let mut rng = SplitMix64(seed);
    let mut staircase = Staircase::new(Levels::default());
    let mut totals = Vec::with_capacity(TRIALS);
    for _ in 0..TRIALS {
        let total = staircase.next_levels().total();
        assert!(f64::from(total) <= MAX_TOTAL);
        totals.push(total);
        let hit = rng.next_f64() < p_hit(f64::from(total), theta);
        staircase.record(hit);
    }
    (totals, staircase)
}

fn mean_of_last(totals: &[u8]) -> f64 {
    let last = &totals[totals.len() - MEASURED..];
    last.iter().map(|&t| f64::from(t)).sum::<f64>() / last.len() as f64
}

#[test]
fn converges_on_the_trainees_level() {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for theta in [2.5, 5.0, 7.5, 10.0] {
        let d_star = target(theta);
        let means: Vec<f64> = SEEDS
            .iter()
            .map(|&seed| mean_of_last(&simulate(theta, seed).0))
            .collect();
        let average = means.iter().sum::<f64>() / means.len() as f64;
        report.push(format!(
            "θ = {theta}: D* = {d_star:.3}, mean over seeds {average:.3}, per seed {means:.2?}"
        ));
        if (average - d_star).abs() > 1.0 {
            failures.push(format!(
                "θ = {theta}: average {average:.3} vs D* {d_star:.3}"
            ));
        }
        for (seed, mean) in SEEDS.iter().zip(&means) {
            if (mean - d_star).abs() > 1.75 {
                failures.push(format!(
                    "θ = {theta}, seed {seed}: mean {mean:.3} vs D* {d_star:.3}"
                ));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The ±1.0 tolerance above would also pass a 1-up/1-down staircase, which converges on
/// p = 0.5, i.e. on θ, only 0.65 above D*: check that the staircase settles nearer the 70.7 %
/// point than the 50 % point. (Measured with the 2-down/1-up rule: 0.13 to 0.14 from D* and
/// 0.77 to 0.79 from θ, averaged over the seeds; with a 1-up/1-down rule, 0.62 to 0.66 from D*
/// and 0.02 or less from θ.)
#[test]
fn converges_on_70_7_percent_not_on_50_percent() {
    for theta in [2.5, 5.0, 7.5, 10.0] {
        let d_star = target(theta);
        let average = SEEDS
            .iter()
            .map(|&seed| mean_of_last(&simulate(theta, seed).0))
            .sum::<f64>()
            / SEEDS.len() as f64;
        assert!(
            (average - d_star).abs() < (average - theta).abs(),
            "θ = {theta}: average {average:.3}, D* {d_star:.3}"
        );
    }
}

#[test]
fn stronger_trainee_ends_higher() {
    for seed in SEEDS {
        let means: Vec<f64> = [2.5, 5.0, 7.5, 10.0]
            .iter()
            .map(|&theta| mean_of_last(&simulate(theta, seed).0))
            .collect();
        for pair in means.windows(2) {
            assert!(pair[1] > pair[0], "seed {seed}: {means:?}");
        }
    }
}

#[test]
fn simulation_counts_trials_and_reversals() {
    let (totals, staircase) = simulate(5.0, SEEDS[0]);
    assert_eq!(staircase.trials() as usize, TRIALS);
    // Consecutive trials differ by at most one level of total difficulty.
    assert!(totals.windows(2).all(|w| w[0].abs_diff(w[1]) <= 1));
    // A staircase hovering around its target reverses often: a few dozen times at least.
    assert!(staircase.reversals() >= 30, "{}", staircase.reversals());
}

#[test]
fn target_is_below_the_ability() {
    // p(θ) = 0.5 < 0.707, so D* lies below θ: by 0.7 · ln((0.96 / (√0.5 − 0.02)) − 1).
    let offset = 0.7 * (0.96 / (0.5_f64.sqrt() - 0.02) - 1.0).ln();
    for theta in [2.5, 5.0, 7.5, 10.0] {
        assert!((target(theta) - (theta + offset)).abs() < 1e-9);
    }
    assert_eq!(target(-5.0), 0.0);
    assert_eq!(target(20.0), MAX_TOTAL);
}
