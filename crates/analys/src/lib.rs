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
