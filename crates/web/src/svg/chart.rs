//! Week-by-week line charts (filled in by the weekly picture).
