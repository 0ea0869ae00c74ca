//! The progress bar both commands show on a terminal.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `len` items drawn with `template` (indicatif syntax), or a
/// hidden bar when `visible` is false (not a terminal, `--jsonl`, `--no-progress`).
pub fn bar(len: usize, template: &str, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}
