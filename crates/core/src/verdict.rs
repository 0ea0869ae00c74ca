//! Detections in image space and the scan's verdict.

use serde::{Deserialize, Serialize};

use crate::geometry::BoxInImage;
use crate::taxonomy::Category;

/// One detection in the scan's own pixels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// The fine class, e.g. `handgun`.
    #[serde(rename = "class")]
    pub class_name: String,
    /// The category of the fine class (a Protocol category, or `accessory`).
    pub category: Category,
    /// The detector's score in `[0, 1]`.
    pub score: f32,
    /// The box in the scan's pixels, origin top-left.
    #[serde(rename = "box")]
    pub box_in_image: BoxInImage,
}

/// The outcome for one scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No detection reached the review score (an accessory: the alarm score).
    Clear,
    /// A detection of a Protocol category reached the alarm score: stop the parcel.
    Alarm,
    /// A detection of a Protocol category reached the review score but not the alarm score, or
    /// an accessory reached the alarm score: an operator looks.
    Review,
    /// The scan could not be screened. Never to be read as clear.
    Error,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Clear => "clear",
            Status::Alarm => "alarm",
            Status::Review => "review",
            Status::Error => "error",
        }
    }
}

/// Score thresholds that decide what is listed and what alarms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Thresholds {
    /// Detections below this score are not listed.
    pub min_score: f32,
    /// A detection at or above this score makes the scan `review`.
    pub review_score: f32,
    /// A detection at or above this score makes the scan `alarm` (an accessory: `review`).
    pub alarm_score: f32,
}

impl Thresholds {
    /// Thresholds, ordered so that `min_score <= review_score <= alarm_score` holds.
    #[must_use]
    pub fn new(min_score: f32, review_score: f32, alarm_score: f32) -> Self {
        let alarm_score = alarm_score.clamp(0.0, 1.0);
        let review_score = review_score.clamp(0.0, alarm_score);
        Self {
            min_score: min_score.clamp(0.0, 1.0),
            review_score,
            alarm_score,
        }
    }

    #[must_use]
    pub fn with_min_score(self, min_score: f32) -> Self {
        Self::new(min_score, self.review_score, self.alarm_score)
    }

    /// Sets the alarm score; a review score above it is lowered to it.
    #[must_use]
    pub fn with_alarm_score(self, alarm_score: f32) -> Self {
        Self::new(self.min_score, self.review_score, alarm_score)
    }

    /// These thresholds with each value `overrides` sets put in its place.
    #[must_use]
    pub fn overridden(self, overrides: ThresholdOverrides) -> Self {
        overrides.applied_to(self)
    }

    /// The verdict for a screened scan's detections; the one place the rule lives.
    ///
    /// A detection of a Protocol category (firearm, part, ammunition) at or above `alarm_score`
    /// makes the scan `alarm`; at or above `review_score`, `review`. An accessory (a magazine, a
    /// trigger group: [`Category::Accessory`]) is never an alarm by itself: at or above
    /// `alarm_score` it makes the scan `review` (a magazine in a parcel merits a look), below it
    /// it changes nothing. The scan takes the most severe outcome of its detections; detections
    /// are not combined (an accessory beside a part at review score is still `review`).
    #[must_use]
    pub fn verdict(&self, detections: &[Detection]) -> Status {
        let top = |protocol: bool| {
            detections
                .iter()
                .filter(|d| d.category.is_protocol() == protocol)
                .map(|d| d.score)
                .fold(f32::NEG_INFINITY, f32::max)
        };
        let (threat, accessory) = (top(true), top(false));
        if threat >= self.alarm_score {
            Status::Alarm
        } else if threat >= self.review_score || accessory >= self.alarm_score {
            Status::Review
        } else {
            Status::Clear
        }
    }
}

/// Values that replace some of a model's default [`Thresholds`], each where set.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ThresholdOverrides {
    pub min_score: Option<f32>,
    pub review_score: Option<f32>,
    pub alarm_score: Option<f32>,
}

impl ThresholdOverrides {
    /// All three values.
    #[must_use]
    pub fn all(thresholds: Thresholds) -> Self {
        Self {
            min_score: Some(thresholds.min_score),
            review_score: Some(thresholds.review_score),
            alarm_score: Some(thresholds.alarm_score),
        }
    }
    #[must_use]
    pub fn with_min_score(mut self, score: Option<f32>) -> Self {
        self.min_score = score;
        self
    }
    #[must_use]
    pub fn with_review_score(mut self, score: Option<f32>) -> Self {
        self.review_score = score;
        self
    }
    #[must_use]
    pub fn with_alarm_score(mut self, score: Option<f32>) -> Self {
        self.alarm_score = score;
        self
    }

