//! Signal-detection statistics of a trainee: hits, misses, false alarms and correct rejections,
//! the hit and false-alarm rates, sensitivity d' and criterion c.
//!
//! A *signal* trial is a bag with a threat in it, a *noise* trial a clean bag. On a signal trial
//! the trainee either finds the threat (a [`Outcome::Hit`]: answered "threat" *and* marked it)
//! or not ([`Outcome::Miss`]); on a noise trial the trainee either raises a false alarm
//! ([`Outcome::FalseAlarm`]) or clears the bag ([`Outcome::CorrectRejection`]).
//!
//! d' = z(H) − z(F) measures how well the trainee tells threats from clean bags, independent of
//! how readily they answer "threat"; c = −(z(H) + z(F)) / 2 measures that readiness (positive:
//! conservative, answers "threat" rarely; negative: liberal). z is the standard normal quantile
//! ([`inverse_normal_cdf`]), H and F the hit and false-alarm rates after the 1/(2N) correction
//! ([`SdtCounts::corrected_rates`]).

use serde::{Deserialize, Serialize};

/// The standard normal quantile (the probit): the `x` with Φ(x) = `p`, for a probability `p`
/// strictly between 0 and 1. `None` for `p` ≤ 0, `p` ≥ 1 and NaN.
///
/// Source: M. J. Wichura (1988), "Algorithm AS 241: The Percentage Points of the Normal
/// Distribution", *Applied Statistics* 37 (3), 477–484, doi:10.2307/2347330 — the function
/// PPND16, three rational approximations (central |p − 0.5| ≤ 0.425, intermediate and far
/// tails) with a relative accuracy of about 1e-16.
pub fn inverse_normal_cdf(p: f64) -> Option<f64> {
    // `!(0 < p < 1)` is also true for NaN.
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return Some(q * polynomial(&PPND16_A, r) / polynomial(&PPND16_B, r));
    }
    // The smaller tail probability; `1.0 - p` is exact here (p > 0.925, Sterbenz).
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let magnitude = if r <= 5.0 {
        let r = r - 1.6;
        polynomial(&PPND16_C, r) / polynomial(&PPND16_D, r)
    } else {
        let r = r - 5.0;
        polynomial(&PPND16_E, r) / polynomial(&PPND16_F, r)
    };
    Some(if q < 0.0 { -magnitude } else { magnitude })
}

/// Evaluates `c[0] + c[1]·x + … + c[n]·x^n` by Horner's rule (coefficients lowest order first).
fn polynomial(coefficients: &[f64], x: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, &c| acc * x + c)
}

// AS 241 coefficients, lowest order first, with all the digits printed in Wichura (1988), so
// that they can be checked against the paper digit by digit (hence the allowed excessive
// precision: the compiler rounds them to the nearest f64).
#[allow(clippy::excessive_precision)]
const PPND16_A: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
#[allow(clippy::excessive_precision)]
const PPND16_B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];
#[allow(clippy::excessive_precision)]
const PPND16_C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];
#[allow(clippy::excessive_precision)]
const PPND16_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
#[allow(clippy::excessive_precision)]
const PPND16_E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
#[allow(clippy::excessive_precision)]
const PPND16_F: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// The standard normal distribution function Φ(x) = P(Z ≤ x), for `x` in standard deviations.
/// NaN for NaN.
///
/// Computed as Φ(x) = erfc(−x/√2) / 2 with erfc from its power series below |z| = 2 and from
/// its Laplace continued fraction (evaluated by the modified Lentz method) above, where e^(−z²)
/// is formed as e^(−s²)·e^(−(z−s)(z+s)) with `s` = z rounded down to 1/16 (W. J. Cody's trick
/// against the rounding error of z²). Absolute error about 1e-16; relative error about 1e-14
/// in the lower tail, down to where Φ underflows (x ≈ −38.5).
pub fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// The complementary error function, see [`normal_cdf`].
fn erfc(z: f64) -> f64 {
    if z < 0.0 {
        return 2.0 - erfc(-z);
    }
    if z < 2.0 {
        return 1.0 - erf_series(z);
    }
    if z > 27.3 {
        // erfc(27.3) < 1e-325: below the smallest subnormal.
        return 0.0;
    }
    let s = (z * 16.0).floor() / 16.0;
    let gaussian = (-s * s).exp() * (-(z - s) * (z + s)).exp();
    gaussian * erfc_continued_fraction(z) / std::f64::consts::PI.sqrt()
}

