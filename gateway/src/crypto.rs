//! Encryption at rest: the reporter's identity, the report's title, content and location
//! detail are sealed with XChaCha20-Poly1305, every attachment file with its AES-256-GCM
//! counterpart (version 2, below): HChaCha20 (RustCrypto's `chacha20`) derives a subkey from
//! the key and the first 16 bytes of the nonce, and AWS-LC's ChaCha20-Poly1305 (already in the
//! gateway for TLS; several times faster on megabyte attachments than a portable
//! implementation) seals with it. A random 24-byte nonce per record, and associated data naming the
//! record (its tracking id, and which field or attachment), so a blob cannot be moved to another
//! report or another field.
//!
//! A sealed blob is `1 || key id (8) || nonce (24) || ciphertext+tag`: the version byte and the
//! key id let a store hold blobs of several keys while `lapor-gateway keys rotate` re-seals
//! them, and let the gateway tell at start which key its store expects. Blobs written before
//! the version existed (`nonce || ciphertext+tag`) still open with the key that made them.
//!
//! Attachment files, megabytes where the other records are bytes, are sealed as version 2:
//! the same layout, the same 24-byte nonce and HChaCha20 subkey per blob, but the subkey comes
//! from a key of their own (derived once from the key, so no key serves two algorithms) and
//! seals with AWS-LC's AES-256-GCM, which on x86-64 with AES-NI runs at about twice
//! ChaCha20-Poly1305's speed there: sealing was the largest cost of an intake (see
//! `scripts/bench-gateway.sh`). A subkey seals one blob, so the 96-bit GCM nonce is never
//! reused and no bound on the number of blobs comes from it. Both versions always open.

use std::io::Write as _;
use std::path::Path;

use anyhow::{bail, Context as _};
use aws_lc_rs::aead::{
    Aad, Algorithm, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, CHACHA20_POLY1305,
};
use chacha20::cipher::consts::U10;
use sha2::{Digest as _, Sha256};

/// XChaCha20-Poly1305: identity and the report's words.
const VERSION: u8 = 1;
/// AES-256-GCM under an HChaCha20 subkey: attachment files.
const VERSION_FILES: u8 = 2;
/// Bytes of a key id.
pub const KEY_ID_LEN: usize = 8;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// What sealing adds to the length of what it seals.
pub const OVERHEAD: usize = 1 + KEY_ID_LEN + NONCE_LEN + TAG_LEN;
/// What comes before the ciphertext in a sealed blob: version, key id, nonce.
pub const HEAD_LEN: usize = OVERHEAD - TAG_LEN;

/// A key's id: the first 8 bytes of SHA-256 over a label and the key. It names the key in
/// sealed blobs and in messages (as hex, its fingerprint); it tells nothing of the key.
pub type KeyId = [u8; KEY_ID_LEN];

/// The keys, loaded once at start: the one that seals, and others that only open (while a
/// rotation re-seals what they sealed).
pub struct Cipher {
    primary: Key,
    others: Vec<Key>,
}

struct Key {
    id: KeyId,
    bytes: [u8; 32],
    /// The root of version 2's subkeys, derived from `bytes` once.
    files_root: [u8; 32],
}

// The keys must not end up in a log through a debug dump.
impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cipher {{ key: {} }}", self.fingerprint())
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

/// Why a blob did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Sealed with a key this gateway was not given (its fingerprint).
    UnknownKey(String),
    /// Tampered with, cut short, moved to another record, or sealed with another key.
    Corrupt,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::UnknownKey(fp) => write!(f, "sealed with key {fp}, which is not loaded"),
            OpenError::Corrupt => f.write_str("cannot be decrypted with the loaded keys"),
        }
    }
}

impl std::error::Error for OpenError {}

impl Key {
    fn new(bytes: &[u8; 32]) -> Key {
        Key {
            id: key_id(bytes),
            bytes: *bytes,
            files_root: files_root(bytes),
        }
    }

