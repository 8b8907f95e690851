pub mod situations;
