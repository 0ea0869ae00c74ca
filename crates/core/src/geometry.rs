//! Axis-aligned boxes that name their coordinate space.
//!
//! A box is `[x1, y1, x2, y2]` in pixels, origin top-left, x along columns, with `x1 <= x2` and
//! `y1 <= y2`. The space is a type parameter, so a box in the model's input pixels cannot be
//! reported as a box in the scan's pixels without going through an explicit mapping.

use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A coordinate space marker.
pub trait Space: Copy + Clone + fmt::Debug + Default + PartialEq + Send + Sync + 'static {
    /// Short name, used in debug output.
    const NAME: &'static str;
}

/// The scan's own pixels (origin top-left of the full scan, before any scaling).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Image;
impl Space for Image {
    const NAME: &'static str = "image";
}

/// The model's input pixels (one frame, after scaling and padding).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Model;
impl Space for Model {
    const NAME: &'static str = "model";
}

/// An axis-aligned rectangle in space `S`.
#[derive(Clone, Copy, PartialEq)]
pub struct Rect<S: Space> {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
    space: PhantomData<S>,
}

/// A box in the scan's own pixels.
pub type BoxInImage = Rect<Image>;
/// A box in the model's input pixels.
pub type BoxInModel = Rect<Model>;

impl<S: Space> fmt::Debug for Rect<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Rect<{}>[{:.2}, {:.2}, {:.2}, {:.2}]",
            S::NAME,
            self.x1,
            self.y1,
            self.x2,
            self.y2
        )
    }
}

impl<S: Space> Rect<S> {
    /// A box from its corners. Corners are reordered so that `x1 <= x2` and `y1 <= y2`.
    #[must_use]
    pub fn new(x1: f32, y1: f32, x2: f32, y2: f32) -> Self {
        Self {
            x1: x1.min(x2),
            y1: y1.min(y2),
            x2: x1.max(x2),
            y2: y1.max(y2),
            space: PhantomData,
        }
    }

    /// A box from its top-left corner and size.
    #[must_use]
    pub fn from_xywh(x: f32, y: f32, w: f32, h: f32) -> Self {
        Self::new(x, y, x + w, y + h)
    }

    /// True when every coordinate is finite.
    #[must_use]
    pub fn is_finite(&self) -> bool {
        self.x1.is_finite() && self.y1.is_finite() && self.x2.is_finite() && self.y2.is_finite()
    }

    #[must_use]
    pub fn width(&self) -> f32 {
        self.x2 - self.x1
    }

    #[must_use]
    pub fn height(&self) -> f32 {
        self.y2 - self.y1
    }

    #[must_use]
    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }

    /// The overlap of two boxes, or `None` when they do not overlap with positive area.
    #[must_use]
    pub fn intersection(&self, other: &Self) -> Option<Self> {
        let x1 = self.x1.max(other.x1);
        let y1 = self.y1.max(other.y1);
        let x2 = self.x2.min(other.x2);
        let y2 = self.y2.min(other.y2);
        (x2 > x1 && y2 > y1).then(|| Self::new(x1, y1, x2, y2))
    }

    /// The smallest box holding both.
    #[must_use]
    pub fn union_hull(&self, other: &Self) -> Self {
        Self::new(
            self.x1.min(other.x1),
            self.y1.min(other.y1),
            self.x2.max(other.x2),
            self.y2.max(other.y2),
        )
    }

    /// Intersection over union, in `[0, 1]`. Two empty boxes give 0.
    #[must_use]
    pub fn iou(&self, other: &Self) -> f32 {
        let inter = self.intersection_area(other);
        share(inter, self.area() + other.area() - inter)
    }

    /// Intersection over the smaller box's area, in `[0, 1]`: 1 when one box lies inside the other.
    #[must_use]
    pub fn overlap_of_smaller(&self, other: &Self) -> f32 {
        share(self.intersection_area(other), self.area().min(other.area()))
    }

    /// The share of this box's area that lies inside `other`, in `[0, 1]`: 1 when this box lies
    /// wholly inside it. An empty box gives 0.
    #[must_use]
    pub fn fraction_inside(&self, other: &Self) -> f32 {
        share(self.intersection_area(other), self.area())
    }

    /// The area of the overlap of two boxes (0 when they do not overlap).
    fn intersection_area(&self, other: &Self) -> f32 {
        self.intersection(other).map_or(0.0, |r| r.area())
    }

    /// This box clipped to `[0, width] x [0, height]`.
    #[must_use]
    pub fn clipped(&self, width: f32, height: f32) -> Self {
        Self::new(
            self.x1.clamp(0.0, width),
            self.y1.clamp(0.0, height),
            self.x2.clamp(0.0, width),
            self.y2.clamp(0.0, height),
        )
    }

    /// The corners as an array `[x1, y1, x2, y2]`.
    #[must_use]
    pub fn to_array(&self) -> [f32; 4] {
        [self.x1, self.y1, self.x2, self.y2]
    }
}

