//! Image paths: how a COCO `file_name` is compared with a path someone
//! wrote, and where it lies on disk.

use std::path::Path;
use std::path::PathBuf;

/// Normalises a path for comparison as text: `\` read as `/`, `.` and empty components dropped
/// (a leading `/` kept).
#[must_use]
pub fn normalise_path(p: &str) -> String {
    let p = p.replace('\\', "/");
    let absolute = p.starts_with('/');
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Where the image `file_name` of a COCO file lies, given the folder it
/// is relative to: `dir/file_name`,
/// or `dir/images/file_name` when only that exists (COCO files often sit next to an `images/`
/// folder that `file_name` leaves out).
#[must_use]
pub fn image_path(dir: &Path, file_name: &str) -> PathBuf {
    let direct = dir.join(file_name);
    if direct.exists() || !dir.join("images").join(file_name).exists() {
        direct
    } else {
        dir.join("images").join(file_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        assert_eq!(normalise_path(".\\a\\\\b/./c.png"), "a/b/c.png");
        assert_eq!(normalise_path("/x//y/"), "/x/y");
        assert_eq!(normalise_path(""), "");
    }

    #[test]
    fn finds_images_folder() {
        let dir = std::env::temp_dir().join(format!("armscan-coco-path-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("images"));
        let _ = std::fs::write(dir.join("images").join("a.png"), b"");
        assert_eq!(image_path(&dir, "a.png"), dir.join("images").join("a.png"));
        assert_eq!(
            image_path(&dir, "b.png"),
            dir.join("b.png"),
            "neither exists: as written"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
