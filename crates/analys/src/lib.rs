//! Brygga analysis engine: numbers and geometry in, numbers out. No I/O.
//!
//! * [`weights`]: spatial weights from polygons (queen/rook) or points (k nearest, distance band,
//!   inverse distance), binary or row-standardised, with islands reported.
//! * [`moran`]: global Moran's I (normality, randomisation and permutation inference) and LISA.
//! * [`getis`]: local Getis–Ord Gi and Gi*.
//! * [`grid`]: point binning and grid Gi* hotspots.
//! * [`kde`]: kernel density on a grid.
//! * [`knox`]: Knox test and near-repeat band table.
//! * [`trend`]: trend versus temporary variation in weekly counts, with Benjamini–Hochberg.
//!
//! Everything random takes a seed and gives the same numbers on any number of threads.
//! Formulas and references: `docs/ANALYS.md`.
//!
//! # The weekly situation picture
//!
//! Flags: one [`trend::TrendCell`] per category × area, tested together so Benjamini–Hochberg
//! controls the false flags of the week.
//!
//! ```
//! use brygga_analys::trend::{detect, Direction, TrendCell, TrendOptions};
//!
//! let cells = vec![
//!     TrendCell { current: 14, recent: vec![3, 5, 4, 6, 3, 4, 5, 4], last_year: Some(vec![4, 3, 5, 4, 6, 4, 3]) },
//!     TrendCell { current: 5, recent: vec![3, 5, 4, 6, 3, 4, 5, 4], last_year: None },
//! ];
//! let r = detect(&cells, &TrendOptions::default()).unwrap();
//! assert!(r[0].flagged && r[0].direction == Direction::Increase);
//! let (lo, hi) = r[0].typical_range;
//! let sentence = format!("Klotter vid Stortorget: {} rapporter v. 46 mot normalt {lo}–{hi}", r[0].current);
//! assert!(!r[1].flagged);
//! # let _ = sentence;
//! ```
//!
//! Hotspots on areas (polygons in SWEREF 99 TM) with Gi*:
//!
//! ```
//! use brygga_analys::{getis, Area, Transform, WeightSpec};
//!
//! let square = |x: f64, y: f64| Area::simple(vec![[x, y], [x + 100.0, y], [x + 100.0, y + 100.0], [x, y + 100.0], [x, y]]);
//! let areas: Vec<Area> = (0..25).map(|k| square(674_000.0 + 100.0 * (k % 5) as f64, 6_580_000.0 + 100.0 * (k / 5) as f64)).collect();
//! let counts: Vec<f64> = (0..25).map(|k| if [7, 11, 12, 13, 17].contains(&k) { 30.0 } else { 2.0 }).collect();
//! let w = WeightSpec::Queen { tolerance: 0.0 }.build_for_areas(&areas).unwrap();
//! let gi = getis::local_g(&counts, &w, true, Transform::Binary, 0, 0).unwrap();
//! assert!(gi[12].z > 2.0);
//! // points: WeightSpec::Band { threshold: 150.0 }.build_for_points(&points)
//! ```
//!
//! The density layer:
//!
//! ```
//! use brygga_analys::kde::{kde, Bandwidth, Kernel};
//!
//! let points = vec![[674_010.0, 6_580_020.0], [674_030.0, 6_580_025.0], [674_400.0, 6_580_300.0]];
//! let layer = kde(&points, None, 25.0, Kernel::Quartic, Bandwidth::Fixed(150.0), 1_000_000).unwrap();
//! assert_eq!(layer.density.len(), layer.grid.cols * layer.grid.rows);
//! ```

pub mod error;
pub mod geom;
pub mod getis;
pub mod grid;
pub mod kde;
mod kdtree;
pub mod knox;
pub mod moran;
pub mod rng;
pub mod stats;
pub mod trend;
pub mod weights;

pub use error::{Error, Result};
pub use geom::{Area, Point, Polygon, Ring};
pub use weights::{Transform, WeightSpec, Weights};
