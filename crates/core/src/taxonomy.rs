//! Fine classes, the three categories of the UN Firearms Protocol (art. 3), and `accessory`.
//!
//! A detector predicts fine classes (`handgun`, `slide`, `cartridge`, ...). Every fine class
//! belongs to exactly one category: one of the Protocol's three (a firearm, a part or component of
//! one, or ammunition), or [`Category::Accessory`] for things found with firearms that the
//! Protocol does not name (magazines, trigger groups). Accessories are recorded and reported
//! under their own name and counted apart, so counts by Protocol category stay what the Protocol
//! says ([`Category::PROTOCOL`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a fine class is: one of the Protocol's three categories, or an accessory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A whole firearm (pistol, revolver, rifle, shotgun), assembled or folded.
    Firearm,
    /// A part or component, as the Protocol's art. 3(b) names them: barrel, frame or receiver,
    /// slide or cylinder, bolt or breech block, and a silencer (device to suppress the sound).
    Part,
    /// Ammunition: cartridges, shells, their cases and projectiles.
    Ammunition,
    /// Not a Protocol category: things found with firearms that the Protocol does not name as
    /// parts (magazines, trigger groups). Counted apart from the Protocol categories; a
    /// detection of one alone never makes a scan `alarm` (see [`crate::Thresholds::verdict`]).
    Accessory,
}

impl Category {
    /// The Protocol's three categories, in report order: what Protocol totals count.
    pub const PROTOCOL: [Category; 3] = [Category::Firearm, Category::Part, Category::Ammunition];

    /// Every category, in report order: the Protocol's three, then [`Category::Accessory`].
    pub const ALL: [Category; 4] = [
        Category::Firearm,
        Category::Part,
        Category::Ammunition,
        Category::Accessory,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Firearm => "firearm",
            Category::Part => "part",
            Category::Ammunition => "ammunition",
            Category::Accessory => "accessory",
        }
    }

    /// Whether this is one of the Protocol's three categories (not [`Category::Accessory`]).
    #[must_use]
    pub fn is_protocol(self) -> bool {
        !matches!(self, Category::Accessory)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = TaxonomyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "firearm" => Ok(Category::Firearm),
            "part" => Ok(Category::Part),
            "ammunition" => Ok(Category::Ammunition),
            "accessory" => Ok(Category::Accessory),
            other => Err(TaxonomyError::UnknownCategory(other.to_owned())),
        }
    }
}

/// The fine classes armscan knows, with their category. A model may use any subset of them.
///
/// The order is the class index of `armscan synth`'s COCO and YOLO labels (COCO id = index + 1),
/// so a class is only ever added at the end.
pub const KNOWN_FINE_CLASSES: &[(&str, Category)] = &[
    ("firearm", Category::Firearm),
    ("handgun", Category::Firearm),
    ("pistol", Category::Firearm),
    ("revolver", Category::Firearm),
    ("rifle", Category::Firearm),
    ("shotgun", Category::Firearm),
    ("submachine_gun", Category::Firearm),
    ("barrel", Category::Part),
    ("slide", Category::Part),
    ("frame_receiver", Category::Part),
    ("bolt", Category::Part),
    ("cylinder", Category::Part),
    ("trigger_group", Category::Accessory),
    ("magazine", Category::Accessory),
    ("cartridge", Category::Ammunition),
    ("shotgun_shell", Category::Ammunition),
    ("ammunition_box", Category::Ammunition),
    ("ammunition_clip", Category::Ammunition),
    ("ammunition_belt", Category::Ammunition),
    ("silencer", Category::Part),
];

/// Errors in a class table.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaxonomyError {
    #[error("unknown category `{0}` (expected firearm, part, ammunition or accessory)")]
    UnknownCategory(String),
    #[error("fine class `{class}` belongs to category `{known}`, not `{given}`")]
    WrongCategory {
        class: String,
        known: Category,
        given: Category,
    },
    #[error("fine class `{0}` is listed twice")]
    Duplicate(String),
    #[error("the class table is empty")]
    Empty,
}

/// One fine class and its category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassInfo {
    pub name: String,
    pub category: Category,
}

/// A model's class table: index `i` of the model's scores is `classes[i]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Taxonomy {
    classes: Vec<ClassInfo>,
}

