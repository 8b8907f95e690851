//! Brygga analysis engine: numbers and geometry in, numbers out. No I/O.
