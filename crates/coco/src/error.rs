//! The errors of armscan-coco.

/// Errors reading a COCO selection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CocoError {
    /// A where-clause that is not `KEY=V1,V2,...`.
    #[error("--where `{0}`: expected KEY=VALUE[,VALUE...]")]
    BadWhere(String),
}
