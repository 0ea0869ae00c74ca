//! The errors of armscan-eval.

/// Errors of the data set side of an evaluation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The COCO file is malformed or inconsistent.
    #[error("{0}")]
    Coco(String),
    /// No image to evaluate.
    #[error("{0}")]
    NoImages(String),
    /// A `--where` clause that is not `KEY=V1,V2,...` ([`armscan_coco::WhereClause::parse`]).
    #[error(transparent)]
    Where(#[from] armscan_coco::CocoError),
    /// Images that could not be paired with exactly one prediction record.
    #[error(
        "{count} image(s) could not be paired with exactly one prediction record:\n  {}",
        shorten(details)
    )]
    Unmatched { count: usize, details: Vec<String> },
}

fn shorten(details: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut lines: Vec<String> = details.iter().take(SHOWN).cloned().collect();
    if details.len() > SHOWN {
        lines.push(format!("... and {} more", details.len() - SHOWN));
    }
    lines.join("\n  ")
}
