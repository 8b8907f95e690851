//! Dialogue: consultations, their input and "Mina medskick" (issue 16).

mod api;
mod outcome;
