pub(crate) mod mail;
mod ops;
mod trust_ops;
