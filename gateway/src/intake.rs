//! What intake may hold open, and for whom: a cap on uploads in progress (global and per
//! client address), the client address itself behind trusted reverse proxies, and the free
//! space the data directory must keep. The body stall timeout lives where the body is read
//! (`api/reports.rs`), with its duration here.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use ipnet::IpNet;

use crate::ratelimit::client_key;

/// `Retry-After` of a refusal for lack of capacity (uploads or disk), in seconds. The widget
/// keeps a refused report and sends it again later on its own.
pub const RETRY_AFTER_SECS: u64 = 10;

/// The intake limits in force (from `config::IntakeArgs`).
pub struct Intake {
    /// Longest time a request body may send nothing.
    pub body_stall: Duration,
    pub uploads: UploadGate,
    pub proxies: TrustedProxies,
    /// Free bytes the data directory's file system must keep; 0: not checked.
    pub min_free_disk: u64,
}

impl Intake {
    /// Whether the data directory has room: `Err` with what is known when it has not (below
    /// the floor, or its free space cannot be read).
    pub fn disk_room(&self, data_dir: &Path) -> Result<(), String> {
        if self.min_free_disk == 0 {
            return Ok(());
        }
        match free_bytes(data_dir) {
            Ok(free) if free >= self.min_free_disk => Ok(()),
            Ok(free) => Err(format!(
                "{} MiB free, below the floor of {} MiB",
                free >> 20,
                self.min_free_disk >> 20
            )),
            Err(e) => Err(format!("free space unreadable: {e}")),
        }
    }
}

/// Counts uploads in progress, in all and per client key (see `ratelimit::client_key`).
pub struct UploadGate {
    max_total: usize,
    max_per_key: usize,
    counts: Arc<Mutex<Counts>>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_key: HashMap<IpAddr, usize>,
}

/// Why an upload could not start.
#[derive(Debug, PartialEq, Eq)]
pub enum Full {
    /// The global cap is reached.
    Everyone,
    /// This client address has its share.
    ThisAddress,
}

/// One upload in progress; dropping it (on every way out of the handler) frees its place.
pub struct UploadPermit {
    key: IpAddr,
    counts: Arc<Mutex<Counts>>,
}

impl UploadGate {
    /// A gate for at most `max_total` uploads, `max_per_key` per client key (0: no limit).
    pub fn new(max_total: usize, max_per_key: usize) -> UploadGate {
        UploadGate {
            max_total: if max_total == 0 {
                usize::MAX
            } else {
                max_total
            },
            max_per_key: if max_per_key == 0 {
                usize::MAX
            } else {
                max_per_key
            },
            counts: Arc::default(),
        }
    }

    /// A place for one more upload from `client`, or which cap stands in the way.
    pub fn try_start(&self, client: IpAddr) -> Result<UploadPermit, Full> {
        let key = client_key(client);
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.total >= self.max_total {
            return Err(Full::Everyone);
        }
        let mine = counts.per_key.entry(key).or_insert(0);
        if *mine >= self.max_per_key {
            return Err(Full::ThisAddress);
        }
        *mine += 1;
        counts.total += 1;
        Ok(UploadPermit {
            key,
            counts: self.counts.clone(),
        })
    }

    /// Uploads in progress now.
    pub fn in_progress(&self) -> usize {
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).total
    }
}

impl Drop for UploadPermit {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.total = counts.total.saturating_sub(1);
        if let Some(mine) = counts.per_key.get_mut(&self.key) {
            *mine -= 1;
            if *mine == 0 {
                // No entry without an upload: the map stays as small as the uploads in progress.
                counts.per_key.remove(&self.key);
            }
        }
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed.
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(networks)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    /// right-most `X-Forwarded-For` entry that is not itself a trusted proxy. Each proxy appends
    /// the address it saw, so entries left of the first untrusted one are the client's own
    /// words. An entry that is not an address stops the walk at the hop that appended it.
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.ip().to_canonical();
        if !self.trusts(client) {
            return client;
        }
        // Several headers are one list, in order.
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for entry in entries.iter().rev() {
            let Some(hop) = parse_hop(entry) else {
                break;
            };
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|e| e.strip_suffix(']'))
                .and_then(|e| e.parse().ok())
        })?;
    Some(ip.to_canonical())
}

/// Bytes an unprivileged writer may still put on the file system holding `path`.
#[cfg(unix)]
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt as _;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: `statvfs` only writes into the struct we pass, which lives across the call, and
    // reads the NUL-terminated path, which does too.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // The field types differ between platforms.
    Ok((stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64))
}