/// erf(z) for 0 ≤ z < 2: erf(z) = 2/√π · e^(−z²) · Σₙ 2ⁿ z^(2n+1) / (1·3·…·(2n+1)), a series of
/// positive terms (no cancellation).
fn erf_series(z: f64) -> f64 {
    let z2 = z * z;
    let mut term = z;
    let mut sum = z;
    let mut n = 0.0_f64;
    // At z = 2 the terms fall below 1e-17 of the sum after about 60 terms.
    while n < 200.0 {
        n += 1.0;
        term *= 2.0 * z2 / (2.0 * n + 1.0);
        sum += term;
        if term <= sum * 1e-17 {
            break;
        }
    }
    std::f64::consts::FRAC_2_SQRT_PI * (-z2).exp() * sum
}

/// The continued fraction 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))) = √π·e^(z²)·erfc(z), for
/// z ≥ 2, by the modified Lentz method.
fn erfc_continued_fraction(z: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut f = z;
    let mut c = z;
    let mut d = 0.0;
    let mut k = 0.0_f64;
    while k < 500.0 {
        k += 1.0;
        let a = k * 0.5;
        d = z + a * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = z + a / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    1.0 / f
}

/// What a trainee's answer to one trial was, in signal-detection terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A threat was present, the trainee answered "threat" and marked it.
    Hit,
    /// A threat was present and the trainee did not find it: answered "no threat", or gave no
    /// mark, or marked somewhere else.
    Miss,
    /// The bag was clean and the trainee answered "threat".
    FalseAlarm,
    /// The bag was clean and the trainee answered "no threat".
    CorrectRejection,
}

/// Classifies one trial.
///
/// - `threat_present`: whether the bag held a threat (a signal trial);
/// - `answered_threat`: whether the trainee answered "threat";
/// - `mark`: where the trainee marked the threat, `[x, y]` in image pixels;
/// - `threat_box`: where the threat is, `[x_min, y_min, x_max, y_max]` in image pixels;
/// - `margin_px`: how far, in image pixels, a mark may lie outside the box on each side and
///   still count as on the threat (the box grown by `margin_px`, edges included).
///
/// Localisation counts: on a signal trial a "threat" answer is a [`Outcome::Hit`] only when the
/// mark falls on the threat; an answer with no mark or a mark off the threat is a
/// [`Outcome::Miss`], as is a "no threat" answer. When the threat's box is unknown
/// (`threat_box` is `None`), a "threat" answer is a hit whatever the mark. A NaN coordinate is
/// off the threat. On a clean bag the mark is ignored: a "threat" answer is a
/// [`Outcome::FalseAlarm`], a "no threat" answer a [`Outcome::CorrectRejection`].
pub fn classify(
    threat_present: bool,
    answered_threat: bool,
    mark: Option<[f32; 2]>,
    threat_box: Option<[f32; 4]>,
    margin_px: f32,
) -> Outcome {
    match (threat_present, answered_threat) {
        (false, true) => Outcome::FalseAlarm,
        (false, false) => Outcome::CorrectRejection,
        (true, false) => Outcome::Miss,
        (true, true) => {
            let Some([x_min, y_min, x_max, y_max]) = threat_box else {
                return Outcome::Hit;
            };
            let on_threat = mark.is_some_and(|[x, y]| {
                x >= x_min - margin_px
                    && x <= x_max + margin_px
                    && y >= y_min - margin_px
                    && y <= y_max + margin_px
            });
            if on_threat {
                Outcome::Hit
            } else {
                Outcome::Miss
            }
        }
    }
}

/// The four outcome counts of a trainee's trials (the signal-detection table).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdtCounts {
    /// Threat bags in which the trainee found the threat.
    pub hits: u32,
    /// Threat bags in which the trainee did not find the threat.
    pub misses: u32,
    /// Clean bags the trainee called a threat.
    pub false_alarms: u32,
    /// Clean bags the trainee cleared.
    pub correct_rejections: u32,
}

impl SdtCounts {
    /// The number of signal (threat) trials: hits + misses, as u64 so that it cannot overflow.
    pub fn signal_trials(&self) -> u64 {
        u64::from(self.hits) + u64::from(self.misses)
    }

