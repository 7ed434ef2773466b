//! How the gateway reaches PostgreSQL: `--database-url` with libpq's `sslmode` and
//! `sslrootcert` parameters.
//!
//! - `sslmode=verify-full` (or `require`, `verify-ca`): TLS, and the server's certificate is
//!   always checked as `verify-full` does, its chain against the certificates of
//!   `sslrootcert` (a PEM file; `system` or no `sslrootcert`: the system's trust store) and
//!   its name against the URL's host. A link that anyone on the path could intercept
//!   protects nothing, so no mode encrypts without verifying.
//! - `disable`, `allow`, `prefer` (rust-postgres' default) or no `sslmode`: plain TCP, for a
//!   database on the gateways' own network or a local socket; the gateway says so in its log
//!   at start when the host is not local.
//!
//! The URL itself is never part of a message: it may hold a password.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use percent_encoding::percent_decode_str;
use r2d2_postgres::postgres::config::{Host, SslMode};
use r2d2_postgres::postgres::Config;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
pub use tokio_postgres_rustls::MakeRustlsConnect;

/// A parsed `--database-url`: the connection settings and the TLS connector they use.
pub struct Connect {
    pub config: Config,
    pub tls: MakeRustlsConnect,
    /// Whether connections are encrypted (and the server verified).
    pub encrypted: bool,
}

impl Connect {
    /// Whether every host of the URL is this machine (a loopback address, `localhost` or a
    /// Unix socket), where a plain connection crosses no network.
    pub fn is_local(&self) -> bool {
        self.config.get_hosts().iter().all(|host| match host {
            Host::Tcp(name) => {
                name == "localhost"
                    || name
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
            Host::Unix(_) => true,
        })
    }
}

/// What `sslmode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    Verified,
}

/// Parses `url` (`postgres://…?sslmode=…&sslrootcert=…`, or libpq's `key=value` form) into
/// its settings and a TLS connector; a connect timeout of 10 s unless the URL sets one.
pub fn parse(url: &str) -> anyhow::Result<Connect> {
    let (rest, sslmode, rootcert) = take_tls_params(url);
    let mode = match sslmode.as_deref() {
        None | Some("disable" | "allow" | "prefer") => Mode::Plain,
        Some("require" | "verify-ca" | "verify-full") => Mode::Verified,
        Some(_) => anyhow::bail!(
            "--database-url: sslmode must be disable, allow, prefer, require, verify-ca or \
             verify-full"
        ),
    };
    let mut config: Config = rest
        .parse()
        .map_err(|_| anyhow::anyhow!("--database-url is not a valid PostgreSQL URL"))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    let roots = match (mode, rootcert.as_deref()) {
        (Mode::Plain, _) => RootCertStore::empty(),
        (Mode::Verified, None | Some("system")) => system_roots()?,
        (Mode::Verified, Some(path)) => file_roots(Path::new(path))?,
    };
    config.ssl_mode(match mode {
        Mode::Plain => SslMode::Disable,
        Mode::Verified => SslMode::Require,
    });
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS for PostgreSQL")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Connect {
        config,
        tls: MakeRustlsConnect::new(tls),
        encrypted: mode == Mode::Verified,
    })
}

/// Splits `sslmode` and `sslrootcert` off the URL (rust-postgres knows neither
/// `verify-full` nor `sslrootcert`); the rest is for rust-postgres.
fn take_tls_params(url: &str) -> (String, Option<String>, Option<String>) {
    let (mut sslmode, mut rootcert) = (None, None);
    let mut take = |key: &str, value: String| match key {
        "sslmode" => {
            sslmode = Some(value);
            true
        }
        "sslrootcert" => {
            rootcert = Some(value);
            true
        }
        _ => false,
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            Some((base, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| {
                        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                        !take(
                            key,
                            percent_decode_str(value).decode_utf8_lossy().into_owned(),
                        )
                    })
                    .collect();
                if kept.is_empty() {
                    base.to_owned()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
            None => url.to_owned(),
        }
    } else {
        // libpq's `key=value` form; values of these two keys unquoted.
        url.split_whitespace()
            .filter(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                !take(key.trim(), value.trim().to_owned())
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    (rest, sslmode, rootcert)
}

/// The certificates of the PEM file `path`: at least one, each valid.
fn file_roots(path: &Path) -> anyhow::Result<RootCertStore> {
    let shown = path.display();
    let certs = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("--database-url: sslrootcert {shown} cannot be read"))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("--database-url: sslrootcert {shown} is not valid PEM"))?;
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    anyhow::ensure!(
        added > 0,
        "--database-url: sslrootcert {shown} holds no usable certificate"
    );
    Ok(roots)
}

/// The system's trust store.
fn system_roots() -> anyhow::Result<RootCertStore> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    anyhow::ensure!(
        !roots.is_empty(),
        "--database-url asks for TLS, but the system's trust store holds no certificate: \
         name the server's CA with sslrootcert=/path/ca.pem"
    );
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_are_taken_off_and_the_rest_kept() {
        let (rest, mode, root) = take_tls_params(
            "postgres://u:p@db.example:5432/lapor?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca.pem",
        );
        assert_eq!(
            rest,
            "postgres://u:p@db.example:5432/lapor?application_name=x"
        );
        assert_eq!(mode.as_deref(), Some("verify-full"));
        assert_eq!(root.as_deref(), Some("/etc/ca.pem"));

        let (rest, mode, root) =
            take_tls_params("host=db dbname=lapor sslmode=require sslrootcert=/ca.pem");
        assert_eq!(rest, "host=db dbname=lapor");
        assert_eq!(mode.as_deref(), Some("require"));
        assert_eq!(root.as_deref(), Some("/ca.pem"));

        let (rest, mode, _) = take_tls_params("postgres://db/lapor?sslmode=disable");
        assert_eq!(rest, "postgres://db/lapor");
        assert_eq!(mode.as_deref(), Some("disable"));
    }

    #[test]
    fn modes_map_to_plain_or_verified_and_others_are_refused() {
        for (url, encrypted) in [
            ("postgres://127.0.0.1/db", false),
            ("postgres://127.0.0.1/db?sslmode=prefer", false),
            ("postgres://127.0.0.1/db?sslmode=disable", false),
        ] {
            let connect = parse(url).unwrap();
            assert_eq!(connect.encrypted, encrypted, "{url}");
            assert_eq!(connect.config.get_ssl_mode(), SslMode::Disable, "{url}");
            assert!(connect.is_local());
        }
        let error = parse("postgres://db/x?sslmode=sometimes").err().unwrap();
        assert!(error.to_string().contains("sslmode must be"), "{error}");
        let error = parse("postgres://db/x?sslmode=verify-full&sslrootcert=/nonexistent.pem")
            .err()
            .unwrap();
        assert!(
            format!("{error:#}").contains("sslrootcert /nonexistent.pem cannot be read"),
            "{error:#}"
        );
        assert!(!parse("postgres://db.example/x").unwrap().is_local());
    }

    #[test]
    fn an_invalid_url_is_refused_without_echoing_it() {
        let error = parse("postgres://u:secret@db:notaport/x").err().unwrap();
        assert!(!format!("{error:#}").contains("secret"), "{error:#}");
    }
}
