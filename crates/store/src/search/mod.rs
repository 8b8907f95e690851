//! Swedish full-text search over what the other folders hold. The top folder: it reads every
//! capability's records to index them, and no folder uses it.
