//! Packs from `.tar.gz` files: extracted once, with the `tar` command, into ekscheck's cache
//! under the archive's hash (members are kept inside the target directory: GNU and BSD tar
//! strip leading `/` and refuse `..`).

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The directory `archive` is extracted in.
pub(super) fn extract(cache: &Path, archive: &Path) -> Result<PathBuf, String> {
    let bytes = std::fs::read(archive)
        .map_err(|error| format!("cannot read {}: {error}", archive.display()))?;
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let target = cache.join("tarballs").join(&digest[..32]);
    if target.is_dir() {
        return Ok(target);
    }
    let partial = cache
        .join("tarballs")
        .join(format!("{}.partial", &digest[..32]));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|error| error.to_string())?;
    let output = Command::new("tar")
        .arg("-xzf")
        .arg(archive)
        .arg("-C")
        .arg(&partial)
        .output()
        .map_err(|error| format!("cannot run tar: {error}"))?;
    if !output.status.success() {
        let _ = std::fs::remove_dir_all(&partial);
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "{} is not a .tar.gz archive tar can read: {}",
            archive.display(),
            stderr.lines().next().unwrap_or("tar failed")
        ));
    }
    std::fs::rename(&partial, &target).map_err(|error| error.to_string())?;
    Ok(target)
}
