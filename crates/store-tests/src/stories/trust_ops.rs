//! Issue 11, findings 13 and 15 (ops): concurrent writes with one idempotency key, and short
//! job leases kept alive by a heartbeat.

use brygga_store::kernel::jobs::{self, ClaimRequest, NewJob};
use brygga_store::picture::observations::{self, ObservationInput};
use brygga_store::{ConnExt, Store, kernel::idempotency};

use super::{est, viewer};

const T0: i64 = 1_790_000_000_000;

fn claim_as(worker: &'static str, lease_ms: i64) -> ClaimRequest<'static> {
    ClaimRequest { worker, kinds: &["test.ops"], limit: 10, lease_ms }
}

async fn claim(store: &Store, req: ClaimRequest<'static>, now: i64) -> Vec<jobs::Job> {
    store.write(move |db| jobs::claim(db, &req, now)).await.unwrap()
}

/// A worker killed while it holds a job stops renewing its lease: with the default lease the
/// job is back within seconds (it was five minutes), and the next worker takes it.
pub async fn ops_an_unrenewed_lease_is_reclaimed_within_seconds(store: &Store) {
    let job = NewJob::new("test.ops", serde_json::json!({}), T0);
    let id = store.write(move |db| jobs::enqueue(db, &job, T0)).await.unwrap().unwrap();
    let got = claim(store, claim_as("killed", jobs::DEFAULT_LEASE_MS), T0).await;
    assert_eq!(got.iter().map(|j| j.id).collect::<Vec<_>>(), [id]);
    assert!(got[0].locked_until - T0 <= 30_000, "a dead worker's jobs come back within seconds, not minutes");
    // The worker is killed: no heartbeat. Just before the lease ends the job is still its …
    assert!(claim(store, claim_as("next", jobs::DEFAULT_LEASE_MS), T0 + jobs::DEFAULT_LEASE_MS - 1).await.is_empty());
    // … and right after, another worker has it.
    let got = claim(store, claim_as("next", jobs::DEFAULT_LEASE_MS), T0 + jobs::DEFAULT_LEASE_MS).await;
    assert_eq!((got.len(), got[0].id, got[0].attempts), (1, id, 2));
    // The killed worker's heartbeat, should it come back to life, renews nothing.
    let renewed = store.write(move |db| jobs::renew(db, &[id], "killed", jobs::DEFAULT_LEASE_MS, T0 + 20_000)).await.unwrap();
    assert_eq!(renewed, 0);
    assert!(store.write(move |db| jobs::complete(db, id, "next", T0 + 20_001)).await.unwrap());
}

/// A worker that keeps beating keeps its job for as long as it works, past many leases.
pub async fn ops_a_renewed_lease_is_not_stolen(store: &Store) {
    let lease = jobs::DEFAULT_LEASE_MS;
    let job = NewJob::new("test.ops", serde_json::json!({}), T0);
    let id = store.write(move |db| jobs::enqueue(db, &job, T0)).await.unwrap().unwrap();
    assert_eq!(claim(store, claim_as("slow", lease), T0).await.len(), 1);
    // Heartbeats every third of the lease, for ten leases.
    let mut now = T0;
    while now < T0 + 10 * lease {
        now += lease / 3;
        let n = store.write(move |db| jobs::renew(db, &[id], "slow", lease, now)).await.unwrap();
        assert_eq!(n, 1, "the holder renews its own job");
        assert!(claim(store, claim_as("thief", lease), now + 1).await.is_empty(), "a renewed job is not taken");
    }
    let row = store.read(move |db| jobs::get(db, id)).await.unwrap();
    assert_eq!((row.state.as_str(), row.locked_by.as_deref(), row.attempts), ("running", Some("slow"), 1));
    assert!(store.write(move |db| jobs::complete(db, id, "slow", now + 2)).await.unwrap());
    // Once the beats stop, the lease runs out as before.
    let job = NewJob::new("test.ops", serde_json::json!({}), now);
    let id2 = store.write(move |db| jobs::enqueue(db, &job, now)).await.unwrap().unwrap();
    assert_eq!(claim(store, claim_as("slow", lease), now).await.len(), 1);
    let got = claim(store, claim_as("thief", lease), now + lease).await;
    assert_eq!(got.iter().map(|j| j.id).collect::<Vec<_>>(), [id2]);
}

/// Twenty write transactions with one key at once (the API handler's sequence: look the key
/// up, store, remember the answer): one report, one stored answer, nineteen replays — never an
/// error. On PostgreSQL the transactions run side by side; the key's lock makes them wait.
pub async fn ops_one_key_at_once_stores_once(store: &Store) {
    let w = est(store).await;
    let input = ObservationInput { forum_id: w.forum, category: "skadegörelse".into(), area_id: Some(w.stortorget), ..Default::default() };
    let org = w.kommun;
    let hash = idempotency::request_hash("POST", "/observations", b"{}");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (store, v, input, hash) = (store.clone(), viewer(store, w.reporter).await, input.clone(), hash.clone());
        tasks.push(tokio::spawn(async move {
            store
                .write(move |db| {
                    if let idempotency::Seen::Replay { body, .. } = idempotency::lookup(db, org, "samma-nyckel", &hash)? {
                        return Ok((true, body));
                    }
                    let valid = observations::prepare(db, &v, &input, jiff::Timestamp::now())?;
                    let created = observations::create(db, &v, &valid, "api", Some("samma-nyckel"))?;
                    let body = created.observation.id.to_string();
                    idempotency::remember(db, org, "samma-nyckel", &hash, 201, &body)?;
                    Ok((false, body))
                })
                .await
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap().expect("no request fails because of another with the same key"));
    }
    assert_eq!(answers.iter().filter(|(replayed, _)| !replayed).count(), 1, "one did the work");
    assert!(answers.iter().all(|(_, body)| *body == answers[0].1), "all got its answer");
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM observations", &[])?)).await.unwrap();
    assert_eq!(n, 1);
}