    /// The AEAD key and 12-byte nonce a blob of `version` under a 24-byte nonce comes down
    /// to: for version 1 (and blobs of before the version byte) those of XChaCha20-Poly1305,
    /// for version 2 the same construction with AES-256-GCM from the files' own root key.
    fn subkey(&self, version: u8, nonce: &[u8]) -> (LessSafeKey, Nonce) {
        let (root, algorithm): (&[u8; 32], &'static Algorithm) = if version == VERSION_FILES {
            (&self.files_root, &AES_256_GCM)
        } else {
            (&self.bytes, &CHACHA20_POLY1305)
        };
        let sub = chacha20::hchacha::<U10>(root.into(), nonce[..16].into());
        let mut short = [0u8; 12];
        short[4..].copy_from_slice(&nonce[16..NONCE_LEN]);
        let key = UnboundKey::new(algorithm, sub.as_slice()).expect("a 32-byte AEAD key");
        (LessSafeKey::new(key), Nonce::assume_unique_for_key(short))
    }

    /// Seals `plain` under `nonce`, appending ciphertext and tag to `out`.
    fn seal_into(
        &self,
        nonce: &[u8],
        plain: &[u8],
        aad: &[u8],
        out: &mut Vec<u8>,
    ) -> anyhow::Result<()> {
        let (key, nonce) = self.subkey(VERSION, nonce);
        let start = out.len();
        out.extend_from_slice(plain);
        let tag = key
            .seal_in_place_separate_tag(nonce, Aad::from(aad), &mut out[start..])
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        out.extend_from_slice(tag.as_ref());
        Ok(())
    }

    /// Opens ciphertext+tag `sealed` of a blob of `version` under `nonce`.
    fn open(
        &self,
        version: u8,
        nonce: &[u8],
        sealed: &[u8],
        aad: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        let mut buf = sealed.to_vec();
        self.open_in_place(version, nonce, &mut buf, aad)?;
        Ok(buf)
    }

    /// Opens ciphertext+tag `buf` of a blob of `version` under `nonce` where it lies: on
    /// success `buf` is cut to the plaintext; on failure its content is unspecified.
    fn open_in_place(
        &self,
        version: u8,
        nonce: &[u8],
        buf: &mut Vec<u8>,
        aad: &[u8],
    ) -> Result<(), OpenError> {
        if buf.len() < TAG_LEN {
            return Err(OpenError::Corrupt);
        }
        let (key, nonce) = self.subkey(version, nonce);
        let len = key
            .open_in_place(nonce, Aad::from(aad), buf)
            .map_err(|_| OpenError::Corrupt)?
            .len();
        buf.truncate(len);
        Ok(())
    }
}

impl Cipher {
    /// A cipher that seals with `key`.
    pub fn new(key: &[u8; 32]) -> Cipher {
        Cipher {
            primary: Key::new(key),
            others: Vec::new(),
        }
    }

    /// Also opens (never seals) what `key` sealed.
    pub fn with_old_key(mut self, key: &[u8; 32]) -> Cipher {
        self.others.push(Key::new(key));
        self
    }

    /// The sealing key's id.
    pub fn key_id(&self) -> KeyId {
        self.primary.id
    }

    /// The sealing key's fingerprint (its id in hex), safe to print.
    pub fn fingerprint(&self) -> String {
        hex(&self.primary.id)
    }

    /// Loads the key: `--encryption-key-file`, else env `LAPOR_ENCRYPTION_KEY`, else
    /// `<data_dir>/identity.key`. When none of them exists, a key is generated into
    /// `<data_dir>/identity.key` (mode 0600) only if `may_generate`: a store that already holds
    /// sealed records needs the key that sealed them, never a new one.
    pub fn load(
        key_file: Option<&Path>,
        data_dir: &Path,
        may_generate: bool,
    ) -> anyhow::Result<(Cipher, KeySource)> {
        if let Some(path) = key_file {
            return Ok((Cipher::new(&read_key_file(path)?), KeySource::File));
        }
        if let Ok(text) = std::env::var("LAPOR_ENCRYPTION_KEY") {
            return Ok((Cipher::new(&parse_hex_key(&text)?), KeySource::Env));
        }
        let path = data_dir.join("identity.key");
        if path.exists() {
            return Ok((Cipher::new(&read_key_file(&path)?), KeySource::DataDir));
        }
        if !may_generate {
            bail!(
                "no encryption key: {} is missing and neither --encryption-key-file nor \
                 LAPOR_ENCRYPTION_KEY is set",
                path.display()
            );
        }
        let key = new_key()?;
        write_private(&path, hex(&key).as_bytes())?;
        Ok((Cipher::new(&key), KeySource::Generated))
    }