    /// The number of noise (clean-bag) trials: false alarms + correct rejections, as u64 so
    /// that it cannot overflow.
    pub fn noise_trials(&self) -> u64 {
        u64::from(self.false_alarms) + u64::from(self.correct_rejections)
    }

    /// The raw hit rate, hits / signal trials (0..=1); `None` without signal trials.
    pub fn hit_rate(&self) -> Option<f64> {
        raw_rate(self.hits, self.signal_trials())
    }

    /// The raw false-alarm rate, false alarms / noise trials (0..=1); `None` without noise
    /// trials.
    pub fn false_alarm_rate(&self) -> Option<f64> {
        raw_rate(self.false_alarms, self.noise_trials())
    }

    /// The hit and false-alarm rates `(H, F)` corrected for extreme values, so that their
    /// z-scores are finite: the 1/(2N) rule (Macmillan & Kaplan 1985). With N the number of
    /// trials of that kind, a rate of 0 becomes 0.5/N and a rate of 1 becomes (N − 0.5)/N;
    /// other rates are left as they are. `None` unless there is at least one signal trial and
    /// at least one noise trial.
    pub fn corrected_rates(&self) -> Option<(f64, f64)> {
        let hit_rate = corrected_rate(self.hits, self.signal_trials())?;
        let false_alarm_rate = corrected_rate(self.false_alarms, self.noise_trials())?;
        Some((hit_rate, false_alarm_rate))
    }

    /// Sensitivity d' = z(H) − z(F), in standard deviations of the noise distribution, on the
    /// corrected rates ([`SdtCounts::corrected_rates`]); 0 is chance, higher is better. `None`
    /// unless both kinds of trial are present.
    pub fn d_prime(&self) -> Option<f64> {
        let (z_hit, z_false_alarm) = self.z_scores()?;
        Some(z_hit - z_false_alarm)
    }

    /// Criterion c = −(z(H) + z(F)) / 2, in standard deviations, on the corrected rates
    /// ([`SdtCounts::corrected_rates`]): 0 is unbiased, positive is conservative (answers
    /// "threat" rarely), negative is liberal. `None` unless both kinds of trial are present.
    pub fn criterion_c(&self) -> Option<f64> {
        let (z_hit, z_false_alarm) = self.z_scores()?;
        Some(-(z_hit + z_false_alarm) / 2.0)
    }

    /// Counts one more trial (saturating at `u32::MAX`).
    pub fn add(&mut self, outcome: Outcome) {
        let count = match outcome {
            Outcome::Hit => &mut self.hits,
            Outcome::Miss => &mut self.misses,
            Outcome::FalseAlarm => &mut self.false_alarms,
            Outcome::CorrectRejection => &mut self.correct_rejections,
        };
        *count = count.saturating_add(1);
    }

    fn z_scores(&self) -> Option<(f64, f64)> {
        let (hit_rate, false_alarm_rate) = self.corrected_rates()?;
        Some((
            inverse_normal_cdf(hit_rate)?,
            inverse_normal_cdf(false_alarm_rate)?,
        ))
    }
}

fn raw_rate(count: u32, trials: u64) -> Option<f64> {
    (trials > 0).then(|| f64::from(count) / trials as f64)
}

fn corrected_rate(count: u32, trials: u64) -> Option<f64> {
    if trials == 0 {
        return None;
    }
    let n = trials as f64;
    let count = u64::from(count);
    Some(if count == 0 {
        0.5 / n
    } else if count == trials {
        (n - 0.5) / n
    } else {
        count as f64 / n
    })
}

/// One trial, classified, as [`score`] takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredTrial {
    /// The trial's outcome ([`classify`]).
    pub outcome: Outcome,
    /// The trainee's response time in milliseconds, from the bag's display to the answer.
    pub response_ms: u64,
    /// On a hit where the trainee named the threat's category: whether the category was right.
    /// `None` when no category was named; ignored on other outcomes than a hit.
    pub category_correct: Option<bool>,
}

