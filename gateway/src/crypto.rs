//! The reporter's identity is encrypted at rest with XChaCha20-Poly1305 (RustCrypto's
//! `chacha20poly1305`): a random 24-byte nonce per record, the tracking id as associated data so
//! a blob cannot be moved to another report. Stored as `nonce || ciphertext+tag`.

use std::io::Write as _;
use std::path::Path;

use anyhow::{bail, Context as _};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const NONCE_LEN: usize = 24;

/// The identity key, loaded once at start.
pub struct Cipher {
    aead: XChaCha20Poly1305,
}

// The key must not end up in a log through a debug dump.
impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher { .. }")
    }
}

/// Where the key came from, for the start-up log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    File,
    Env,
    /// Read from the data directory, where an earlier start generated it.
    DataDir,
    /// Generated now into the data directory.
    Generated,
}

impl Cipher {
    /// A cipher from 32 key bytes.
    pub fn new(key: &[u8; 32]) -> Cipher {
        Cipher {
            aead: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// Loads the key: `--encryption-key-file`, else env `LAPOR_ENCRYPTION_KEY`, else
    /// `<data_dir>/identity.key`, generating that file (mode 0600) if it does not exist.
    pub fn load(key_file: Option<&Path>, data_dir: &Path) -> anyhow::Result<(Cipher, KeySource)> {
        if let Some(path) = key_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading key file {}", path.display()))?;
            return Ok((Cipher::new(&parse_hex_key(&text)?), KeySource::File));
        }
        if let Ok(text) = std::env::var("LAPOR_ENCRYPTION_KEY") {
            return Ok((Cipher::new(&parse_hex_key(&text)?), KeySource::Env));
        }
        let path = data_dir.join("identity.key");
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading key file {}", path.display()))?;
            return Ok((Cipher::new(&parse_hex_key(&text)?), KeySource::DataDir));
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
        write_private(&path, hex(&key).as_bytes())?;
        Ok((Cipher::new(&key), KeySource::Generated))
    }

    /// Encrypts `plain`, bound to `aad` (the tracking id).
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
        let sealed = self
            .aead
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what [`Cipher::seal`] produced with the same `aad`.
    pub fn open(&self, blob: &[u8], aad: &[u8]) -> anyhow::Result<Vec<u8>> {
        if blob.len() < NONCE_LEN {
            bail!("sealed blob too short");
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        self.aead
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map_err(|_| anyhow::anyhow!("identity cannot be decrypted with this key"))
    }
}

/// 64 hex characters (blanks around are ignored) into 32 bytes.
pub fn parse_hex_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let text = text.trim().as_bytes();
    if text.len() != 64 {
        bail!("the encryption key must be 64 hex characters");
    }
    let mut key = [0u8; 32];
    for (i, pair) in text.chunks(2).enumerate() {
        let digit = |b: u8| (b as char).to_digit(16);
        match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => key[i] = (hi * 16 + lo) as u8,
            _ => bail!("the encryption key must be 64 hex characters"),
        }
    }
    Ok(key)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a new file readable by its owner only, synced.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating key file {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_aad_binding() {
        let cipher = Cipher::new(&[7u8; 32]);
        let blob = cipher.seal(b"3174015708900003", b"LPR-A").unwrap();
        assert!(!blob.windows(16).any(|w| w == b"3174015708900003"));
        assert_eq!(cipher.open(&blob, b"LPR-A").unwrap(), b"3174015708900003");
        assert!(cipher.open(&blob, b"LPR-B").is_err());
        assert!(Cipher::new(&[8u8; 32]).open(&blob, b"LPR-A").is_err());
    }

    #[test]
    fn hex_key_parsing() {
        let key = "00".repeat(31) + "ff";
        assert_eq!(parse_hex_key(&key).unwrap()[31], 0xff);
        assert!(parse_hex_key("abc").is_err());
        assert!(parse_hex_key(&"zz".repeat(32)).is_err());
        assert_eq!(parse_hex_key(&hex(&[0xab; 32])).unwrap(), [0xab; 32]);
    }
}
