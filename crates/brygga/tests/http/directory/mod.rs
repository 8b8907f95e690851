//! The public directory (issue 15, item 1).

mod api;
mod pages;
