//! Property tests of the engine's invariants (proptest).

use brygga_analys::geom::{Area, Point};
use brygga_analys::grid::{DEFAULT_MAX_CELLS, grid_hotspots};
use brygga_analys::trend::{TrendCell, TrendOptions, detect};
use brygga_analys::weights::{Contiguity, Transform, contiguity, distance_band, knn};
use brygga_analys::{getis, knox, moran};
use proptest::prelude::*;

fn lattice(cols: usize, rows: usize, jitter: &[f64]) -> Vec<Area> {
    // shared, jittered vertices so contiguity is exact
    let vx = |c: usize, r: usize| c as f64 * 10.0 + jitter[(r * (cols + 1) + c) % jitter.len()];
    let vy = |c: usize, r: usize| r as f64 * 10.0 + jitter[(c * (rows + 1) + r + 7) % jitter.len()];
    let mut v = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            v.push(Area::simple(vec![
                [vx(c, r), vy(c, r)],
                [vx(c + 1, r), vy(c + 1, r)],
                [vx(c + 1, r + 1), vy(c + 1, r + 1)],
                [vx(c, r + 1), vy(c, r + 1)],
            ]));
        }
    }
    v
}

fn close(a: f64, b: f64, rtol: f64) -> bool {
    (a - b).abs() <= rtol * a.abs().max(b.abs()).max(1e-12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn moran_is_invariant_to_shift_and_positive_scale(
        y in prop::collection::vec(-100.0f64..100.0, 30),
        a in 0.01f64..1000.0,
        b in -1e4f64..1e4,
        jitter in prop::collection::vec(-3.0f64..3.0, 11),
        row in any::<bool>(),
    ) {
        let t = if row { Transform::Row } else { Transform::Binary };
        let w = contiguity(&lattice(6, 5, &jitter), Contiguity::Queen, 0.0).unwrap().transformed(t);
        let Ok(m1) = moran::moran(&y, &w, 99, 3) else { return Ok(()) };
        let y2: Vec<f64> = y.iter().map(|v| a * v + b).collect();
        let m2 = moran::moran(&y2, &w, 99, 3).unwrap();
        prop_assert!(close(m1.i, m2.i, 1e-9), "{} {}", m1.i, m2.i);
        prop_assert!(close(m1.z_norm, m2.z_norm, 1e-8));
        prop_assert!(close(m1.z_rand, m2.z_rand, 1e-8));
        let (p1, p2) = (m1.permutation.unwrap().p_sim, m2.permutation.unwrap().p_sim);
        prop_assert!((p1 - p2).abs() <= 2.0 / 100.0, "{p1} {p2}");
        let l1 = moran::local_moran(&y, &w, 0, 0).unwrap();
        let l2 = moran::local_moran(&y2, &w, 0, 0).unwrap();
        for (u, v) in l1.iter().zip(&l2) {
            prop_assert!(close(u.i, v.i, 1e-8));
            prop_assert_eq!(u.quadrant, v.quadrant);
        }
    }

    #[test]
    fn moran_does_not_depend_on_the_order_of_units(
        pts in prop::collection::vec((0.0f64..1000.0, 0.0f64..1000.0, -5.0f64..5.0), 12..60),
        seed in any::<u64>(),
    ) {
        let points: Vec<Point> = pts.iter().map(|p| [p.0, p.1]).collect();
        let y: Vec<f64> = pts.iter().map(|p| p.2).collect();
        let mut order: Vec<usize> = (0..points.len()).collect();
        brygga_analys::rng::Rng::new(seed).shuffle(&mut order);
        let p2: Vec<Point> = order.iter().map(|&i| points[i]).collect();
        let y2: Vec<f64> = order.iter().map(|&i| y[i]).collect();
        let w1 = knn(&points, 4).unwrap().transformed(Transform::Row);
        let w2 = knn(&p2, 4).unwrap().transformed(Transform::Row);
        if let (Ok(a), Ok(b)) = (moran::moran(&y, &w1, 0, 0), moran::moran(&y2, &w2, 0, 0)) {
            // ties among equal distances may pick different neighbours; random floats make them rare
            prop_assert!(close(a.i, b.i, 1e-9), "{} {}", a.i, b.i);
        }
    }

    #[test]
    fn gi_star_is_scale_invariant_and_queen_contains_rook(
        y in prop::collection::vec(0.0f64..50.0, 20),
        a in 0.001f64..1000.0,
        jitter in prop::collection::vec(-3.0f64..3.0, 7),
    ) {
        let areas = lattice(5, 4, &jitter);
        let queen = contiguity(&areas, Contiguity::Queen, 0.0).unwrap();
        let rook = contiguity(&areas, Contiguity::Rook, 0.0).unwrap();
        prop_assert!(queen.is_symmetric() && rook.is_symmetric());
        for i in 0..areas.len() {
            for &j in rook.row(i).0 {
                prop_assert!(queen.row(i).0.contains(&j));
            }
        }
        let Ok(g1) = getis::local_g(&y, &queen, true, Transform::Binary, 0, 0) else { return Ok(()) };
        let y2: Vec<f64> = y.iter().map(|v| v * a).collect();
        let g2 = getis::local_g(&y2, &queen, true, Transform::Binary, 0, 0).unwrap();
        for (u, v) in g1.iter().zip(&g2) {
            prop_assert!(close(u.z, v.z, 1e-8) || (u.z.is_nan() && v.z.is_nan()));
        }
    }

    #[test]
    fn grid_hotspots_count_every_point_and_ignore_translation(
        pts in prop::collection::vec((0.0f64..900.0, 0.0f64..600.0), 5..400),
        dx in -1e5f64..1e5,
        dy in -1e5f64..1e5,
    ) {
        let p1: Vec<Point> = pts.iter().map(|p| [p.0.round(), p.1.round()]).collect();
        let p2: Vec<Point> = p1.iter().map(|p| [p[0] + dx.round(), p[1] + dy.round()]).collect();
        match (grid_hotspots(&p1, 50.0, 120.0, DEFAULT_MAX_CELLS), grid_hotspots(&p2, 50.0, 120.0, DEFAULT_MAX_CELLS)) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.counts.iter().map(|&c| c as usize).sum::<usize>(), p1.len());
                prop_assert_eq!(&a.counts, &b.counts);
                for (u, v) in a.z.iter().zip(&b.z) {
                    prop_assert!(close(*u, *v, 1e-12));
                }
            }
            (Err(e1), Err(e2)) => prop_assert_eq!(e1, e2),
            (x, y) => prop_assert!(false, "{x:?} vs {y:?}"),
        }
    }

    #[test]
    fn knox_counts_are_consistent(
        ev in prop::collection::vec((0.0f64..500.0, 0.0f64..500.0, 0u32..100), 2..150),
        delta in 0.0f64..200.0,
        tau in 0.0f64..30.0,
    ) {
        let points: Vec<Point> = ev.iter().map(|e| [e.0, e.1]).collect();
        let t: Vec<f64> = ev.iter().map(|e| e.2 as f64).collect();
        let r = knox::knox(&points, &t, delta, tau, 19, 1).unwrap();
        prop_assert!(r.statistic <= r.spatial_pairs.min(r.temporal_pairs));
        prop_assert!(r.spatial_pairs <= r.pairs && r.temporal_pairs <= r.pairs);
        let p = r.p_sim.unwrap();
        prop_assert!((0.05..=1.0).contains(&p));
        let w = distance_band(&points, delta.max(1e-9)).unwrap();
        if delta > 0.0 {
            prop_assert_eq!(w.links() as u64, 2 * r.spatial_pairs);
        }
    }

    #[test]
    fn trend_outputs_are_well_formed_and_monotone(
        recent in prop::collection::vec(0u32..40, 0..10),
        last in prop::option::of(prop::collection::vec(0u32..40, 0..9)),
        current in 0u32..200,
    ) {
        let cell = TrendCell { current, recent: recent.clone(), last_year: last.clone() };
        let more = TrendCell { current: current + 5, recent, last_year: last };
        let r = detect(&[cell, more], &TrendOptions::default()).unwrap();
        for x in &r {
            prop_assert!((0.0..=1.0).contains(&x.p_value));
            prop_assert!(x.q_value >= x.p_value - 1e-15 && x.q_value <= 1.0);
            prop_assert!(x.typical_range.0 <= x.typical_range.1);
            prop_assert!(!x.flagged || x.tested);
        }
        if r[0].tested && r[0].current as f64 >= r[0].expected {
            prop_assert!(r[1].p_value <= r[0].p_value + 1e-12);
        }
    }
}
