//! Finding complete scans in the input folder.
//!
//! The convention (also in the crate docs and the README):
//! - only regular files directly in the input folder whose extension is one `armscan scan` walks
//!   (`png`, `jpg`, `jpeg`, `tif`, `tiff`, `bmp`) are looked at; sub-folders are not walked;
//! - names starting with `.` or ending in `.part` or `.tmp` are never taken: a scanner writes
//!   `.NAME` or `NAME.part` and renames it into place when it is complete;
//! - a file is taken once its size, modification time and inode stayed the same for the settle
//!   interval (`--settle-ms`), so a scanner that writes in place is not read half-written
//!   either, as long as it never pauses longer than the settle interval;
//! - `NAME_high.EXT` and `NAME_low.EXT` form one dual-energy scan, taken when both are settled.
//!   A half whose partner does not appear within the pair wait (`--pair-wait-ms`) after it
//!   settled is screened alone.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use armscan_ingest::IMAGE_EXTENSIONS;

use crate::error::WatchError;
use crate::journal::{ClaimedFile, Fingerprint};

/// True for names the watcher may take (see the module docs).
#[must_use]
pub fn is_candidate_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if name.starts_with('.') || lower.ends_with(".part") || lower.ends_with(".tmp") {
        return false;
    }
    Path::new(&lower)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e))
}

/// Splits `NAME_high.EXT` / `NAME_low.EXT` into (`NAME`, is_high, `EXT`),
/// case-insensitively on the tag.
fn energy_tag(name: &str) -> Option<(&str, bool, &str)> {
    let dot = name.rfind('.')?;
    let (stem, ext) = (&name[..dot], &name[dot + 1..]);
    let lower = stem.to_ascii_lowercase();
    if lower.ends_with("_high") {
        Some((&stem[..stem.len() - 5], true, ext))
    } else if lower.ends_with("_low") {
        Some((&stem[..stem.len() - 4], false, ext))
    } else {
        None
    }
}

/// The name reported for a pair: `NAME_{high,low}.EXT`, as `armscan scan` reports pairs.
fn pair_name(high: &str) -> String {
    match high.to_ascii_lowercase().rfind("_high") {
        Some(i) => format!("{}_{{high,low}}{}", &high[..i], &high[i + 5..]),
        None => high.to_owned(),
    }
}

/// A scan ready to be taken: its reported name and its files (high first for a pair).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadyScan {
    pub name: String,
    pub files: Vec<ClaimedFile>,
}

#[derive(Clone, Copy, Debug)]
struct Seen {
    fingerprint: Fingerprint,
    since: Instant,
}

/// Remembers what each candidate file looked like and since when, to tell settled files.
#[derive(Debug)]
pub struct Inbox {
    settle: Duration,
    pair_wait: Duration,
    seen: HashMap<String, Seen>,
}

impl Inbox {
    #[must_use]
    pub fn new(settle: Duration, pair_wait: Duration) -> Self {
        Self {
            settle,
            pair_wait,
            seen: HashMap::new(),
        }
    }

