//! The `brygga analys` command family: input readers and JSON output around `brygga-analys`.
//!
//! Every command reads CSV or GeoJSON (trend: JSON), writes one JSON document to stdout and
//! reports bad input as a Swedish sentence ([`CliError`]).

mod commands;
pub mod error;
pub mod input;

pub use error::{CliError, Result};

use brygga_analys::grid::DEFAULT_MAX_CELLS;
use std::io::Write;

/// `brygga analys`: spatial statistics on CSV or GeoJSON, JSON on stdout.
#[derive(Debug, clap::Args)]
pub struct AnalysArgs {
    /// The analysis to run.
    #[command(subcommand)]
    pub command: AnalysCommand,
}

/// The analyses.
#[derive(Debug, clap::Subcommand)]
pub enum AnalysCommand {
    /// Global Moran's I with analytical and permutation inference.
    Moran(StatArgs),
    /// Local Moran's I (LISA) with HH/LL/HL/LH quadrants.
    Lisa(StatArgs),
    /// Local Getis–Ord Gi* (or Gi with --no-star) for areas or points.
    Gistar(GiArgs),
    /// Grid Gi* hotspots from points.
    Hotspots(HotspotArgs),
    /// Kernel density on a grid.
    Kde(KdeArgs),
    /// Knox test for space–time interaction (near-repeat).
    Knox(KnoxArgs),
    /// Near-repeat band table (distance × time bands), as the Near Repeat Calculator.
    Nearrepeat(NearRepeatArgs),
    /// The spatial weights themselves: neighbours, islands.
    Weights(WeightsArgs),
    /// Trend versus temporary variation for weekly counts (JSON input).
    Trend(TrendArgs),
    /// Simulated false-alarm rate and doubling detection of the trend test.
    TrendSim(TrendSimArgs),
}

/// Where the units come from.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// CSV or GeoJSON file.
    #[arg(long)]
    pub input: String,
    /// x column (CSV points).
    #[arg(long)]
    pub x: Option<String>,
    /// y column (CSV points).
    #[arg(long)]
    pub y: Option<String>,
    /// Column/property used as id in the output (default: the GeoJSON feature id, else the row index).
    #[arg(long)]
    pub id: Option<String>,
}

/// Arguments of `moran` and `lisa`.
#[derive(Debug, Clone, clap::Args)]
pub struct StatArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Numeric field to analyse.
    #[arg(long)]
    pub value: String,
    /// queen, rook, queen:TOL, rook:TOL, knn:K, band:D, idw:D or idw:D:ALPHA.
    #[arg(long, default_value = "queen")]
    pub weights: String,
    /// r (row-standardised) or b (binary).
    #[arg(long, default_value = "r")]
    pub transform: String,
    /// Number of random permutations (0 = none).
    #[arg(long, default_value_t = 999)]
    pub permutations: usize,
    /// Seed of the permutations.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Significance level for the LISA cluster classes (`lisa` only).
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
}

/// Arguments of `gistar`.
#[derive(Debug, Clone, clap::Args)]
pub struct GiArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Numeric field to analyse (non-negative: counts, rates).
    #[arg(long)]
    pub value: String,
    /// queen, rook, knn:K, band:D, idw:D (see `moran`).
    #[arg(long, default_value = "queen")]
    pub weights: String,
    /// b (binary) or r (row-standardised).
    #[arg(long, default_value = "b")]
    pub transform: String,
    /// Number of conditional permutations (0 = analytical inference only).
    #[arg(long, default_value_t = 0)]
    pub permutations: usize,
    /// Seed of the permutations.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Gi instead of Gi* (the unit itself excluded).
    #[arg(long)]
    pub no_star: bool,
}

/// Arguments of `hotspots`.
#[derive(Debug, Clone, clap::Args)]
pub struct HotspotArgs {
    /// CSV or GeoJSON points.
    #[arg(long)]
    pub input: String,
    /// x column.
    #[arg(long, default_value = "x")]
    pub x: String,
    /// y column.
    #[arg(long, default_value = "y")]
    pub y: String,
    /// Cell size (coordinate units, e.g. metres).
    #[arg(long)]
    pub cell: f64,
    /// Neighbour distance between cell centres (inclusive).
    #[arg(long)]
    pub band: f64,
    /// Largest number of cells allowed.
    #[arg(long, default_value_t = DEFAULT_MAX_CELLS)]
    pub max_cells: u64,
}

