//! Reference geography: counties, municipalities and local police areas.