/// Elsewhere the free space is not known: never below the floor.
#[cfg(not(unix))]
pub fn free_bytes(_path: &Path) -> std::io::Result<u64> {
    Ok(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn permits_count_globally_and_per_address_and_free_on_drop() {
        let gate = UploadGate::new(3, 2);
        let a1 = gate.try_start(ip("192.0.2.1")).unwrap();
        let _a2 = gate.try_start(ip("192.0.2.1")).unwrap();
        assert_eq!(
            gate.try_start(ip("192.0.2.1")).err(),
            Some(Full::ThisAddress)
        );
        // The same IPv6 /64 is one address.
        let _b = gate.try_start(ip("2001:db8:0:1::1")).unwrap();
        assert_eq!(
            gate.try_start(ip("2001:db8:0:1::2")).err(),
            Some(Full::Everyone)
        );
        drop(a1);
        assert_eq!(gate.in_progress(), 2);
        let _c = gate.try_start(ip("2001:db8:0:1::2")).unwrap();
        assert_eq!(gate.in_progress(), 3);
    }

    #[test]
    fn zero_means_no_limit() {
        let gate = UploadGate::new(0, 0);
        let permits: Vec<_> = (0..1000)
            .map(|_| gate.try_start(ip("192.0.2.1")).unwrap())
            .collect();
        assert_eq!(gate.in_progress(), permits.len());
        drop(permits);
        assert_eq!(gate.in_progress(), 0);
        assert!(gate.counts.lock().unwrap().per_key.is_empty());
    }

    #[test]
    fn forwarded_for_is_read_only_from_trusted_peers_right_to_left() {
        let proxies = TrustedProxies::new(vec![
            "127.0.0.0/8".parse().unwrap(),
            "10.1.0.0/16".parse().unwrap(),
            "::1/128".parse().unwrap(),
        ]);
        let check = |peer: &str, xff: &[&str], expected: &str| {
            let mut headers = HeaderMap::new();
            for value in xff {
                headers.append("x-forwarded-for", value.parse().unwrap());
            }
            let peer: SocketAddr = peer.parse().unwrap();
            assert_eq!(
                proxies.client(peer, &headers),
                ip(expected),
                "{peer} {xff:?}"
            );
        };
        // (peer, X-Forwarded-For headers, client)
        check("127.0.0.1:5000", &["203.0.113.7"], "203.0.113.7");
        check("127.0.0.1:5000", &[], "127.0.0.1");
        // A client naming itself anything: only the right-most untrusted entry counts.
        check("127.0.0.1:5000", &["1.1.1.1, 203.0.113.7"], "203.0.113.7");
        check(
            "127.0.0.1:5000",
            &["1.1.1.1", "203.0.113.7, 10.1.2.3"],
            "203.0.113.7",
        );
        // Every hop trusted: the left-most.
        check("127.0.0.1:5000", &["10.1.9.9, 10.1.2.3"], "10.1.9.9");
        // Garbage stops at the hop that wrote it.
        check("127.0.0.1:5000", &["203.0.113.7, junk"], "127.0.0.1");
        check("127.0.0.1:5000", &["junk, 10.1.2.3"], "10.1.2.3");
        // Ports and brackets.
        check("127.0.0.1:5000", &["203.0.113.7:4711"], "203.0.113.7");
        check("127.0.0.1:5000", &["[2001:db8::7]:4711"], "2001:db8::7");
        check("127.0.0.1:5000", &["[2001:db8::7]"], "2001:db8::7");
        // An untrusted peer's header is ignored.
        check("198.51.100.4:5000", &["203.0.113.7"], "198.51.100.4");
        // IPv4 peers on an IPv6 socket are IPv4.
        check("[::ffff:127.0.0.1]:5000", &["203.0.113.7"], "203.0.113.7");
        check(
            "[::ffff:198.51.100.4]:5000",
            &["203.0.113.7"],
            "198.51.100.4",
        );
        check("[::1]:5000", &["2001:db8::7"], "2001:db8::7");
    }

    #[test]
    fn no_trusted_proxy_means_the_peer() {
        let proxies = TrustedProxies::new(Vec::new());
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.7".parse().unwrap());
        let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(proxies.client(peer, &headers), ip("127.0.0.1"));
    }

    #[test]
    fn free_space_of_the_temp_dir_is_known_and_the_floor_applies() {
        let dir = std::env::temp_dir();
        let free = free_bytes(&dir).unwrap();
        assert!(free > 0);
        let intake = |floor: u64| Intake {
            body_stall: Duration::from_secs(1),
            uploads: UploadGate::new(0, 0),
            proxies: TrustedProxies::new(Vec::new()),
            min_free_disk: floor,
        };
        assert_eq!(intake(0).disk_room(&dir), Ok(()));
        assert_eq!(intake(1).disk_room(&dir), Ok(()));
        assert!(intake(u64::MAX).disk_room(&dir).is_err());
        assert!(intake(1).disk_room(Path::new("/no/such/dir")).is_err());
    }
}