/// `part / whole` in `[0, 1]`, or 0 when `whole` is not positive (an empty box).
fn share(part: f32, whole: f32) -> f32 {
    if whole <= 0.0 {
        0.0
    } else {
        (part / whole).clamp(0.0, 1.0)
    }
}

impl<S: Space> Serialize for Rect<S> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        // Two decimals are below a pixel's precision and keep reports stable.
        let r = |v: f32| (f64::from(v) * 100.0).round() / 100.0;
        [r(self.x1), r(self.y1), r(self.x2), r(self.y2)].serialize(serializer)
    }
}

impl<'de, S: Space> Deserialize<'de> for Rect<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let [x1, y1, x2, y2] = <[f32; 4]>::deserialize(deserializer)?;
        Ok(Self::new(x1, y1, x2, y2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn b(x1: f32, y1: f32, x2: f32, y2: f32) -> BoxInImage {
        BoxInImage::new(x1, y1, x2, y2)
    }

    #[test]
    fn iou_of_known_boxes() {
        assert!((b(0.0, 0.0, 10.0, 10.0).iou(&b(0.0, 0.0, 10.0, 10.0)) - 1.0).abs() < 1e-6);
        assert!(
            (b(0.0, 0.0, 10.0, 10.0).iou(&b(5.0, 0.0, 15.0, 10.0)) - 50.0 / 150.0).abs() < 1e-6
        );
        assert_eq!(b(0.0, 0.0, 10.0, 10.0).iou(&b(10.0, 0.0, 20.0, 10.0)), 0.0);
        assert_eq!(b(0.0, 0.0, 0.0, 0.0).iou(&b(0.0, 0.0, 0.0, 0.0)), 0.0);
    }

    #[test]
    fn corners_are_reordered() {
        let r = b(10.0, 20.0, 0.0, 5.0);
        assert_eq!(r.to_array(), [0.0, 5.0, 10.0, 20.0]);
    }

    #[test]
    fn overlap_of_smaller_is_one_for_nested() {
        assert!(
            (b(0.0, 0.0, 100.0, 100.0).overlap_of_smaller(&b(10.0, 10.0, 20.0, 20.0)) - 1.0).abs()
                < 1e-6
        );
    }

    #[test]
    fn fraction_inside_is_the_share_of_this_box() {
        let big = b(0.0, 0.0, 100.0, 100.0);
        let small = b(90.0, 10.0, 110.0, 20.0);
        assert!((small.fraction_inside(&big) - 0.5).abs() < 1e-6);
        assert!((big.fraction_inside(&small) - 0.01).abs() < 1e-6);
        assert_eq!(b(5.0, 5.0, 5.0, 9.0).fraction_inside(&big), 0.0);
    }

    fn arb_box() -> impl Strategy<Value = BoxInImage> {
        (0.0f32..500.0, 0.0f32..500.0, 0.0f32..300.0, 0.0f32..300.0)
            .prop_map(|(x, y, w, h)| BoxInImage::from_xywh(x, y, w, h))
    }

    proptest! {
        #[test]
        fn iou_is_symmetric_and_bounded(a in arb_box(), c in arb_box()) {
            let i1 = a.iou(&c);
            let i2 = c.iou(&a);
            prop_assert!((i1 - i2).abs() < 1e-5);
            prop_assert!((0.0..=1.0).contains(&i1));
        }

        #[test]
        fn iou_with_self_is_one_for_nonempty(a in arb_box()) {
            prop_assume!(a.area() > 1e-3);
            prop_assert!((a.iou(&a) - 1.0).abs() < 1e-5);
        }

        #[test]
        fn hull_contains_both(a in arb_box(), c in arb_box()) {
            let h = a.union_hull(&c);
            prop_assert!(h.x1 <= a.x1 && h.x1 <= c.x1 && h.x2 >= a.x2 && h.x2 >= c.x2);
            prop_assert!(h.y1 <= a.y1 && h.y1 <= c.y1 && h.y2 >= a.y2 && h.y2 >= c.y2);
        }

        #[test]
        fn intersection_is_inside_both(a in arb_box(), c in arb_box()) {
            if let Some(i) = a.intersection(&c) {
                prop_assert!(i.area() <= a.area() + 1e-3 && i.area() <= c.area() + 1e-3);
                prop_assert!(i.x1 >= a.x1 && i.x2 <= a.x2 && i.y1 >= c.y1 && i.y2 <= c.y2);
            }
        }
    }
}