    /// `defaults` with the values set here put in their place, ordered as
    /// [`Thresholds::new`] orders them.
    #[must_use]
    pub fn applied_to(self, defaults: Thresholds) -> Thresholds {
        Thresholds::new(
            self.min_score.unwrap_or(defaults.min_score),
            self.review_score.unwrap_or(defaults.review_score),
            self.alarm_score.unwrap_or(defaults.alarm_score),
        )
    }

    /// The first value outside `[0, 1]`, named as the field it is in.
    ///
    /// # Errors
    /// `(name, value)` of a score outside `[0, 1]` (or NaN).
    pub fn check(&self) -> Result<(), (&'static str, f32)> {
        for (name, value) in [
            ("min_score", self.min_score),
            ("review_score", self.review_score),
            ("alarm_score", self.alarm_score),
        ] {
            if let Some(v) = value {
                if !(0.0..=1.0).contains(&v) {
                    return Err((name, v));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(score: f32) -> Detection {
        Detection {
            class_name: "handgun".into(),
            category: Category::Firearm,
            score,
            box_in_image: BoxInImage::new(0.0, 0.0, 1.0, 1.0),
        }
    }

    #[test]
    fn verdict_follows_thresholds() {
        let t = Thresholds::new(0.05, 0.3, 0.6);
        assert_eq!(t.verdict(&[]), Status::Clear);
        assert_eq!(t.verdict(&[det(0.1)]), Status::Clear);
        assert_eq!(t.verdict(&[det(0.1), det(0.3)]), Status::Review);
        assert_eq!(t.verdict(&[det(0.61), det(0.3)]), Status::Alarm);
    }

    fn det_of(class_name: &str, category: Category, score: f32) -> Detection {
        Detection {
            class_name: class_name.into(),
            category,
            ..det(score)
        }
    }

    #[test]
    fn an_accessory_alone_is_at_most_review() {
        let t = Thresholds::new(0.05, 0.3, 0.6);
        let magazine = |s| det_of("magazine", Category::Accessory, s);
        // below the alarm score an accessory changes nothing, even above the review score
        assert_eq!(t.verdict(&[magazine(0.1)]), Status::Clear);
        assert_eq!(t.verdict(&[magazine(0.45)]), Status::Clear);
        // at or above the alarm score it asks for a look, never an alarm
        assert_eq!(t.verdict(&[magazine(0.6)]), Status::Review);
        assert_eq!(t.verdict(&[magazine(0.99)]), Status::Review);
        assert_eq!(
            t.verdict(&[det_of("trigger_group", Category::Accessory, 0.9)]),
            Status::Review
        );
        // with Protocol detections the most severe outcome wins, nothing is combined
        assert_eq!(t.verdict(&[magazine(0.99), det(0.7)]), Status::Alarm);
        assert_eq!(t.verdict(&[magazine(0.99), det(0.1)]), Status::Review);
        assert_eq!(t.verdict(&[magazine(0.45), det(0.35)]), Status::Review);
        assert_eq!(
            t.verdict(&[magazine(0.59), det_of("slide", Category::Part, 0.29)]),
            Status::Clear
        );
        // a silencer is a Protocol part: it alarms
        assert_eq!(
            t.verdict(&[det_of("silencer", Category::Part, 0.6)]),
            Status::Alarm
        );
    }

    #[test]
    fn overrides_replace_only_what_they_set() {
        let defaults = Thresholds::new(0.05, 0.3, 0.6);
        let t = defaults.overridden(ThresholdOverrides::default().with_alarm_score(Some(0.8)));
        assert_eq!(
            (t.min_score, t.review_score, t.alarm_score),
            (0.05, 0.3, 0.8)
        );
        let t = defaults.overridden(ThresholdOverrides::default().with_alarm_score(Some(0.2)));
        assert!(
            (t.review_score - 0.2).abs() < 1e-6,
            "review pulled down to the alarm score"
        );
        assert_eq!(
            ThresholdOverrides::default()
                .with_min_score(Some(1.5))
                .check(),
            Err(("min_score", 1.5))
        );
        assert!(ThresholdOverrides::all(defaults).check().is_ok());
    }

    #[test]
    fn alarm_below_review_pulls_review_down() {
        let t = Thresholds::new(0.05, 0.4, 0.6).with_alarm_score(0.2);
        assert!((t.review_score - 0.2).abs() < 1e-6);
        assert_eq!(t.verdict(&[det(0.25)]), Status::Alarm);
    }
}
