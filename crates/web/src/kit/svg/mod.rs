//! Accessible SVG graphics drawn by the server: no external map tiles, no JavaScript needed.
//! Every figure has a `<title>`, a `<desc>` and, on its page, a data table with the same numbers.

pub mod chart;
pub mod indicator;
pub mod map;
