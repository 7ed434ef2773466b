//! Several gateways on one PostgreSQL database (`--database-url`), each with its own data
//! directory: they share the reports, the idempotency keys, the outbox and the key, and no
//! disk. PostgreSQL only: without `LAPOR_TEST_DATABASE_URL` these tests print `SKIPPED`
//! (and fail under `CI=true`), see `common::on_postgres`.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::{client, gateway, post_report, simulator, small_jpeg, Attachment, TempDir};
use serde_json::json;

/// Two gateways receive the same report under the same `Idempotency-Key` at the same moment,
/// twenty times over: each time one answers `201` and the other `200` with the same tracking
/// id, and LAPOR! gets each report once, attachment included, whichever instance forwards it.
/// An instance with another key than the database's refuses to start; both stop cleanly.
#[test]
fn two_instances_one_key_one_201_one_200_one_report() {
    common::on_postgres("two_instances_one_key_one_201_one_200_one_report", || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(two_instances_one_key())
    });
}

async fn two_instances_one_key() {
    let sim = simulator().spawn().await;
    let (data_a, data_b) = (TempDir::new("gw-two-a"), TempDir::new("gw-two-b"));
    common::share_store(data_a.path(), data_b.path());
    let a = gateway(data_a.path(), &sim.base).spawn().await;

    // The database records the key of the first instance (generated into its data
    // directory): the second, without that key, refuses to start.
    let mut refused = gateway(data_b.path(), &sim.base).start();
    let exit = refused.wait_exit(Duration::from_secs(30));
    assert!(
        exit.is_some_and(|status| !status.success()),
        "{}",
        refused.log_tail(2000)
    );
    assert!(
        refused.log_tail(4000).contains("give that key"),
        "{}",
        refused.log_tail(4000)
    );
    let key_file = data_a.join("identity.key").display().to_string();
    let b = gateway(data_b.path(), &sim.base)
        .args(["--encryption-key-file", &key_file])
        .spawn()
        .await;

    let report = common::valid_report_json();
    let mut ids = HashSet::new();
    for round in 0..20u64 {
        let key = format!("two-instances-{round}");
        let files = [Attachment::jpeg("foto.jpg", small_jpeg(round))];
        let (client_a, client_b) = (client(), client());
        let (on_a, on_b) = tokio::join!(
            post_report(&client_a, &a.base, &key, &report, &files),
            post_report(&client_b, &b.base, &key, &report, &files),
        );
        let (on_a, on_b) = (on_a.expect("answer from a"), on_b.expect("answer from b"));
        let mut statuses = [on_a.status, on_b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201], "round {round}: {on_a:?} {on_b:?}");
        let id = on_a.tracking_id().expect("tracking id");
        assert_eq!(on_b.tracking_id().as_deref(), Some(id.as_str()));
        ids.insert(id);
    }
    assert_eq!(ids.len(), 20);

    // Each report reaches LAPOR! once, with its photo, and either instance tells its status.
    let deadline = Instant::now() + Duration::from_secs(60);
    let complaints = loop {
        let list = common::simulator_complaints(&client(), &sim.base).await;
        let arrived: HashSet<String> = common::count_by_request_id(&list).into_keys().collect();
        if ids.is_subset(&arrived) || Instant::now() > deadline {
            break list;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let counts = common::count_by_request_id(&complaints);
    for id in &ids {
        assert_eq!(counts.get(id), Some(&1), "{id} at LAPOR!: {counts:?}");
    }
    assert_eq!(complaints.len(), 20, "no other complaint");
    for complaint in &complaints {
        let files = complaint["attachments"].as_array().map_or(0, Vec::len);
        assert_eq!(files, 1, "{complaint}");
    }
    for id in &ids {
        for gw in [&a, &b] {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let (status, body) = common::get_report(&client(), &gw.base, id)
                    .await
                    .expect("status call");
                assert_eq!(status, 200);
                if body["status"] == "forwarded" {
                    break;
                }
                assert!(Instant::now() < deadline, "{id} on {}: {body}", gw.base);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    // Both stop cleanly on SIGTERM, their database connections closed.
    for mut gw in [a, b] {
        let exit = gw.terminate(Duration::from_secs(20));
        assert!(exit.is_some_and(|s| s.success()), "{}", gw.log_tail(2000));
    }
}

/// While the gateway's database takes no connections, intake answers `503 store_unavailable`
/// with `Retry-After` and `/readyz` 503, within the pool's wait; once it takes them again the
/// gateway stores and forwards by itself, no restart.
#[test]
fn the_database_away_is_503_with_retry_after_and_intake_recovers_by_itself() {
    common::on_postgres(
        "the_database_away_is_503_with_retry_after_and_intake_recovers_by_itself",
        || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(database_away())
        },
    );
}

async fn database_away() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-db-away");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let report = common::valid_report_json();
    let client = client();
    let before = post_report(&client, &gw.base, "db-away-0", &report, &[])
        .await
        .expect("answer");
    assert_eq!(before.status, 201, "{}", before.body);

    // No new connection to the database, and the gateway's own ended.
    common::database_sql(data.path(), "ALTER DATABASE {db} ALLOW_CONNECTIONS false");
    common::database_sql(
        data.path(),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'",
    );
    let started = Instant::now();
    let resp = client
        .post(gw.url("/api/v1/reports"))
        .header("Idempotency-Key", "db-away-1")
        .header("Origin", common::ORIGIN)
        .multipart(common::report_form(&report, &[]))
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status(), 503);
    let retry_after = resp.headers().get("retry-after").cloned();
    assert_eq!(
        resp.json::<serde_json::Value>().await.unwrap(),
        json!({"error": "store_unavailable"})
    );
    assert!(retry_after.is_some(), "Retry-After");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let ready = client.get(gw.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);

    common::database_sql(data.path(), "ALTER DATABASE {db} ALLOW_CONNECTIONS true");
    let deadline = Instant::now() + Duration::from_secs(30);
    let after = loop {
        let posted = post_report(&client, &gw.base, "db-away-1", &report, &[])
            .await
            .expect("answer");
        if posted.status != 503 || Instant::now() > deadline {
            break posted;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(after.status, 201, "{}", after.body);
    let id = after.tracking_id().expect("tracking id");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, body) = common::get_report(&client, &gw.base, &id).await.unwrap();
        if body["status"] == "forwarded" {
            break;
        }
        assert!(Instant::now() < deadline, "{body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ready = client.get(gw.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}
