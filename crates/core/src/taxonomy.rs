//! Fine classes and the three categories of the UN Firearms Protocol (art. 3).
//!
//! A detector predicts fine classes (`handgun`, `slide`, `cartridge`, ...). Every fine class
//! belongs to exactly one Protocol category: a firearm, a part or component of one, or ammunition.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The Protocol's three categories of things to find.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A whole firearm (pistol, revolver, rifle, shotgun), assembled or folded.
    Firearm,
    /// A part or component: barrel, frame or receiver, slide or cylinder, bolt or breech block, ...
    Part,
    /// Ammunition: cartridges, shells, their cases and projectiles.
    Ammunition,
}

impl Category {
    /// All categories, in report order.
    pub const ALL: [Category; 3] = [Category::Firearm, Category::Part, Category::Ammunition];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Firearm => "firearm",
            Category::Part => "part",
            Category::Ammunition => "ammunition",
        }
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
            other => Err(TaxonomyError::UnknownCategory(other.to_owned())),
        }
    }
}

/// The fine classes armscan knows, with their category. A model may use any subset of them.
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
    ("trigger_group", Category::Part),
    ("magazine", Category::Part),
    ("cartridge", Category::Ammunition),
    ("shotgun_shell", Category::Ammunition),
    ("ammunition_box", Category::Ammunition),
    ("ammunition_clip", Category::Ammunition),
    ("ammunition_belt", Category::Ammunition),
];

/// Errors in a class table.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaxonomyError {
    #[error("unknown Protocol category `{0}` (expected firearm, part or ammunition)")]
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

/// One fine class and its Protocol category.
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
        for p in ["barrel", "slide", "frame_receiver", "bolt", "cylinder"] {
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
    fn category_round_trips_through_text() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
        assert!("knife".parse::<Category>().is_err());
    }
}