/// A trainee's score over a set of trials, for reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The number of trials scored.
    pub trials: u32,
    /// The outcome counts.
    pub counts: SdtCounts,
    /// The raw hit rate (0..=1, uncorrected); `None` without threat trials.
    pub hit_rate: Option<f64>,
    /// The raw false-alarm rate (0..=1, uncorrected); `None` without clean trials.
    pub false_alarm_rate: Option<f64>,
    /// Sensitivity d' in standard deviations ([`SdtCounts::d_prime`], corrected rates); `None`
    /// unless both kinds of trial are present.
    pub d_prime: Option<f64>,
    /// Criterion c in standard deviations ([`SdtCounts::criterion_c`], corrected rates);
    /// `None` unless both kinds of trial are present.
    pub criterion_c: Option<f64>,
    /// The mean response time over all trials, in milliseconds; `None` without trials.
    pub mean_response_ms: Option<f64>,
    /// Hits on which the trainee named the threat's category correctly.
    pub category_correct: u32,
    /// Hits on which the trainee named a category (right or wrong).
    pub category_named: u32,
}

/// Scores a set of trials: counts the outcomes, computes the rates, d', c and the mean response
/// time, and counts the categories named and named correctly on hits (a `category_correct` on
/// another outcome than a hit is ignored). Counts saturate at `u32::MAX`.
pub fn score(trials: &[ScoredTrial]) -> Score {
    let mut counts = SdtCounts::default();
    let mut category_correct = 0_u32;
    let mut category_named = 0_u32;
    let mut total_response_ms = 0.0_f64;
    for trial in trials {
        counts.add(trial.outcome);
        total_response_ms += trial.response_ms as f64;
        if trial.outcome == Outcome::Hit {
            if let Some(correct) = trial.category_correct {
                category_named = category_named.saturating_add(1);
                if correct {
                    category_correct = category_correct.saturating_add(1);
                }
            }
        }
    }
    Score {
        trials: u32::try_from(trials.len()).unwrap_or(u32::MAX),
        counts,
        hit_rate: counts.hit_rate(),
        false_alarm_rate: counts.false_alarm_rate(),
        d_prime: counts.d_prime(),
        criterion_c: counts.criterion_c(),
        mean_response_ms: (!trials.is_empty()).then(|| total_response_ms / trials.len() as f64),
        category_correct,
        category_named,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    #[allow(clippy::excessive_precision)] // The hash sums as printed.
    fn coefficients_match_the_papers_hash_sums() {
        // Wichura (1988) prints, for each pair of numerator and denominator, a "hash sum" to
        // check their transcription: the sum of the significands (scaled into [1, 10)) of all
        // the coefficients but the denominator's constant 1.
        fn significand(x: f64) -> f64 {
            x / 10_f64.powi(x.log10().floor() as i32)
        }
        let hash = |numerator: &[f64], denominator: &[f64]| -> f64 {
            numerator
                .iter()
                .chain(&denominator[1..])
                .map(|&x| significand(x))
                .sum()
        };
        // A transcription error in the 13th significant digit of one coefficient moves its hash
        // by about 1e-12; the rounding of the f64 sum is about 1e-14.
        let cases = [
            (hash(&PPND16_A, &PPND16_B), 55.883_192_880_614_901_443_9),
            (hash(&PPND16_C, &PPND16_D), 49.332_065_033_016_102_890_36),
            (hash(&PPND16_E, &PPND16_F), 47.525_833_175_492_896_716_29),
        ];
        for (ours, paper) in cases {
            assert!(close(ours, paper, 5e-14), "{ours} vs {paper}");
        }
        for denominator in [PPND16_B, PPND16_D, PPND16_F] {
            assert_eq!(denominator[0], 1.0);
        }
    }

    #[test]
    fn known_quantiles() {
        assert_eq!(inverse_normal_cdf(0.5), Some(0.0));
        let q = inverse_normal_cdf(0.975).unwrap_or(f64::NAN);
        assert!(close(q, 1.959_963_984_540_054, 1e-12), "{q}");
        let q = inverse_normal_cdf(0.841_344_746_068_542_9).unwrap_or(f64::NAN);
        assert!(close(q, 1.0, 1e-12), "{q}");
        // Tails: Φ⁻¹(1e-10) = −6.361340902404056 (e.g. R's qnorm, scipy's ndtri).
        let q = inverse_normal_cdf(1e-10).unwrap_or(f64::NAN);
        assert!(close(q, -6.361_340_902_404_056, 1e-12), "{q}");
        let q = inverse_normal_cdf(1e-300).unwrap_or(f64::NAN);
        assert!(q < -37.0 && q > -37.1, "{q}");
    }

    #[test]
    fn quantile_is_antisymmetric() {
        for i in 1..1000 {
            let p = f64::from(i) / 1000.0;
            let lower = inverse_normal_cdf(p).unwrap_or(f64::NAN);
            let upper = inverse_normal_cdf(1.0 - p).unwrap_or(f64::NAN);
            assert!(close(lower, -upper, 1e-13 * lower.abs().max(1.0)), "{p}");
        }
        let lower = inverse_normal_cdf(1e-10).unwrap_or(f64::NAN);
        let upper = inverse_normal_cdf(1.0 - 1e-10).unwrap_or(f64::NAN);
        // 1 − 1e-10 is not exact in f64: compare at the precision of that representation.
        assert!(close(lower, -upper, 1e-5), "{lower} {upper}");
    }

    #[test]
    fn quantile_outside_the_open_interval_is_none() {
        for p in [
            0.0,
            1.0,
            -0.1,
            1.1,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(inverse_normal_cdf(p), None, "{p}");
        }
        assert!(inverse_normal_cdf(f64::MIN_POSITIVE).is_some());
    }

    #[test]
    fn quantile_inverts_the_cdf() {
        // normal_cdf is computed independently (erfc series and continued fraction).
        // Up to x = 3 only: above, 1 − Φ(x) keeps too few digits in f64 to invert well.
        for i in -80..=30 {
            let x = f64::from(i) / 10.0;
            let p = normal_cdf(x);
            let back = inverse_normal_cdf(p).unwrap_or(f64::NAN);
            assert!(close(back, x, 1e-9), "{x} → {p} → {back}");
        }
        for i in 0..=600 {
            let p = f64::from(i) / 600.0 * 0.998 + 0.001;
            let back = normal_cdf(inverse_normal_cdf(p).unwrap_or(f64::NAN));
            assert!(close(back, p, 1e-15), "{p} → {back}");
        }
    }

    #[test]
    fn normal_cdf_known_values() {
        assert_eq!(normal_cdf(0.0), 0.5);
        assert!(close(normal_cdf(1.959_963_984_540_054), 0.975, 1e-15));
        assert!(close(normal_cdf(-1.0), 0.158_655_253_931_457_05, 1e-16));
        // Φ(−10) = 7.619853024160526e-24: compare relatively.
        let tail = normal_cdf(-10.0);
        assert!(
            close(tail / 7.619_853_024_160_526e-24, 1.0, 1e-13),
            "{tail}"
        );
        assert_eq!(normal_cdf(-40.0), 0.0);
        assert_eq!(normal_cdf(40.0), 1.0);
        assert!(normal_cdf(f64::NAN).is_nan());
    }

    #[test]
    fn raw_rates() {
        let counts = SdtCounts {
            hits: 3,
            misses: 1,
            false_alarms: 1,
            correct_rejections: 4,
        };
        assert_eq!(counts.signal_trials(), 4);
        assert_eq!(counts.noise_trials(), 5);
        assert_eq!(counts.hit_rate(), Some(0.75));
        assert_eq!(counts.false_alarm_rate(), Some(0.2));
        assert_eq!(counts.corrected_rates(), Some((0.75, 0.2)));
        let empty = SdtCounts::default();
        assert_eq!(empty.hit_rate(), None);
        assert_eq!(empty.false_alarm_rate(), None);
        assert_eq!(empty.corrected_rates(), None);
        assert_eq!(empty.d_prime(), None);
        assert_eq!(empty.criterion_c(), None);
    }

    #[test]
    fn correction_for_all_hits_and_no_false_alarms() {
        let counts = SdtCounts {
            hits: 20,
            misses: 0,
            false_alarms: 0,
            correct_rejections: 10,
        };
        assert_eq!(counts.hit_rate(), Some(1.0));
        assert_eq!(counts.false_alarm_rate(), Some(0.0));
        let (h, f) = counts.corrected_rates().unwrap_or((f64::NAN, f64::NAN));
        assert_eq!(h, 19.5 / 20.0);
        assert_eq!(f, 0.5 / 10.0);
        let z_h = inverse_normal_cdf(h).unwrap_or(f64::NAN);
        let z_f = inverse_normal_cdf(f).unwrap_or(f64::NAN);
        let d_prime = counts.d_prime().unwrap_or(f64::NAN);
        assert!(close(d_prime, z_h - z_f, 1e-15));
        // z(0.975) = 1.959964, z(0.05) = −1.644854.
        assert!(close(
            d_prime,
            1.959_963_984_540_054 + 1.644_853_626_951_472_2,
            1e-12
        ));
        let c = counts.criterion_c().unwrap_or(f64::NAN);
        assert!(close(
            c,
            -(1.959_963_984_540_054 - 1.644_853_626_951_472_2) / 2.0,
            1e-12
        ));
    }

    #[test]
    fn correction_for_no_hits_and_all_false_alarms() {
        let counts = SdtCounts {
            hits: 0,
            misses: 4,
            false_alarms: 2,
            correct_rejections: 0,
        };
        assert_eq!(counts.corrected_rates(), Some((0.125, 0.75)));
        assert!(counts.d_prime().unwrap_or(f64::NAN) < 0.0);
        // One trial of each kind: 0.5/1 either way; d' = 0.
        let one = SdtCounts {
            hits: 1,
            misses: 0,
            false_alarms: 0,
            correct_rejections: 1,
        };
        assert_eq!(one.corrected_rates(), Some((0.5, 0.5)));
        assert_eq!(one.d_prime(), Some(0.0));
    }

    #[test]
    fn d_prime_needs_both_kinds_of_trial() {
        let signal_only = SdtCounts {
            hits: 5,
            misses: 5,
            ..SdtCounts::default()
        };
        assert_eq!(signal_only.hit_rate(), Some(0.5));
        assert_eq!(signal_only.d_prime(), None);
        assert_eq!(signal_only.criterion_c(), None);
        let noise_only = SdtCounts {
            correct_rejections: 3,
            ..SdtCounts::default()
        };
        assert_eq!(noise_only.false_alarm_rate(), Some(0.0));
        assert_eq!(noise_only.d_prime(), None);
    }

    #[test]
    fn unbiased_observer_has_zero_criterion() {
        let counts = SdtCounts {
            hits: 84,
            misses: 16,
            false_alarms: 16,
            correct_rejections: 84,
        };
        assert!(close(counts.criterion_c().unwrap_or(f64::NAN), 0.0, 1e-15));
        let d_prime = counts.d_prime().unwrap_or(f64::NAN);
        assert!(close(
            d_prime,
            2.0 * inverse_normal_cdf(0.84).unwrap_or(f64::NAN),
            1e-15
        ));
    }

    #[test]
    fn add_counts_each_outcome() {
        let mut counts = SdtCounts::default();
        for outcome in [
            Outcome::Hit,
            Outcome::Hit,
            Outcome::Miss,
            Outcome::FalseAlarm,
            Outcome::CorrectRejection,
            Outcome::CorrectRejection,
            Outcome::CorrectRejection,
        ] {
            counts.add(outcome);
        }
        assert_eq!(
            counts,
            SdtCounts {
                hits: 2,
                misses: 1,
                false_alarms: 1,
                correct_rejections: 3,
            }
        );
        let mut full = SdtCounts {
            hits: u32::MAX,
            ..SdtCounts::default()
        };
        full.add(Outcome::Hit);
        assert_eq!(full.hits, u32::MAX);
    }

    const BOX: [f32; 4] = [100.0, 200.0, 150.0, 260.0];

    #[test]
    fn classify_answers_without_localisation() {
        assert_eq!(classify(false, true, None, None, 10.0), Outcome::FalseAlarm);
        assert_eq!(
            classify(false, true, Some([0.0, 0.0]), Some(BOX), 10.0),
            Outcome::FalseAlarm
        );
        assert_eq!(
            classify(false, false, None, None, 10.0),
            Outcome::CorrectRejection
        );
        assert_eq!(
            classify(true, false, Some([120.0, 230.0]), Some(BOX), 10.0),
            Outcome::Miss
        );
        // No box known: a threat answer is a hit whatever the mark.
        assert_eq!(classify(true, true, None, None, 10.0), Outcome::Hit);
        assert_eq!(
            classify(true, true, Some([-5.0, 9999.0]), None, 0.0),
            Outcome::Hit
        );
    }

    #[test]
    fn classify_needs_the_mark_on_the_threat() {
        let hit = |mark| classify(true, true, Some(mark), Some(BOX), 10.0);
        assert_eq!(hit([120.0, 230.0]), Outcome::Hit);
        assert_eq!(classify(true, true, None, Some(BOX), 10.0), Outcome::Miss);
        assert_eq!(hit([500.0, 500.0]), Outcome::Miss);
        // Just inside and just outside the margin on each side.
        assert_eq!(hit([90.5, 230.0]), Outcome::Hit);
        assert_eq!(hit([89.5, 230.0]), Outcome::Miss);
        assert_eq!(hit([159.5, 230.0]), Outcome::Hit);
        assert_eq!(hit([160.5, 230.0]), Outcome::Miss);
        assert_eq!(hit([120.0, 190.5]), Outcome::Hit);
        assert_eq!(hit([120.0, 189.5]), Outcome::Miss);
        assert_eq!(hit([120.0, 269.5]), Outcome::Hit);
        assert_eq!(hit([120.0, 270.5]), Outcome::Miss);
        // The grown box's edge counts as on it.
        assert_eq!(hit([90.0, 270.0]), Outcome::Hit);
        // Without margin the box itself is the limit.
        let exact = |mark| classify(true, true, Some(mark), Some(BOX), 0.0);
        assert_eq!(exact([100.0, 200.0]), Outcome::Hit);
        assert_eq!(exact([99.5, 230.0]), Outcome::Miss);
        assert_eq!(hit([f32::NAN, 230.0]), Outcome::Miss);
    }

    fn trial(outcome: Outcome, response_ms: u64, category_correct: Option<bool>) -> ScoredTrial {
        ScoredTrial {
            outcome,
            response_ms,
            category_correct,
        }
    }

    #[test]
    fn score_aggregates_trials() {
        let trials = [
            trial(Outcome::Hit, 1000, Some(true)),
            trial(Outcome::Hit, 2000, Some(false)),
            trial(Outcome::Hit, 1500, None),
            trial(Outcome::Miss, 4000, None),
            trial(Outcome::FalseAlarm, 3000, None),
            trial(Outcome::CorrectRejection, 500, None),
            trial(Outcome::CorrectRejection, 700, None),
            trial(Outcome::CorrectRejection, 900, None),
            // A category on a non-hit is ignored.
            trial(Outcome::Miss, 2400, Some(true)),
        ];
        let score = score(&trials);
        assert_eq!(score.trials, 9);
        let counts = SdtCounts {
            hits: 3,
            misses: 2,
            false_alarms: 1,
            correct_rejections: 3,
        };
        assert_eq!(score.counts, counts);
        assert_eq!(score.hit_rate, Some(0.6));
        assert_eq!(score.false_alarm_rate, Some(0.25));
        let expected_d_prime = inverse_normal_cdf(0.6).unwrap_or(f64::NAN)
            - inverse_normal_cdf(0.25).unwrap_or(f64::NAN);
        assert!(close(
            score.d_prime.unwrap_or(f64::NAN),
            expected_d_prime,
            1e-15
        ));
        assert_eq!(score.criterion_c, counts.criterion_c());
        let mean =
            (1000.0 + 2000.0 + 1500.0 + 4000.0 + 3000.0 + 500.0 + 700.0 + 900.0 + 2400.0) / 9.0;
        assert!(close(
            score.mean_response_ms.unwrap_or(f64::NAN),
            mean,
            1e-9
        ));
        assert_eq!(score.category_named, 2);
        assert_eq!(score.category_correct, 1);
    }

    #[test]
    fn score_of_nothing() {
        let score = score(&[]);
        assert_eq!(score.trials, 0);
        assert_eq!(score.counts, SdtCounts::default());
        assert_eq!(score.hit_rate, None);
        assert_eq!(score.false_alarm_rate, None);
        assert_eq!(score.d_prime, None);
        assert_eq!(score.criterion_c, None);
        assert_eq!(score.mean_response_ms, None);
        assert_eq!(score.category_named, 0);
    }

    #[test]
    fn score_serialises_to_json() {
        let score = score(&[trial(Outcome::FalseAlarm, 10, None)]);
        let json = serde_json::to_value(&score).unwrap_or_default();
        assert_eq!(json["counts"]["false_alarms"], 1);
        assert_eq!(json["hit_rate"], serde_json::Value::Null);
        assert_eq!(json["false_alarm_rate"], 1.0);
        let back: Score = serde_json::from_value(json).unwrap_or_default();
        assert_eq!(back, score);
        let outcome = serde_json::to_string(&Outcome::CorrectRejection).unwrap_or_default();
        assert_eq!(outcome, "\"correct_rejection\"");
    }
}
