//! The data directory on disk: private to the gateway's user (the directory `0700`, every file
//! `0600`, whatever the umask), held by one process at a time, and kept free of attachment
//! files that no report names.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;

/// The lock that keeps a second gateway (or a key rotation) off a data directory in use. It is
/// released when dropped, or when the process ends however it ends.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

/// Creates the data directory (and `attachments/`) if needed, makes it and everything in it
/// private, and takes its lock. Fails if another process holds the lock.
pub fn prepare(data_dir: &Path) -> anyhow::Result<DataDirLock> {
    std::fs::create_dir_all(data_dir.join("attachments"))
        .with_context(|| format!("creating data directory {}", data_dir.display()))?;
    make_private(data_dir)?;
    let lock = lock(data_dir)?;
    Ok(lock)
}

/// Takes the data directory's lock (`gateway.lock`).
pub fn lock(data_dir: &Path) -> anyhow::Result<DataDirLock> {
    let path = data_dir.join("gateway.lock");
    let file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(DataDirLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "{} is in use by another lapor-gateway process (one process per data directory, \
             so that no two forward the same outbox)",
            data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// Creates a new file, readable and writable by its owner only; fails if it exists.
pub fn create_private(path: &Path) -> io::Result<File> {
    private_options().write(true).create_new(true).open(path)
}

fn private_options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
}

/// The directory `0700` and every file below it `0600` (directories below it `0700`): files
/// made by an earlier version, or by SQLite under a loose umask.
pub fn make_private(dir: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("making {} private", dir.display()))?;
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    stack.push(entry.path());
                } else if kind.is_file() {
                    std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600))
                        .with_context(|| format!("making {} private", entry.path().display()))?;
                }
            }
        }
    }
    Ok(())
}

/// Removes the files in `attachments/` that no report names and that are older than `grace`
/// (a file younger than that may belong to a report being stored right now). Returns the
/// names removed.
pub fn sweep_orphans(
    data_dir: &Path,
    named: &std::collections::HashSet<String>,
    grace: Duration,
) -> anyhow::Result<Vec<PathBuf>> {
    let dir = data_dir.join("attachments");
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let relative = format!("attachments/{}", entry.file_name().to_string_lossy());
        if named.contains(&relative) {
            continue;
        }
        let age = entry
            .metadata()?
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if age >= grace {
            std::fs::remove_file(entry.path())?;
            removed.push(entry.path());
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lapor-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_second_lock_on_the_same_directory_is_refused() {
        let dir = temp("lock");
        let first = prepare(&dir).unwrap();
        let second = lock(&dir).unwrap_err().to_string();
        assert!(second.contains("in use"), "{second}");
        drop(first);
        lock(&dir).unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn everything_in_the_data_directory_becomes_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = temp("modes");
        std::fs::create_dir_all(dir.join("attachments")).unwrap();
        let loose = dir.join("attachments/old.bin");
        std::fs::write(&loose, b"x").unwrap();
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o755)).unwrap();
        let _lock = prepare(&dir).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("attachments")), 0o700);
        assert_eq!(mode(&loose), 0o600);
        assert_eq!(mode(&dir.join("gateway.lock")), 0o600);
        let new = dir.join("attachments/new.bin");
        create_private(&new).unwrap();
        assert_eq!(mode(&new), 0o600);
        assert!(create_private(&new).is_err(), "create_new");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn orphans_older_than_the_grace_period_are_swept() {
        let dir = temp("sweep");
        std::fs::create_dir_all(dir.join("attachments")).unwrap();
        std::fs::write(dir.join("attachments/LPR-KEEP.bin"), b"x").unwrap();
        std::fs::write(dir.join("attachments/LPR-ORPHAN.bin"), b"x").unwrap();
        let named = ["attachments/LPR-KEEP.bin".to_owned()]
            .into_iter()
            .collect();
        assert!(sweep_orphans(&dir, &named, Duration::from_secs(3600))
            .unwrap()
            .is_empty());
        let removed = sweep_orphans(&dir, &named, Duration::ZERO).unwrap();
        assert_eq!(removed, [dir.join("attachments/LPR-ORPHAN.bin")]);
        assert!(dir.join("attachments/LPR-KEEP.bin").exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}