    /// Encrypts an attachment's bytes `plain` in place, bound to `aad`, as a version 2 blob:
    /// returns what goes before them (version, key id, nonce) and after them (the tag). A
    /// megabyte attachment is sealed without a second copy of it; `head || plain || tag` is
    /// as long as the blob [`Cipher::seal`] makes and opens with [`Cipher::open`].
    pub fn seal_in_place(
        &self,
        plain: &mut [u8],
        aad: &[u8],
    ) -> anyhow::Result<([u8; HEAD_LEN], [u8; TAG_LEN])> {
        let mut head = [0u8; HEAD_LEN];
        head[0] = VERSION_FILES;
        head[1..1 + KEY_ID_LEN].copy_from_slice(&self.primary.id);
        let nonce = &mut head[1 + KEY_ID_LEN..];
        getrandom::fill(nonce).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
        let (key, nonce) = self.primary.subkey(VERSION_FILES, &head[1 + KEY_ID_LEN..]);
        let tag = key
            .seal_in_place_separate_tag(nonce, Aad::from(aad), plain)
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Ok((head, out))
    }

    /// Encrypts `plain`, bound to `aad` (what the record is).
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
        let mut out = Vec::with_capacity(OVERHEAD + plain.len());
        out.push(VERSION);
        out.extend_from_slice(&self.primary.id);
        out.extend_from_slice(&nonce);
        self.primary.seal_into(&nonce, plain, aad, &mut out)?;
        Ok(out)
    }

    /// Decrypts what [`Cipher::seal`] or [`Cipher::seal_in_place`] produced with the same
    /// `aad`, with whichever loaded key sealed it (or, for a blob of before the version byte,
    /// with the sealing key).
    pub fn open(&self, blob: &[u8], aad: &[u8]) -> Result<Vec<u8>, OpenError> {
        if blob.first().is_some_and(|&v| versioned(v)) && blob.len() >= OVERHEAD {
            let id = &blob[1..1 + KEY_ID_LEN];
            let nonce = &blob[1 + KEY_ID_LEN..1 + KEY_ID_LEN + NONCE_LEN];
            let sealed = &blob[1 + KEY_ID_LEN + NONCE_LEN..];
            let key = std::iter::once(&self.primary)
                .chain(&self.others)
                .find(|k| k.id == id);
            if let Some(key) = key {
                return key.open(blob[0], nonce, sealed, aad);
            }
            // A blob of before the version byte may begin with 1 or 2 too: try it as one below.
            if let Ok(plain) = self.open_unversioned(blob, aad) {
                return Ok(plain);
            }
            return Err(OpenError::UnknownKey(hex(id)));
        }
        self.open_unversioned(blob, aad)
    }

    /// Opens a blob read in two pieces, `head` (its first [`HEAD_LEN`] bytes: version, key
    /// id, nonce) and `rest` (ciphertext and tag), decrypting `rest` where it lies: on success
    /// it holds the plaintext, with no second copy of a megabyte attachment. The same blobs
    /// and the same answers as [`Cipher::open`] on `head || rest`.
    pub fn open_split(
        &self,
        head: &[u8; HEAD_LEN],
        rest: &mut Vec<u8>,
        aad: &[u8],
    ) -> Result<(), OpenError> {
        if versioned(head[0]) && rest.len() >= TAG_LEN {
            let id = &head[1..1 + KEY_ID_LEN];
            let key = std::iter::once(&self.primary)
                .chain(&self.others)
                .find(|k| k.id == id);
            if let Some(key) = key {
                let mut nonce = [0u8; NONCE_LEN];
                nonce.copy_from_slice(&head[1 + KEY_ID_LEN..]);
                return key.open_in_place(head[0], &nonce, rest, aad);
            }
        }
        // Not a versioned blob of a loaded key: the rare cases (a blob of before the version
        // byte, an unknown key) go the way of a whole blob.
        let blob = [&head[..], rest].concat();
        *rest = self.open(&blob, aad)?;
        Ok(())
    }

    fn open_unversioned(&self, blob: &[u8], aad: &[u8]) -> Result<Vec<u8>, OpenError> {
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(OpenError::Corrupt);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        std::iter::once(&self.primary)
            .chain(&self.others)
            .find_map(|k| k.open(VERSION, nonce, sealed, aad).ok())
            .ok_or(OpenError::Corrupt)
    }
}

