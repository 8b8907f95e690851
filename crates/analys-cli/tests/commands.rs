//! Black-box tests of `brygga analys` commands that PySAL cannot check (KDE, trend, near-repeat
//! output shape, LISA clusters), through the same `run` entry point the binary uses.

use brygga_analys_cli::{AnalysArgs, run};
use clap::Parser;
use serde_json::Value;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: AnalysArgs,
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("brygga-analys-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn analys(args: &[&str]) -> Result<Value, String> {
    let cli = Cli::try_parse_from(std::iter::once("analys").chain(args.iter().copied())).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    run(&cli.args, &mut out).map_err(|e| e.to_string())?;
    Ok(serde_json::from_slice(&out).unwrap())
}

fn points_csv() -> String {
    let mut s = String::from("id;x;y;w\n");
    for k in 0..300 {
        let (x, y) = (674_000.0 + ((k * 37) % 101) as f64 * 3.0, 6_580_000.0 + ((k * 53) % 97) as f64 * 2.5);
        s.push_str(&format!("p{k};{x};{y};{}\n", 1 + k % 3));
    }
    s.push_str("hot;674010;6580010;1\n".repeat(40).as_str());
    s
}

#[test]
fn kde_integrates_to_the_total_weight() {
    let path = temp("kde.csv", &points_csv());
    let out = analys(&["kde", "--input", &path, "--cell", "5", "--bandwidth", "40", "--weight", "w"]).unwrap();
    let cell = out["grid"]["cell"].as_f64().unwrap();
    let mass: f64 = out["cells"].as_array().unwrap().iter().map(|c| c["density"].as_f64().unwrap()).sum::<f64>() * cell * cell;
    let total: f64 = (0..300).map(|k| (1 + k % 3) as f64).sum::<f64>() + 40.0;
    assert!((mass / total - 1.0).abs() < 0.01, "{mass} vs {total}");
    let rule = analys(&["kde", "--input", &path, "--cell", "10", "--kernel", "gaussian"]).unwrap();
    assert!(rule["bandwidth"].as_f64().unwrap() > 0.0);
    assert_eq!(rule["kernel"], "gaussian");
}

#[test]
fn gistar_on_csv_points_keeps_ids_and_order() {
    let path = temp("gi.csv", &points_csv());
    let out = analys(&["gistar", "--input", &path, "--x", "x", "--y", "y", "--id", "id", "--value", "w", "--weights", "knn:6"]).unwrap();
    let res = out["results"].as_array().unwrap();
    assert_eq!(res.len(), 340);
    assert_eq!(res[0]["id"], "p0");
    assert_eq!(res[339]["id"], "hot");
}

#[test]
fn lisa_reports_clusters_only_when_significant() {
    let path = temp("lisa.csv", &points_csv());
    let out = analys(&[
        "lisa",
        "--input",
        &path,
        "--x",
        "x",
        "--y",
        "y",
        "--value",
        "w",
        "--weights",
        "knn:5",
        "--permutations",
        "199",
        "--seed",
        "3",
    ])
    .unwrap();
    for r in out["results"].as_array().unwrap() {
        let p = r["p_sim"].as_f64().unwrap();
        let cluster = r["cluster"].as_str().unwrap();
        if p <= 0.05 {
            assert_eq!(cluster, r["quadrant"].as_str().unwrap());
        } else {
            assert_eq!(cluster, "ns");
        }
    }
    // same seed, same answer
    let again = analys(&[
        "lisa",
        "--input",
        &path,
        "--x",
        "x",
        "--y",
        "y",
        "--value",
        "w",
        "--weights",
        "knn:5",
        "--permutations",
        "199",
        "--seed",
        "3",
    ])
    .unwrap();
    assert_eq!(out, again);
}

#[test]
fn nearrepeat_table_has_every_band() {
    let mut s = String::from("x,y,t\n");
    for k in 0..200 {
        s.push_str(&format!("{},{},{}\n", (k * 37) % 500, (k * 91) % 450, k % 60));
    }
    let path = temp("nr.csv", &s);
    let out =
        analys(&["nearrepeat", "--input", &path, "--distances", "0,50,100", "--times", "7,14", "--permutations", "49", "--seed", "1"])
            .unwrap();
    assert_eq!(out["distance_bands"].as_array().unwrap().len(), 4);
    assert_eq!(out["time_bands"].as_array().unwrap().len(), 3);
    let cells = out["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 12);
    assert_eq!(cells.iter().map(|c| c["observed"].as_u64().unwrap()).sum::<u64>(), 200 * 199 / 2);
}

#[test]
fn trend_sentence_data() {
    let path = temp("trend.json", r#"[{"id":"klotter/Stortorget","current":14,"recent":[3,5,4,6,3,4,5,4],"last_year":[4,3,5,4,6,4,3]}]"#);
    let out = analys(&["trend", "--input", &path]).unwrap();
    let r = &out["results"][0];
    assert_eq!(r["id"], "klotter/Stortorget");
    assert_eq!(r["direction"], "increase");
    assert!(r["flagged"].as_bool().unwrap());
    assert!(r["typical_low"].as_u64().unwrap() <= r["typical_high"].as_u64().unwrap());
}

#[test]
fn errors_are_swedish() {
    let path = temp("bad.csv", "x,y\n1,2\n");
    let e = analys(&["knox", "--input", &path, "--delta", "1", "--tau", "1"]).unwrap_err();
    assert_eq!(e, "fältet «t» finns inte; tillgängliga fält: x, y");
    let e = analys(&["moran", "--input", "/finns/inte.csv", "--value", "v"]).unwrap_err();
    assert!(e.starts_with("kunde inte läsa /finns/inte.csv"), "{e}");
}
