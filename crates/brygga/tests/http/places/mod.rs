mod areas;
mod trust_geo;