/// Whether a blob's first byte is a version this gateway writes.
fn versioned(first: u8) -> bool {
    first == VERSION || first == VERSION_FILES
}

/// The id of a sealed blob's key, if the blob carries one.
pub fn blob_key_id(blob: &[u8]) -> Option<KeyId> {
    if blob.len() >= OVERHEAD {
        head_key_id(&blob[..1 + KEY_ID_LEN])
    } else {
        None
    }
}

/// The key id named by the first bytes of a blob (version and key id), if it names one.
pub fn head_key_id(head: &[u8]) -> Option<KeyId> {
    match head.first() {
        Some(&v) if versioned(v) => head.get(1..1 + KEY_ID_LEN)?.try_into().ok(),
        _ => None,
    }
}

/// The root key of version 2 blobs: SHA-256 over its own label and the key, so that the
/// ChaCha20 and AES subkeys never come from the same key.
fn files_root(key: &[u8; 32]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"lapor-gateway files key v2\0");
    hash.update(key);
    hash.finalize().into()
}

fn key_id(key: &[u8; 32]) -> KeyId {
    let mut hash = Sha256::new();
    hash.update(b"lapor-gateway key id v1\0");
    hash.update(key);
    let digest = hash.finalize();
    let mut id = [0u8; KEY_ID_LEN];
    id.copy_from_slice(&digest[..KEY_ID_LEN]);
    id
}

/// 32 random bytes from the OS: a new key.
pub fn new_key() -> anyhow::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    Ok(key)
}

