mod isolation;
mod trust_guard;
mod usecases;
