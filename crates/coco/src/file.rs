//! The COCO file types, as read.
//!
//! Only what every COCO file has is required: `images` (each a JSON object; `id` and
//! `file_name` are checked by the user), and for each annotation `image_id`, `category_id` and
//! `bbox`, for each category `id` and `name`. Ids are kept as JSON values and compared as such;
//! `annotations` and `categories` default to empty lists ([`CocoFile::categories`] is `None` when
//! the file has none, for a user that requires them).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::WhereClause;

/// One image: its JSON object as written (`id`, `file_name`, and any other field such as
/// `series`, `width` or `pixel_spacing_mm`).
pub type CocoImage = Map<String, Value>;

/// A COCO `annotations.json`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CocoFile {
    pub images: Vec<CocoImage>,
    #[serde(default)]
    pub annotations: Vec<CocoAnnotation>,
    /// `None` when the file has no `categories` field.
    #[serde(default)]
    pub categories: Option<Vec<CocoCategory>>,
}

/// One annotation.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CocoAnnotation {
    #[serde(default)]
    pub id: Option<Value>,
    pub image_id: Value,
    pub category_id: Value,
    /// `[x, y, w, h]` as written (the user checks there are four).
    pub bbox: Vec<f64>,
    #[serde(default)]
    pub iscrowd: Option<Value>,
    /// Every other field (`area`, `segmentation`, difficulty tags written by `armscan synth`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One category.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CocoCategory {
    pub id: Value,
    pub name: String,
    /// As written (a string in a well-formed file).
    #[serde(default)]
    pub supercategory: Option<Value>,
}

impl CocoFile {
    /// Parses the text of an `annotations.json`.
    ///
    /// # Errors
    /// The JSON error when the text is not JSON or lacks a required field.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The categories, empty when the file has none.
    #[must_use]
    pub fn categories(&self) -> &[CocoCategory] {
        self.categories.as_deref().unwrap_or_default()
    }

    /// The images every clause of `filter` keeps, in the file's order.
    pub fn selected<'a>(
        &'a self,
        filter: &'a [WhereClause],
    ) -> impl Iterator<Item = &'a CocoImage> + 'a {
        self.images
            .iter()
            .filter(move |im| filter.iter().all(|w| w.keeps(im)))
    }

    /// The annotations of the image whose `id` is `image_id`, in the file's order.
    pub fn annotations_of<'a>(
        &'a self,
        image_id: &'a Value,
    ) -> impl Iterator<Item = &'a CocoAnnotation> + 'a {
        self.annotations
            .iter()
            .filter(move |a| a.image_id == *image_id)
    }

    /// The category whose `id` is `id`.
    #[must_use]
    pub fn category(&self, id: &Value) -> Option<&CocoCategory> {
        self.categories().iter().find(|c| c.id == *id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_where_files_differ() {
        let c = CocoFile::from_json(concat!(
            r#"{"images":[{"id":"a","file_name":"x.png"}],"#,
            r#""annotations":[{"image_id":"a","category_id":1,"bbox":[1,2,3,4],"area":12}]}"#
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(c.categories.is_none());
        assert!(c.categories().is_empty());
        let id = c.images[0].get("id").cloned().unwrap_or_default();
        assert_eq!(c.annotations_of(&id).count(), 1);
        assert_eq!(c.annotations[0].extra.get("area"), Some(&Value::from(12)));
        assert!(
            CocoFile::from_json(r#"{"annotations":[]}"#).is_err(),
            "images are required"
        );
        assert!(
            CocoFile::from_json(r#"{"images":[],"annotations":[{"image_id":1,"category_id":1}]}"#)
                .is_err(),
            "bbox is required"
        );
    }
}
