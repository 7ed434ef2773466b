//! The gateway on a PostgreSQL server that takes TCP connections over TLS only
//! (`scripts/pg.sh` with `PG_TLS_CERT`/`PG_TLS_KEY`), with a test CA made here: with
//! `sslmode=verify-full` and `sslrootcert` naming that CA it starts and stores a report over
//! TLS (the server shows the gateway's connections as TLS); without TLS, with another CA, or
//! under a host name the certificate does not name, it refuses to start and says why. Like
//! the other PostgreSQL tests it is skipped with a notice when `LAPOR_TEST_DATABASE_URL` is
//! unset, and fails then under `CI=true`.

mod common;

use std::time::Duration;

use common::{
    file_report, get_report, psql_value, simulator, sqlite_gateway, valid_report_json, Attachment,
    Cluster, TempDir,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// A CA: its certificate in PEM and the issuer that signs with it.
fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

#[test]
fn the_gateway_reaches_postgresql_over_verified_tls_and_refuses_anything_less() {
    common::on_postgres(
        "the_gateway_reaches_postgresql_over_verified_tls_and_refuses_anything_less",
        || {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(verified_tls())
        },
    );
}

async fn verified_tls() {
    let certs = TempDir::new("pg-tls-certs");
    let ours = ca("LAPOR! test database CA");
    let other = ca("Another CA");
    // The server's certificate names 127.0.0.1 only, not "localhost".
    let server_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "lapor-db");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = params.signed_by(&server_key, &ours).unwrap();
    let (ca_pem, other_pem) = (certs.join("ca.pem"), certs.join("other-ca.pem"));
    let (cert_pem, key_pem) = (certs.join("server.crt"), certs.join("server.key"));
    std::fs::write(&ca_pem, ours.pem()).unwrap();
    std::fs::write(&other_pem, other.pem()).unwrap();
    std::fs::write(&cert_pem, server_cert.pem()).unwrap();
    std::fs::write(&key_pem, server_key.serialize_pem()).unwrap();

    let cluster = Cluster::start_with(&[
        ("PG_TLS_CERT", &cert_pem.display().to_string()),
        ("PG_TLS_KEY", &key_pem.display().to_string()),
    ]);
    let plain = cluster.url.clone(); // postgres://postgres@127.0.0.1:PORT/postgres
    let port = plain.rsplit(':').next().unwrap().split('/').next().unwrap();
    let sim = simulator().spawn().await;

    let refused = |url: String, why: &'static str| {
        let data = TempDir::new("gw-pg-tls-refused");
        let mut gw = sqlite_gateway(data.path(), &sim.base)
            .args(["--database-url", &url])
            .start();
        let exit = gw.wait_exit(Duration::from_secs(30));
        let log = gw.log_tail(4000);
        assert!(exit.is_some_and(|e| !e.success()), "{why}: started\n{log}");
        assert!(!log.contains(&url), "the URL in the log:\n{log}");
        log
    };
    // The server refuses plain TCP.
    let log = refused(plain.clone(), "without TLS");
    assert!(log.contains("no encryption"), "{log}");
    // A certificate of another CA, and a name the certificate does not hold.
    let other_url = format!(
        "{plain}?sslmode=verify-full&sslrootcert={}",
        other_pem.display()
    );
    let log = refused(other_url, "another CA");
    assert!(
        log.contains("invalid peer certificate: UnknownIssuer"),
        "{log}"
    );
    let by_name = format!(
        "postgres://postgres@localhost:{port}/postgres?sslmode=verify-full&sslrootcert={}",
        ca_pem.display()
    );
    let log = refused(by_name, "a name not in the certificate");
    assert!(log.contains("certificate not valid for name"), "{log}");
    // `require` verifies too (as verify-full): with the system's roots it cannot start.
    let log = refused(format!("{plain}?sslmode=require"), "require, system roots");
    assert!(
        log.contains("invalid peer certificate: UnknownIssuer"),
        "{log}"
    );

    // With our CA: the gateway starts, stores a report and forwards it.
    let data = TempDir::new("gw-pg-tls");
    let url = format!(
        "{plain}?sslmode=verify-full&sslrootcert={}",
        ca_pem.display()
    );
    let gw = sqlite_gateway(data.path(), &sim.base)
        .args(["--database-url", &url])
        .spawn()
        .await;
    let id = file_report(
        &gw.base,
        "pg-tls-1",
        &valid_report_json(),
        &[Attachment::jpeg("foto.jpg", common::small_jpeg(7))],
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = get_report(&common::client(), &gw.base, &id).await.unwrap();
        assert_eq!(status, 200, "{body}");
        if body["status"] == "forwarded" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not forwarded: {body}\n{}",
            gw.log_tail(4000)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Seen from the server, over its Unix socket: every connection of the gateway is TLS.
    let socket = format!(
        "postgresql://postgres@/postgres?host={}/sock&port={port}",
        cluster.dir
    );
    let counts = psql_value(
        &socket,
        "SELECT count(*) FILTER (WHERE s.ssl) || ' ' || count(*) FILTER (WHERE NOT s.ssl)
         FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
         WHERE a.application_name = 'lapor-gateway'",
    );
    let (tls, clear) = counts.split_once(' ').unwrap();
    assert!(tls.parse::<u32>().unwrap() >= 1, "{counts}");
    assert_eq!(clear, "0", "{counts}");
    assert!(!gw.log_tail(20_000).contains("not encrypted"));
}
