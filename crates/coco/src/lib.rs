//! One COCO `annotations.json` reader for armscan: `armscan synth` (real threat crops and clean
//! bags for threat image projection), `armscan eval` (the data set evaluated) and training
//! selections all read COCO files through it.
//!
//! - [`file`]: the file types ([`CocoFile`], [`CocoImage`], [`CocoAnnotation`], [`CocoCategory`]),
//!   lenient where COCO files differ (ids are any JSON value, `annotations` and `categories` may
//!   be missing, unknown fields are kept); each user checks what it needs;
//! - [`select`]: [`WhereClause`], `KEY=V1,V2`: keep images whose field `KEY` is one of the values;
//! - [`path`]: [`normalise_path`] (paths compared as text) and [`image_path`] (where an image's
//!   `file_name` lies on disk);
//! - [`error`]: the error type, [`CocoError`].
//!
//! Which categories are threats is the caller's rule (`armscan-eval` reads names and
//! supercategories, `armscan-synth` exact fine classes); this crate does not decide it.
//!
//! ```
//! use armscan_coco::{CocoFile, WhereClause};
//! let coco =
//!     CocoFile::from_json(r#"{"images":[{"id":1,"file_name":"a.png","series":"B0049"}]}"#)?;
//! let w = [WhereClause::parse("series=B0049")?];
//! assert_eq!(coco.selected(&w).count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod file;
pub mod path;
pub mod select;

pub use error::CocoError;
pub use file::{CocoAnnotation, CocoCategory, CocoFile, CocoImage};
pub use path::{image_path, normalise_path};
pub use select::WhereClause;