/// Reads a key file (64 hex characters).
pub fn read_key_file(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading key file {}", path.display()))?;
    parse_hex_key(&text).with_context(|| format!("key file {}", path.display()))
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

/// Writes a new file readable by its owner only, synced. Fails if the file exists.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = crate::files::create_private(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};

    #[test]
    fn blobs_are_xchacha20_poly1305_as_rustcrypto_seals_and_opens_them() {
        let key = [5u8; 32];
        let cipher = Cipher::new(&key);
        let reference = XChaCha20Poly1305::new((&key).into());
        // Empty, short, not a multiple of the block, and a megabyte attachment.
        for len in [0usize, 1, 63, 65, 1 << 20] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let blob = cipher.seal(&plain, b"LPR-B/file@0").unwrap();
            let nonce = &blob[1 + KEY_ID_LEN..1 + KEY_ID_LEN + NONCE_LEN];
            let body = &blob[1 + KEY_ID_LEN + NONCE_LEN..];
            let opened = reference
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: body,
                        aad: b"LPR-B/file@0",
                    },
                )
                .expect("RustCrypto opens our blob");
            assert_eq!(opened, plain, "{len}");
            let theirs = reference
                .encrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: &plain,
                        aad: b"LPR-B/file@0",
                    },
                )
                .unwrap();
            assert_eq!(theirs, body, "same ciphertext and tag for {len} bytes");
            let mut flipped = blob.clone();
            *flipped.last_mut().unwrap() ^= 1;
            assert_eq!(
                cipher.open(&flipped, b"LPR-B/file@0"),
                Err(OpenError::Corrupt)
            );
        }
    }

    #[test]
    fn sealed_in_place_is_the_same_blob_shape_and_opens() {
        let cipher = Cipher::new(&[3u8; 32]);
        let plain: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
        let mut buf = plain.clone();
        let (head, tag) = cipher.seal_in_place(&mut buf, b"LPR-C/file@0").unwrap();
        assert_ne!(buf, plain, "encrypted in place");
        let blob = [&head[..], &buf, &tag].concat();
        assert_eq!(blob.len(), plain.len() + OVERHEAD);
        assert_eq!(blob[0], VERSION_FILES);
        assert_eq!(blob_key_id(&blob), Some(cipher.key_id()));
        assert_eq!(cipher.open(&blob, b"LPR-C/file@0").unwrap(), plain);
        assert_eq!(cipher.open(&blob, b"LPR-C/file@1"), Err(OpenError::Corrupt));
        // The version byte decides the algorithm: the same bytes called version 1 do not open.
        let mut relabelled = blob.clone();
        relabelled[0] = VERSION;
        assert_eq!(
            cipher.open(&relabelled, b"LPR-C/file@0"),
            Err(OpenError::Corrupt)
        );
        // A rotated store still opens it with the old key.
        let rotated = Cipher::new(&[9u8; 32]).with_old_key(&[3u8; 32]);
        assert_eq!(rotated.open(&blob, b"LPR-C/file@0").unwrap(), plain);
    }

    /// Version 2 is AES-256-GCM under the HChaCha20 subkey of the files' root key and the
    /// nonce's first 16 bytes, with the nonce's last 8 bytes after four zero bytes, as the
    /// module says: checked by sealing with those pieces directly.
    #[test]
    fn files_are_aes_256_gcm_under_an_hchacha20_subkey_of_their_own_root() {
        let key = [11u8; 32];
        let cipher = Cipher::new(&key);
        for len in [0usize, 1, 15, 17, 300_000] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
            let mut buf = plain.clone();
            let (head, tag) = cipher.seal_in_place(&mut buf, b"LPR-E/file@0").unwrap();
            let nonce = &head[1 + KEY_ID_LEN..];
            let root: [u8; 32] = Sha256::new()
                .chain_update(b"lapor-gateway files key v2\0")
                .chain_update(key)
                .finalize()
                .into();
            assert_ne!(root, key);
            let sub = chacha20::hchacha::<U10>((&root).into(), nonce[..16].into());
            let mut short = [0u8; 12];
            short[4..].copy_from_slice(&nonce[16..]);
            let reference =
                LessSafeKey::new(UnboundKey::new(&AES_256_GCM, sub.as_slice()).unwrap());
            let mut theirs = plain.clone();
            let their_tag = reference
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(short),
                    Aad::from(b"LPR-E/file@0"),
                    &mut theirs,
                )
                .unwrap();
            assert_eq!(theirs, buf, "same ciphertext for {len} bytes");
            assert_eq!(their_tag.as_ref(), tag, "same tag for {len} bytes");
        }
    }

    #[test]
    fn a_blob_read_in_two_pieces_opens_as_the_whole_does() {
        let cipher = Cipher::new(&[4u8; 32]);
        let plain: Vec<u8> = (0..70_000u32).map(|i| (i % 241) as u8).collect();
        let split = |blob: &[u8]| {
            let head: [u8; HEAD_LEN] = blob[..HEAD_LEN].try_into().unwrap();
            (head, blob[HEAD_LEN..].to_vec())
        };
        let blob = cipher.seal(&plain, b"LPR-D/file@0").unwrap();
        let (head, mut rest) = split(&blob);
        cipher
            .open_split(&head, &mut rest, b"LPR-D/file@0")
            .unwrap();
        assert_eq!(rest, plain);
        // Bound to its record, and tampering is found, as for a whole blob.
        let (head, mut rest) = split(&blob);
        assert_eq!(
            cipher.open_split(&head, &mut rest, b"LPR-D/file@1"),
            Err(OpenError::Corrupt)
        );
        let (head, mut rest) = split(&blob);
        rest[10] ^= 1;
        assert_eq!(
            cipher.open_split(&head, &mut rest, b"LPR-D/file@0"),
            Err(OpenError::Corrupt)
        );
        // An old key opens what it sealed; an unknown key is named.
        let rotated = Cipher::new(&[6u8; 32]).with_old_key(&[4u8; 32]);
        let (head, mut rest) = split(&blob);
        rotated
            .open_split(&head, &mut rest, b"LPR-D/file@0")
            .unwrap();
        assert_eq!(rest, plain);
        let (head, mut rest) = split(&blob);
        assert_eq!(
            Cipher::new(&[6u8; 32]).open_split(&head, &mut rest, b"LPR-D/file@0"),
            Err(OpenError::UnknownKey(cipher.fingerprint()))
        );
        // A file's blob (version 2) too, sealed in place.
        let mut sealed = plain.clone();
        let (head, tag) = cipher.seal_in_place(&mut sealed, b"LPR-D/file@9").unwrap();
        sealed.extend_from_slice(&tag);
        cipher
            .open_split(&head, &mut sealed, b"LPR-D/file@9")
            .unwrap();
        assert_eq!(sealed, plain);
        // A blob of before the version byte (nonce || ciphertext+tag) still opens.
        let aead = XChaCha20Poly1305::new((&[4u8; 32]).into());
        let nonce = [0xAB; NONCE_LEN];
        let mut legacy = nonce.to_vec();
        legacy.extend(
            aead.encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: b"LPR-D/file@0",
                },
            )
            .unwrap(),
        );
        let (head, mut rest) = split(&legacy);
        cipher
            .open_split(&head, &mut rest, b"LPR-D/file@0")
            .unwrap();
        assert_eq!(rest, plain);
    }

    #[test]
    fn seal_open_round_trip_and_aad_binding() {
        let cipher = Cipher::new(&[7u8; 32]);
        let blob = cipher.seal(b"3174015708900003", b"LPR-A").unwrap();
        assert_eq!(blob.len(), 16 + OVERHEAD);
        assert!(!blob.windows(16).any(|w| w == b"3174015708900003"));
        assert_eq!(cipher.open(&blob, b"LPR-A").unwrap(), b"3174015708900003");
        assert_eq!(cipher.open(&blob, b"LPR-B"), Err(OpenError::Corrupt));
        let other = Cipher::new(&[8u8; 32]);
        assert_eq!(
            other.open(&blob, b"LPR-A"),
            Err(OpenError::UnknownKey(cipher.fingerprint()))
        );
        assert_eq!(blob_key_id(&blob), Some(cipher.key_id()));
    }

    #[test]
    fn an_old_key_opens_what_it_sealed_and_only_the_primary_seals() {
        let old = Cipher::new(&[1u8; 32]);
        let blob = old.seal(b"isi laporan", b"LPR-A/content").unwrap();
        let rotated = Cipher::new(&[2u8; 32]).with_old_key(&[1u8; 32]);
        assert_eq!(
            rotated.open(&blob, b"LPR-A/content").unwrap(),
            b"isi laporan"
        );
        let resealed = rotated.seal(b"isi laporan", b"LPR-A/content").unwrap();
        assert_eq!(blob_key_id(&resealed), Some(rotated.key_id()));
        assert_ne!(rotated.key_id(), old.key_id());
    }

    #[test]
    fn blobs_sealed_before_the_version_byte_still_open() {
        let key = [9u8; 32];
        let aead = XChaCha20Poly1305::new((&key).into());
        for first in 0u8..=255 {
            let nonce = [first; NONCE_LEN];
            let mut legacy = nonce.to_vec();
            legacy.extend(
                aead.encrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: b"Siti",
                        aad: b"LPR-A",
                    },
                )
                .unwrap(),
            );
            assert_eq!(
                Cipher::new(&key).open(&legacy, b"LPR-A").unwrap(),
                b"Siti",
                "{first}"
            );
        }
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
