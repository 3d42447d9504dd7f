//! The burst throughput figure: one plain tokio-tungstenite client on loopback, Events Hub
//! `System Stats` events as fast as they go. Printed, not asserted (a test must not be a timer):
//! run `cargo test -p sim --release --test burst -- --nocapture`, or `sim --bench-burst`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burst_throughput_to_one_client() {
    let result = sim::bench::run(1.0, 50_000_000.0).await.unwrap();
    println!("{}", result.report());
    assert!(result.events > 1000, "the burst arrived: {result:?}");
    assert!(result.latency_p50_ms.is_finite(), "events carry sent_at_ms");
}
