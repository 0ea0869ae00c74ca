//! A folder of DICOS threat detection reports (`--tdr DIR`): one `.tdr.dcs` file per scan,
//! written whole or not at all, never over another.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::ReportError;
use crate::writer::{safe_stem, unique_name};

/// The file name ending of a threat detection report.
pub const TDR_SUFFIX: &str = ".tdr.dcs";

/// Writes report files into one folder. Each file is named after its scan (`NAME.tdr.dcs`, its
/// name made safe, as the report folder's overlays are); a name already used in this run or
/// already in the folder gets `_2`, `_3`, ... A file appears whole: it is written under a
/// temporary name and linked to its final name, which fails rather than replace a file.
#[derive(Debug)]
pub struct TdrFolder {
    dir: PathBuf,
    taken: HashSet<String>,
}

impl TdrFolder {
    /// Creates `dir` (and its parents) when missing.
    ///
    /// # Errors
    /// [`ReportError::CreateDir`] when the folder cannot be created.
    pub fn create(dir: &Path) -> Result<Self, ReportError> {
        fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
        Ok(Self {
            dir: dir.to_owned(),
            taken: HashSet::new(),
        })
    }

    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one report's bytes for the scan named `scan`; returns the file's path.
    ///
    /// # Errors
    /// [`ReportError::Io`] when the file cannot be written.
    pub fn write(&mut self, scan: &str, bytes: &[u8]) -> Result<PathBuf, ReportError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| ReportError::Io { path, source }
        };
        let stem = safe_stem(scan);
        let tmp = self
            .dir
            .join(format!(".{stem}.{}.partial", std::process::id()));
        {
            let mut file = fs::File::create(&tmp).map_err(io(&tmp))?;
            file.write_all(bytes).map_err(io(&tmp))?;
            file.sync_all().map_err(io(&tmp))?;
        }
        let result = loop {
            let name = unique_name(&stem, &mut self.taken);
            let path = self.dir.join(format!("{name}{TDR_SUFFIX}"));
            match fs::hard_link(&tmp, &path) {
                Ok(()) => break Ok(path),
                // left by an earlier run: keep it, take the next name
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(source) => break Err(ReportError::Io { path, source }),
            }
        };
        let removed = fs::remove_file(&tmp).map_err(io(&tmp));
        let path = result?;
        removed?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_in_a_run_and_across_runs() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut folder = TdrFolder::create(&dir.path().join("tdr"))?;
        let a = folder.write("in/bag 1.dcs", b"first")?;
        let b = folder.write("other/bag 1.dcs", b"second")?;
        assert_eq!(a.file_name(), Some("in_bag_1_dcs.tdr.dcs".as_ref()));
        assert_ne!(a, b);
        // a second run into the same folder keeps the first run's files
        let mut again = TdrFolder::create(&dir.path().join("tdr"))?;
        let c = again.write("in/bag 1.dcs", b"third")?;
        assert!(c != a && c != b);
        assert_eq!(fs::read(&a)?, b"first");
        assert_eq!(fs::read(&b)?, b"second");
        assert_eq!(fs::read(&c)?, b"third");
        // no temporary file is left
        let names: Vec<String> = fs::read_dir(folder.dir())?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names.iter().all(|n| n.ends_with(TDR_SUFFIX)));
        Ok(())
    }
}
