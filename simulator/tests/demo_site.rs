//! `demo-site` serves the demo's sample regional site on its own origin.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn demo_site_serves_a_directory_on_its_own_address() {
    let dir = std::env::temp_dir().join(format!("lapor-demo-site-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Demo Pemda</title>",
    )
    .unwrap();
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_demo-site"))
        .args([
            "--dir",
            &dir.display().to_string(),
            "--listen",
            &addr.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let start = Instant::now();
    let answer = loop {
        if let Ok(resp) = client.get(format!("http://{addr}/")).send().await {
            break (
                resp.status().as_u16(),
                resp.text().await.unwrap_or_default(),
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "demo-site never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(answer.0, 200);
    assert!(answer.1.contains("Demo Pemda"), "{}", answer.1);
}
