//! The hotspot layer: Getis–Ord Gi* over the places' published totals of the week.

use brygga_analys::getis;
use brygga_analys::{Transform, WeightSpec};

use super::{Hotspot, PlaceTotal, flags};
use crate::places::areas;

/// Gi* over the places' totals of the week (binary weights to the k nearest places, the place
/// itself included). Returns why there is no layer, if there is none.
pub(super) fn hotspots(places: &mut [PlaceTotal], all_areas: &[areas::Area]) -> Option<String> {
    let idx: Vec<usize> = (0..places.len()).filter(|&i| places[i].area_id.is_some() && places[i].centroid.is_some()).collect();
    if idx.len() < 5 || idx.len() != all_areas.len() {
        return Some(flags::no_hotspots_few_places(idx.len()));
    }
    let y: Vec<f64> = idx.iter().map(|&i| places[i].total.count as f64).collect();
    // Metres in a local projection around the places (good enough for neighbour order).
    let lat0 = idx.iter().map(|&i| places[i].centroid.expect("checked")[1]).sum::<f64>() / idx.len() as f64;
    let k = 4.min(idx.len() - 2);
    let points: Vec<[f64; 2]> = idx
        .iter()
        .map(|&i| {
            let [lon, lat] = places[i].centroid.expect("checked");
            [lon * 111_320.0 * lat0.to_radians().cos(), lat * 110_574.0]
        })
        .collect();
    let spec = WeightSpec::Knn { k };
    let weights = match spec.build_for_points(&points) {
        Ok(w) => w,
        Err(e) => return Some(flags::no_hotspots(e)),
    };
    match getis::local_g(&y, &weights, true, Transform::Binary, 0, 2024) {
        Ok(gs) => {
            for (&i, g) in idx.iter().zip(gs) {
                let z = g.z.is_finite().then_some(g.z);
                let p = g.p.is_finite().then_some(g.p);
                let class = match (z, p) {
                    (Some(z), Some(p)) if p <= 0.025 && z > 0.0 => "hot",
                    (Some(z), Some(p)) if p <= 0.025 && z < 0.0 => "cold",
                    _ => "none",
                };
                places[i].hotspot = Some(Hotspot { z, p, class: class.to_owned() });
            }
            None
        }
        Err(brygga_analys::Error::ZeroVariance) => Some(flags::NO_HOTSPOTS_EVEN.into()),
        Err(e) => Some(flags::no_hotspots(e)),
    }
}