    /// Lists `in_dir` and returns the scans that are complete now, oldest modification first,
    /// skipping files in `busy` (taken by unfinished journal rows).
    ///
    /// # Errors
    /// [`WatchError::Io`] when the folder cannot be listed.
    pub fn poll(
        &mut self,
        in_dir: &Path,
        busy: &HashSet<String>,
        now: Instant,
    ) -> Result<Vec<ReadyScan>, WatchError> {
        let mut present: HashMap<String, Fingerprint> = HashMap::new();
        let entries =
            std::fs::read_dir(in_dir).map_err(WatchError::io("listing input folder", in_dir))?;
        for entry in entries {
            let Ok(entry) = entry else { continue };
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !is_candidate_name(&name) || busy.contains(&name) {
                continue;
            }
            // Follows symlinks: a link into place counts as the file it names.
            let Ok(meta) = std::fs::metadata(entry.path()) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            present.insert(name, Fingerprint::of(&meta));
        }
        self.seen.retain(|name, _| present.contains_key(name));
        let mut settled: HashMap<&str, (Fingerprint, Instant)> = HashMap::new();
        for (name, fp) in &present {
            let seen = self.seen.entry(name.clone()).or_insert(Seen {
                fingerprint: *fp,
                since: now,
            });
            if seen.fingerprint != *fp {
                *seen = Seen {
                    fingerprint: *fp,
                    since: now,
                };
            }
            let settled_at = seen.since + self.settle;
            if now >= settled_at {
                settled.insert(name.as_str(), (*fp, settled_at));
            }
        }

        let mut ready: Vec<(i128, ReadyScan)> = Vec::new();
        let mut used: HashSet<&str> = HashSet::new();
        let mut names: Vec<&str> = settled.keys().copied().collect();
        names.sort_unstable();
        for name in names {
            if used.contains(name) {
                continue;
            }
            let (fp, settled_at) = settled[name];
            let file = |n: &str, fp: Fingerprint| ClaimedFile {
                name: n.to_owned(),
                fingerprint: fp,
            };
            if let Some((base, is_high, ext)) = energy_tag(name) {
                let partner = present.keys().find(|other| {
                    other.as_str() != name
                        && energy_tag(other).is_some_and(|(b, h, e)| {
                            b == base && h != is_high && e.eq_ignore_ascii_case(ext)
                        })
                });
                match partner {
                    Some(partner) => {
                        let Some(&(pfp, _)) = settled.get(partner.as_str()) else {
                            continue;
                        }; // partner still settling
                        used.insert(name);
                        used.insert(partner.as_str());
                        let (high, low) = if is_high {
                            ((name, fp), (partner.as_str(), pfp))
                        } else {
                            ((partner.as_str(), pfp), (name, fp))
                        };
                        ready.push((
                            fp.mtime_ns.max(pfp.mtime_ns),
                            ReadyScan {
                                name: pair_name(high.0),
                                files: vec![file(high.0, high.1), file(low.0, low.1)],
                            },
                        ));
                        continue;
                    }
                    // wait for the other half
                    None if now < settled_at + self.pair_wait => continue,
                    None => {}
                }
            }
            used.insert(name);
            ready.push((
                fp.mtime_ns,
                ReadyScan {
                    name: name.to_owned(),
                    files: vec![file(name, fp)],
                },
            ));
        }
        ready.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        Ok(ready.into_iter().map(|(_, r)| r).collect())
    }

    /// Forgets files that were taken, so a new file at the same name starts settling afresh.
    pub fn forget(&mut self, names: impl IntoIterator<Item = impl AsRef<str>>) {
        for n in names {
            self.seen.remove(n.as_ref());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn names_follow_the_convention() {
        for ok in ["a.png", "B.TIFF", "x_high.jpg", "scan.bmp"] {
            assert!(is_candidate_name(ok), "{ok}");
        }
        for no in [
            ".a.png",
            "a.png.part",
            "a.png.tmp",
            "A.PNG.PART",
            "notes.txt",
            "noext",
        ] {
            assert!(!is_candidate_name(no), "{no}");
        }
        assert_eq!(energy_tag("bag_HIGH.png"), Some(("bag", true, "png")));
        assert_eq!(pair_name("bag_high.png"), "bag_{high,low}.png");
    }

    #[test]
    fn files_are_taken_once_settled_and_pairs_together() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.png"), b"1").unwrap();
        std::fs::write(d.join("p_high.png"), b"1").unwrap();
        std::fs::write(d.join("b.png.part"), b"1").unwrap();
        let mut inbox = Inbox::new(Duration::from_millis(100), Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(
            inbox.poll(d, &HashSet::new(), t0).unwrap().is_empty(),
            "nothing settled yet"
        );
        let ready = inbox
            .poll(d, &HashSet::new(), t0 + Duration::from_millis(150))
            .unwrap();
        assert_eq!(
            ready.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["a.png"],
            "the lone half waits"
        );
        std::fs::write(d.join("p_low.png"), b"2").unwrap();
        let t1 = t0 + Duration::from_millis(200);
        assert_eq!(
            inbox.poll(d, &HashSet::new(), t1).unwrap().len(),
            1,
            "a.png again: nothing busy"
        );
        let busy: HashSet<String> = ["a.png".to_owned()].into();
        let ready = inbox
            .poll(d, &busy, t1 + Duration::from_millis(150))
            .unwrap();
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].name, "p_{high,low}.png");
        assert_eq!(ready[0].files[0].name, "p_high.png");
        assert_eq!(ready[0].files[1].name, "p_low.png");
    }

    #[test]
    fn a_lone_half_goes_alone_after_the_pair_wait() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("q_low.png"), b"1").unwrap();
        let mut inbox = Inbox::new(Duration::from_millis(10), Duration::from_millis(100));
        let t0 = Instant::now();
        inbox.poll(dir.path(), &HashSet::new(), t0).unwrap();
        assert!(inbox
            .poll(dir.path(), &HashSet::new(), t0 + Duration::from_millis(50))
            .unwrap()
            .is_empty());
        let ready = inbox
            .poll(dir.path(), &HashSet::new(), t0 + Duration::from_millis(200))
            .unwrap();
        assert_eq!(ready[0].name, "q_low.png");
    }
}