/// Arguments of `kde`.
#[derive(Debug, Clone, clap::Args)]
pub struct KdeArgs {
    /// CSV or GeoJSON points.
    #[arg(long)]
    pub input: String,
    /// x column.
    #[arg(long, default_value = "x")]
    pub x: String,
    /// y column.
    #[arg(long, default_value = "y")]
    pub y: String,
    /// Optional weight column/property (default: every point weighs 1).
    #[arg(long)]
    pub weight: Option<String>,
    /// Cell size.
    #[arg(long)]
    pub cell: f64,
    /// Bandwidth in coordinate units (default: the documented rule of thumb).
    #[arg(long)]
    pub bandwidth: Option<f64>,
    /// quartic or gaussian.
    #[arg(long, default_value = "quartic")]
    pub kernel: String,
    /// Largest number of cells allowed.
    #[arg(long, default_value_t = DEFAULT_MAX_CELLS)]
    pub max_cells: u64,
}

/// Arguments of `knox`.
#[derive(Debug, Clone, clap::Args)]
pub struct KnoxArgs {
    /// CSV (or GeoJSON points) with x, y and t.
    #[arg(long)]
    pub input: String,
    /// x column.
    #[arg(long, default_value = "x")]
    pub x: String,
    /// y column.
    #[arg(long, default_value = "y")]
    pub y: String,
    /// Time column (a number, e.g. days).
    #[arg(long, default_value = "t")]
    pub t: String,
    /// Distance threshold δ (inclusive).
    #[arg(long)]
    pub delta: f64,
    /// Time threshold τ (inclusive).
    #[arg(long)]
    pub tau: f64,
    /// Number of permutations.
    #[arg(long, default_value_t = 999)]
    pub permutations: usize,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Arguments of `nearrepeat`.
#[derive(Debug, Clone, clap::Args)]
pub struct NearRepeatArgs {
    /// CSV (or GeoJSON points) with x, y and t.
    #[arg(long)]
    pub input: String,
    /// x column.
    #[arg(long, default_value = "x")]
    pub x: String,
    /// y column.
    #[arg(long, default_value = "y")]
    pub y: String,
    /// Time column.
    #[arg(long, default_value = "t")]
    pub t: String,
    /// Upper limits of the distance bands, e.g. 0,100,200,300 (0 = same location).
    #[arg(long, value_delimiter = ',', required = true)]
    pub distances: Vec<f64>,
    /// Upper limits of the time bands, e.g. 7,14,21.
    #[arg(long, value_delimiter = ',', required = true)]
    pub times: Vec<f64>,
    /// Number of permutations.
    #[arg(long, default_value_t = 999)]
    pub permutations: usize,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Arguments of `weights`.
#[derive(Debug, Clone, clap::Args)]
pub struct WeightsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// queen, rook, knn:K, band:D, idw:D.
    #[arg(long, default_value = "queen")]
    pub weights: String,
    /// r or b; omitted = as built (binary, or inverse distance for idw).
    #[arg(long)]
    pub transform: Option<String>,
}

/// Arguments of `trend`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrendArgs {
    /// JSON: {"cells":[{"id":…,"current":N,"recent":[…],"last_year":[…]|null}, …]} or the bare list.
    #[arg(long)]
    pub input: String,
    /// False discovery rate for the flags.
    #[arg(long, default_value_t = 0.05)]
    pub fdr: f64,
    /// Coverage of the typical range.
    #[arg(long, default_value_t = 0.8)]
    pub coverage: f64,
}

/// Arguments of `trend-sim`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrendSimArgs {
    /// Series per mean level.
    #[arg(long, default_value_t = 2000)]
    pub series: usize,
    /// Seed.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Negative binomial size of the simulated counts, or 0 for Poisson.
    #[arg(long, default_value_t = 10.0)]
    pub size: f64,
    /// Mean weekly counts.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1.0, 3.0, 10.0, 30.0])]
    pub means: Vec<f64>,
}

/// Runs one analysis command, writing its JSON result to `out`.
pub fn run(args: &AnalysArgs, out: &mut dyn Write) -> Result<()> {
    let value = match &args.command {
        AnalysCommand::Moran(a) => commands::cmd_moran(a)?,
        AnalysCommand::Lisa(a) => commands::cmd_lisa(a)?,
        AnalysCommand::Gistar(a) => commands::cmd_gistar(a)?,
        AnalysCommand::Hotspots(a) => return commands::cmd_hotspots(a, out),
        AnalysCommand::Kde(a) => return commands::cmd_kde(a, out),
        AnalysCommand::Knox(a) => commands::cmd_knox(a)?,
        AnalysCommand::Nearrepeat(a) => commands::cmd_nearrepeat(a)?,
        AnalysCommand::Weights(a) => commands::cmd_weights(a)?,
        AnalysCommand::Trend(a) => commands::cmd_trend(a)?,
        AnalysCommand::TrendSim(a) => commands::cmd_trend_sim(a)?,
    };
    commands::write_json(out, &value)
}