impl Taxonomy {
    /// Checks a class table: not empty, no duplicates, and known fine classes keep their category.
    ///
    /// # Errors
    /// [`TaxonomyError`] naming the faulty class.
    pub fn new(classes: Vec<ClassInfo>) -> Result<Self, TaxonomyError> {
        if classes.is_empty() {
            return Err(TaxonomyError::Empty);
        }
        for (i, c) in classes.iter().enumerate() {
            if classes[..i].iter().any(|p| p.name == c.name) {
                return Err(TaxonomyError::Duplicate(c.name.clone()));
            }
            if let Some(known) = known_category(&c.name) {
                if known != c.category {
                    return Err(TaxonomyError::WrongCategory {
                        class: c.name.clone(),
                        known,
                        given: c.category,
                    });
                }
            }
        }
        Ok(Self { classes })
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.classes.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    #[must_use]
    pub fn get(&self, index: usize) -> Option<&ClassInfo> {
        self.classes.get(index)
    }

    #[must_use]
    pub fn classes(&self) -> &[ClassInfo] {
        &self.classes
    }
}

/// The category of a known fine class.
#[must_use]
pub fn known_category(fine_class: &str) -> Option<Category> {
    KNOWN_FINE_CLASSES
        .iter()
        .find(|(n, _)| *n == fine_class)
        .map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(name: &str, category: Category) -> ClassInfo {
        ClassInfo {
            name: name.into(),
            category,
        }
    }

    #[test]
    fn protocol_parts_are_parts() {
        // art. 3(b): barrel, frame or receiver, slide or cylinder, bolt or breech block, and the
        // silencer, which the Protocol counts as a part
        for p in [
            "barrel",
            "slide",
            "frame_receiver",
            "bolt",
            "cylinder",
            "silencer",
        ] {
            assert_eq!(known_category(p), Some(Category::Part), "{p}");
        }
        assert_eq!(known_category("cartridge"), Some(Category::Ammunition));
        assert_eq!(known_category("revolver"), Some(Category::Firearm));
        assert_eq!(known_category("umbrella"), None);
    }

    #[test]
    fn rejects_bad_tables() {
        assert_eq!(Taxonomy::new(vec![]), Err(TaxonomyError::Empty));
        assert!(matches!(
            Taxonomy::new(vec![ci("slide", Category::Firearm)]),
            Err(TaxonomyError::WrongCategory { .. })
        ));
        assert!(matches!(
            Taxonomy::new(vec![
                ci("handgun", Category::Firearm),
                ci("handgun", Category::Firearm)
            ]),
            Err(TaxonomyError::Duplicate(_))
        ));
        let t = Taxonomy::new(vec![
            ci("handgun", Category::Firearm),
            ci("zip_gun", Category::Firearm),
        ]);
        assert_eq!(t.map(|t| t.len()), Ok(2));
    }

    #[test]
    fn magazines_and_trigger_groups_are_accessories_not_parts() {
        for a in ["magazine", "trigger_group"] {
            assert_eq!(known_category(a), Some(Category::Accessory), "{a}");
        }
        assert!(!Category::Accessory.is_protocol());
        assert!(Category::PROTOCOL.iter().all(|c| c.is_protocol()));
        assert!(!Category::PROTOCOL.contains(&Category::Accessory));
        assert_eq!(Category::ALL[..3], Category::PROTOCOL);
        assert_eq!(Category::ALL[3], Category::Accessory);
        // a class table that calls a magazine a part is refused
        assert_eq!(
            Taxonomy::new(vec![
                ci("handgun", Category::Firearm),
                ci("magazine", Category::Part)
            ]),
            Err(TaxonomyError::WrongCategory {
                class: "magazine".into(),
                known: Category::Accessory,
                given: Category::Part,
            })
        );
        assert!(matches!(
            Taxonomy::new(vec![ci("silencer", Category::Accessory)]),
            Err(TaxonomyError::WrongCategory { .. })
        ));
        // a category-level table with an `accessory` class, as a model may have
        let t = Taxonomy::new(vec![
            ci("firearm", Category::Firearm),
            ci("part", Category::Part),
            ci("ammunition", Category::Ammunition),
            ci("accessory", Category::Accessory),
            ci("magazine", Category::Accessory),
        ]);
        assert_eq!(t.map(|t| t.len()), Ok(5));
    }

    #[test]
    fn new_classes_are_added_at_the_end() {
        // synth's COCO ids and YOLO indices are positions in this table: the classes known before
        // silencer keep theirs
        let pos = |n: &str| KNOWN_FINE_CLASSES.iter().position(|(c, _)| *c == n);
        assert_eq!(pos("magazine"), Some(13));
        assert_eq!(pos("ammunition_belt"), Some(18));
        assert_eq!(pos("silencer"), Some(KNOWN_FINE_CLASSES.len() - 1));
    }

    #[test]
    fn category_round_trips_through_text() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
            assert_eq!(c.to_string(), c.as_str());
        }
        let e = "knife"
            .parse::<Category>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        for name in ["firearm", "part", "ammunition", "accessory"] {
            assert!(e.contains(name), "{e}");
        }
    }
}
