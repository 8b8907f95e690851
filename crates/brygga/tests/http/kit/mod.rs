mod api;
pub(crate) mod docx;
mod pages;
