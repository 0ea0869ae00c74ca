//! Turning the paths given on a command line into scans to read, in a stable order.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// File extensions picked up when walking folders (lower case). Files
/// given by name are always read.
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "tif", "tiff", "bmp", "dcs", "dcm"];

/// One thing to screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanInput {
    /// One file: single-energy, pseudo-colour, or a two-plane TIFF.
    File(PathBuf),
    /// A dual-energy pair found by name: `NAME_high.EXT` and `NAME_low.EXT` in one folder.
    DualPair { high: PathBuf, low: PathBuf },
    /// A path that could not be walked (unreadable folder, symlink loop, missing path). It still
    /// gets a record: nothing given is silently dropped.
    Broken { path: PathBuf, reason: String },
}

impl ScanInput {
    /// The name reported for this input: the path as given; for a pair, the high-energy file's
    /// path with `_high` replaced by `_{high,low}`.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            ScanInput::File(p) | ScanInput::Broken { path: p, .. } => p.display().to_string(),
            ScanInput::DualPair { high, .. } => {
                let s = high.display().to_string();
                match s.rfind("_high") {
                    Some(i) => format!("{}_{{high,low}}{}", &s[..i], &s[i + 5..]),
                    None => s,
                }
            }
        }
    }

    /// The main file of this input.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            ScanInput::File(p)
            | ScanInput::Broken { path: p, .. }
            | ScanInput::DualPair { high: p, .. } => p,
        }
    }
}

fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Splits `NAME_high.EXT` into (`NAME`, `high`, `EXT`).
fn energy_tag(path: &Path) -> Option<(String, &'static str, String)> {
    let stem = path.file_stem()?.to_str()?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_owned();
    let lower = stem.to_ascii_lowercase();
    for tag in ["high", "low"] {
        if lower.ends_with(&format!("_{tag}")) {
            let base = &stem[..stem.len() - tag.len() - 1];
            let dir = path
                .parent()
                .map(|d| d.join(base))
                .unwrap_or_else(|| PathBuf::from(base));
            return Some((dir.display().to_string(), tag, ext.to_ascii_lowercase()));
        }
    }
    None
}

/// Expands paths into scan inputs: files as given, folders walked recursively with entries sorted
/// by name (so the order is the same on every machine), image files only. Symlinked folders are
/// followed once; a loop gives a [`ScanInput::Broken`] entry. Within one folder, `X_high.EXT` and
/// `X_low.EXT` become one [`ScanInput::DualPair`]; a lone half stays a single file.
#[must_use]
pub fn collect_inputs(paths: &[PathBuf]) -> Vec<ScanInput> {
    let mut out = Vec::new();
    for path in paths {
        let mut visited = HashSet::new();
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk_dir(path, &mut visited, &mut out),
            Ok(_) => out.push(ScanInput::File(path.clone())),
            Err(e) => out.push(ScanInput::Broken {
                path: path.clone(),
                reason: e.to_string(),
            }),
        }
    }
    out
}

fn walk_dir(dir: &Path, visited: &mut HashSet<PathBuf>, out: &mut Vec<ScanInput>) {
    let canonical = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => {
            out.push(ScanInput::Broken {
                path: dir.to_owned(),
                reason: e.to_string(),
            });
            return;
        }
    };
    if !visited.insert(canonical) {
        out.push(ScanInput::Broken {
            path: dir.to_owned(),
            reason: "symlink loop: folder already visited".into(),
        });
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            out.push(ScanInput::Broken {
                path: dir.to_owned(),
                reason: format!("cannot list folder: {e}"),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) => paths.push(e.path()),
            Err(e) => out.push(ScanInput::Broken {
                path: dir.to_owned(),
                reason: format!("cannot list folder: {e}"),
            }),
        }
    }
    paths.sort();
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for p in paths {
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => dirs.push(p),
            Ok(_) if has_image_extension(&p) => files.push(p),
            Ok(_) => {}
            // A dangling symlink or a vanished entry named like an image still gets a record.
            Err(e) if has_image_extension(&p) => out.push(ScanInput::Broken {
                path: p,
                reason: e.to_string(),
            }),
            Err(_) => {}
        }
    }
    let mut used = vec![false; files.len()];
    for i in 0..files.len() {
        if used[i] {
            continue;
        }
        if let Some((base, "high", ext)) = energy_tag(&files[i]) {
            let partner = files.iter().enumerate().position(|(j, f)| {
                !used[j]
                    && j != i
                    && energy_tag(f).is_some_and(|(b, t, e)| b == base && t == "low" && e == ext)
            });
            if let Some(j) = partner {
                used[i] = true;
                used[j] = true;
                out.push(ScanInput::DualPair {
                    high: files[i].clone(),
                    low: files[j].clone(),
                });
                continue;
            }
        }
        if let Some((base, "low", ext)) = energy_tag(&files[i]) {
            let partner_exists = files.iter().any(|f| {
                energy_tag(f).is_some_and(|(b, t, e)| b == base && t == "high" && e == ext)
            });
            if partner_exists {
                continue; // picked up with its high half
            }
        }
        used[i] = true;
        out.push(ScanInput::File(files[i].clone()));
    }
    for d in dirs {
        walk_dir(&d, visited, out);
    }
}
