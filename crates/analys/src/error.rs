//! The one error type of the analysis engine. Messages are Swedish: they reach users as they are.
//! Positions are stored zero-based and shown one-based (the first area is «nummer 1»).

/// Why an analysis could not be computed. The `Display` text is a Swedish sentence that names the
/// problem and, where possible, how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// No observations at all.
    #[error("indata är tom: minst {min} observationer behövs")]
    Empty {
        /// Minimum number of observations the analysis needs.
        min: usize,
    },
    /// Fewer observations than the method needs.
    #[error("för få observationer ({n}): metoden behöver minst {min}")]
    TooFew {
        /// Number given.
        n: usize,
        /// Number needed.
        min: usize,
    },
    /// A value is NaN or infinite.
    #[error("värde nummer {} är inte ett ändligt tal (NaN eller oändligt)", .index + 1)]
    NonFinite {
        /// Zero-based position of the value.
        index: usize,
    },
    /// A coordinate is NaN or infinite.
    #[error("koordinat nummer {} är inte ett ändligt tal", .index + 1)]
    NonFiniteCoordinate {
        /// Zero-based position of the point or vertex.
        index: usize,
    },
    /// All values are equal, so the statistic is undefined (division by a zero variance).
    #[error("alla värden är lika (variansen är noll): statistiken är odefinierad")]
    ZeroVariance,
    /// Two inputs that must have the same length do not.
    #[error("{what}: {left} mot {right} element")]
    LengthMismatch {
        /// What was compared.
        what: &'static str,
        /// First length.
        left: usize,
        /// Second length.
        right: usize,
    },
    /// A parameter is out of range.
    #[error("ogiltig parameter {name}: {reason}")]
    InvalidParameter {
        /// Parameter name as the user knows it.
        name: &'static str,
        /// Swedish explanation.
        reason: String,
    },
    /// The weights have no link at all (every unit is an island).
    #[error("inga grannar: alla {n} enheter saknar grannar med de valda vikterna")]
    NoNeighbours {
        /// Number of units.
        n: usize,
    },
    /// A requested grid would not fit the memory budget.
    #[error("rutnätet blir för stort: {cols} × {rows} rutor (högst {max} tillåts); välj större rutor")]
    GridTooLarge {
        /// Columns requested.
        cols: u64,
        /// Rows requested.
        rows: u64,
        /// Largest number of cells allowed.
        max: u64,
    },
    /// The neighbour structure would exceed the memory budget.
    #[error("för många grannpar (över {limit}): välj ett mindre avstånd eller färre grannar")]
    TooManyLinks {
        /// Largest number of links allowed.
        limit: u64,
    },
    /// A count is too large to be a weekly count.
    #[error("orimligt stort antal ({value}) i cell nummer {}: högst {max} per vecka stöds", .index + 1)]
    CountTooLarge {
        /// Zero-based cell.
        index: usize,
        /// The count.
        value: u32,
        /// Largest allowed.
        max: u32,
    },
    /// A polygon has no usable ring.
    #[error("område nummer {} saknar giltig geometri ({reason})", .index + 1)]
    InvalidGeometry {
        /// Zero-based position of the area.
        index: usize,
        /// Swedish explanation.
        reason: &'static str,
    },
}

/// Result alias for the engine.
pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn check_finite(values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite { index }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_shown_from_one() {
        assert_eq!(Error::NonFinite { index: 0 }.to_string(), "värde nummer 1 är inte ett ändligt tal (NaN eller oändligt)");
        assert_eq!(Error::InvalidGeometry { index: 4, reason: "x" }.to_string(), "område nummer 5 saknar giltig geometri (x)");
    }
}
