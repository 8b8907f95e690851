//! The weekly picture's aggregation written by hand in SQL, run straight through the database
//! driver, for `scripts/bench-lagesbild` to compare with `GET /api/v1/picture` on the same
//! database in the same run (issue 3: the API may take at most twice as long).
//!
//!     cargo run --release --example picture_sql -- DATABASE_URL FORUM_ID MUNICIPALITY FROM_WEEK TO_WEEK RUNS
//!
//! Weeks are keys (year × 100 + week, as stored). Prints JSON: the row count and the latency
//! of each run's median, p95 and p99 in milliseconds.

use std::time::Instant;

/// The joint picture's aggregate: what forum members shared with the forum, or made public,
/// in one municipality and a range of weeks, counted by week × category × place.
const SQL: &str = "SELECT o.week, o.category_id, o.area_id, SUM(o.quantity) AS quantity, COUNT(*) AS reports FROM observations o
    WHERE o.municipality_code = $1 AND o.week >= $2 AND o.week <= $3
      AND ((o.visibility = 'forum' AND o.forum_id = $4)
        OR (o.visibility = 'public' AND o.owner_org_id IN (SELECT org_id FROM forum_members WHERE forum_id = $4)))
    GROUP BY o.week, o.category_id, o.area_id";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, forum, municipality, from, to, runs] = args.as_slice() else {
        return Err("usage: picture_sql DATABASE_URL FORUM_ID MUNICIPALITY FROM_WEEK TO_WEEK RUNS".into());
    };
    let (forum, from, to, runs): (i64, i64, i64, usize) = (forum.parse()?, from.parse()?, to.parse()?, runs.parse()?);
    let mut times = Vec::with_capacity(runs);
    let mut rows = 0;
    if url.starts_with("postgres") {
        let mut client = postgres::Client::connect(url, postgres::NoTls)?;
        let stmt = client.prepare(&SQL.replace("SUM(o.quantity)", "CAST(SUM(o.quantity) AS BIGINT)"))?;
        for _ in 0..runs {
            let t = Instant::now();
            let result = client.query(&stmt, &[municipality, &from, &to, &forum])?;
            let mut check = 0_i64;
            for r in &result {
                check += r.get::<_, i64>("quantity");
            }
            std::hint::black_box(check);
            rows = result.len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut stmt = conn.prepare(SQL)?;
        for _ in 0..runs {
            let t = Instant::now();
            let mut result = stmt.query(rusqlite::params![municipality, from, to, forum])?;
            let (mut n, mut check) = (0, 0_i64);
            while let Some(r) = result.next()? {
                check += r.get::<_, i64>("quantity")?;
                n += 1;
            }
            std::hint::black_box(check);
            rows = n;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"rows\":{rows},\"runs\":{runs},\"p50_ms\":{:.3},\"p95_ms\":{:.3},\"p99_ms\":{:.3}}}",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99)
    );
    Ok(())
}
