//! Plane geometry on rings of `[x, y]` positions (used in SWEREF 99 TM metres): signed area,
//! centroid, a point inside, point-in-polygon, and segment crossings. Rings are closed
//! (first position = last position).

/// A closed ring.
pub type Ring = Vec<[f64; 2]>;

/// One polygon: an exterior ring and zero or more holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    pub exterior: Ring,
    pub holes: Vec<Ring>,
}

/// Twice the signed area of a closed ring (positive when counter-clockwise with y up).
pub fn ring_area2(r: &[[f64; 2]]) -> f64 {
    if r.len() < 3 {
        return 0.0;
    }
    // Relative to the first position, to keep the products small for metre coordinates.
    let o = r[0];
    r.windows(2).map(|w| (w[0][0] - o[0]) * (w[1][1] - o[1]) - (w[1][0] - o[0]) * (w[0][1] - o[1])).sum()
}

/// The area of a polygon (holes subtracted), in square units.
pub fn polygon_area(p: &Polygon) -> f64 {
    (ring_area2(&p.exterior).abs() - p.holes.iter().map(|h| ring_area2(h).abs()).sum::<f64>()) / 2.0
}

/// Area-weighted centroid of polygons (holes subtract), or the mean of the exterior
/// positions when the area is zero.
pub fn centroid(polys: &[Polygon]) -> [f64; 2] {
    let o = polys.first().and_then(|p| p.exterior.first()).copied().unwrap_or([0.0, 0.0]);
    let (mut sx, mut sy, mut sa) = (0.0, 0.0, 0.0);
    for p in polys {
        for (ring, sign) in std::iter::once((&p.exterior, 1.0)).chain(p.holes.iter().map(|h| (h, -1.0))) {
            let a2 = ring_area2(ring);
            let orient = if a2 < 0.0 { -sign } else { sign };
            for w in ring.windows(2) {
                let (x0, y0, x1, y1) = (w[0][0] - o[0], w[0][1] - o[1], w[1][0] - o[0], w[1][1] - o[1]);
                let cross = (x0 * y1 - x1 * y0) * orient;
                sx += (x0 + x1) * cross;
                sy += (y0 + y1) * cross;
                sa += cross;
            }
        }
    }
    if sa.abs() > f64::EPSILON {
        [o[0] + sx / (3.0 * sa), o[1] + sy / (3.0 * sa)]
    } else {
        let pts: Vec<[f64; 2]> = polys.iter().flat_map(|p| p.exterior.iter().copied()).collect();
        let n = pts.len().max(1) as f64;
        [pts.iter().map(|p| p[0]).sum::<f64>() / n, pts.iter().map(|p| p[1]).sum::<f64>() / n]
    }
}

/// Where a point lies relative to a ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Inside,
    Boundary,
    Outside,
}

/// Point in ring by ray casting; points on an edge are `Boundary`.
pub fn locate_in_ring(p: [f64; 2], ring: &[[f64; 2]]) -> Location {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if on_segment(a, b, p) {
            return Location::Boundary;
        }
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    if inside { Location::Inside } else { Location::Outside }
}

/// Point in polygon: inside the exterior and not inside any hole.
pub fn locate_in_polygon(p: [f64; 2], poly: &Polygon) -> Location {
    match locate_in_ring(p, &poly.exterior) {
        Location::Inside => {
            for h in &poly.holes {
                match locate_in_ring(p, h) {
                    Location::Inside => return Location::Outside,
                    Location::Boundary => return Location::Boundary,
                    Location::Outside => {}
                }
            }
            Location::Inside
        }
        other => other,
    }
}

/// Whether `p` lies in any of the polygons (boundary included).
pub fn contains(polys: &[Polygon], p: [f64; 2]) -> bool {
    polys.iter().any(|poly| locate_in_polygon(p, poly) != Location::Outside)
}

/// A point guaranteed to lie inside the polygons: the centroid when it does, otherwise the
/// middle of the widest inside stretch of a horizontal line through the largest polygon
/// (for concave shapes such as an L-shaped district or a ring-shaped park).
pub fn point_inside(polys: &[Polygon]) -> [f64; 2] {
    let c = centroid(polys);
    if polys.iter().any(|p| locate_in_polygon(c, p) == Location::Inside) {
        return c;
    }
    let Some(largest) = polys.iter().max_by(|a, b| polygon_area(a).total_cmp(&polygon_area(b))) else { return c };
    let (min_y, max_y) = largest.exterior.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p[1]), hi.max(p[1])));
    // Try the centroid's latitude first, then lines spread over the polygon's height.
    let mut lines = vec![c[1]];
    for k in 1..16 {
        lines.push(min_y + (max_y - min_y) * f64::from(k) / 16.0);
    }
    let mut best: Option<([f64; 2], f64)> = None;
    for y0 in lines {
        // Step off any vertex's height so that crossings are counted once.
        let y = nudge_off_vertices(y0, largest, (max_y - min_y).max(1e-9) * 1e-7);
        let mut xs: Vec<f64> = Vec::new();
        for ring in std::iter::once(&largest.exterior).chain(largest.holes.iter()) {
            for w in ring.windows(2) {
                let (a, b) = (w[0], w[1]);
                if (a[1] > y) != (b[1] > y) {
                    xs.push(a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]));
                }
            }
        }
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let width = pair[1] - pair[0];
            if best.is_none_or(|(_, w)| width > w) {
                best = Some(([(pair[0] + pair[1]) / 2.0, y], width));
            }
        }
        if best.is_some_and(|(p, _)| (p[1] - c[1]).abs() < f64::EPSILON.max((max_y - min_y) * 1e-6)) {
            break;
        }
    }
    best.map_or(c, |(p, _)| p)
}

fn nudge_off_vertices(y: f64, poly: &Polygon, step: f64) -> f64 {
    let mut y = y;
    for _ in 0..8 {
        let hits = std::iter::once(&poly.exterior).chain(poly.holes.iter()).flatten().any(|p| (p[1] - y).abs() < step / 2.0);
        if !hits {
            break;
        }
        y += step;
    }
    y
}

/// The bounding box of a ring: [min x, min y, max x, max y].
pub fn ring_box(r: &[[f64; 2]]) -> [f64; 4] {
    r.iter().fold([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY], |b, p| {
        [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]
    })
}

/// Whether box `a` lies within box `b` (borders included): a ring can only lie within another
/// (no position outside it) when its box does.
pub fn box_within(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3]
}

/// Whether boxes `a` and `b` share a point: a position of one ring can only lie inside another
/// when the boxes do.
pub fn boxes_meet(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Orientation of the turn a → b → c: positive counter-clockwise, zero when collinear (to
/// within rounding at metre scale).
pub fn orient(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    let v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    let scale = (b[0] - a[0]).abs().max((b[1] - a[1]).abs()) * (c[0] - a[0]).abs().max((c[1] - a[1]).abs());
    if v.abs() <= scale * 1e-12 { 0.0 } else { v }
}

/// Whether `p` lies on the closed segment a–b.
pub fn on_segment(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> bool {
    orient(a, b, p) == 0.0 && p[0] >= a[0].min(b[0]) && p[0] <= a[0].max(b[0]) && p[1] >= a[1].min(b[1]) && p[1] <= a[1].max(b[1])
}

/// How two segments meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Meeting {
    /// They do not meet.
    Apart,
    /// They cross at one point inside both.
    Cross([f64; 2]),
    /// They share one point that is an end of at least one of them.
    Touch([f64; 2]),
    /// They overlap along a stretch.
    Overlap([f64; 2]),
}

pub fn meet(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> Meeting {
    let (o1, o2, o3, o4) = (orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b));
    if o1 == 0.0 && o2 == 0.0 {
        // Collinear: overlap when the projections share more than a point.
        let horizontal = (b[0] - a[0]).abs() >= (b[1] - a[1]).abs();
        let k = |p: [f64; 2]| if horizontal { p[0] } else { p[1] };
        let (lo1, hi1) = (k(a).min(k(b)), k(a).max(k(b)));
        let (lo2, hi2) = (k(c).min(k(d)), k(c).max(k(d)));
        let (lo, hi) = (lo1.max(lo2), hi1.min(hi2));
        return if hi > lo {
            Meeting::Overlap(if on_segment(a, b, c) { c } else { a })
        } else if hi == lo {
            Meeting::Touch(if on_segment(a, b, c) { c } else { d })
        } else {
            Meeting::Apart
        };
    }
    if o1 * o2 < 0.0 && o3 * o4 < 0.0 {
        let t = o3 / (o3 - o4);
        return Meeting::Cross([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
    }
    for (p, s, e) in [(c, a, b), (d, a, b), (a, c, d), (b, c, d)] {
        if on_segment(s, e, p) {
            return Meeting::Touch(p);
        }
    }
    Meeting::Apart
}

/// A segment of ring `ring`, from position `index` to `index + 1`.
#[derive(Debug, Clone, Copy)]
struct Seg {
    ring: usize,
    index: usize,
    a: [f64; 2],
    b: [f64; 2],
}

/// A place where rings meet where they must not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// Ring numbers (0 = first ring given) and segment indexes (0-based, segment i runs from
    /// position i to i + 1).
    pub first: (usize, usize),
    pub second: (usize, usize),
    pub at: [f64; 2],
    pub overlap: bool,
}

/// Whether segments `s` and `t` of `rings` meet where they must not: a ring crossing, touching
/// or running along itself (neighbouring segments share their common end, nothing more), or two
/// rings crossing or running along each other (they may touch at single points).
fn improper(rings: &[&[[f64; 2]]], s: &Seg, t: &Seg) -> Option<Crossing> {
    let m = meet(s.a, s.b, t.a, t.b);
    let hit = if s.ring == t.ring {
        let n = rings[s.ring].len() - 1; // segments in the ring
        let adjacent = s.index.abs_diff(t.index) == 1 || s.index.abs_diff(t.index) == n - 1;
        match m {
            Meeting::Apart => None,
            // Neighbours share their common end; anything more is a fold-back.
            Meeting::Touch(_) if adjacent => None,
            Meeting::Cross(p) | Meeting::Touch(p) => Some((p, false)),
            Meeting::Overlap(p) => Some((p, true)),
        }
    } else {
        match m {
            Meeting::Cross(p) => Some((p, false)),
            Meeting::Overlap(p) => Some((p, true)),
            Meeting::Apart | Meeting::Touch(_) => None,
        }
    };
    hit.map(|(at, overlap)| {
        let (x, y) = if (s.ring, s.index) <= (t.ring, t.index) { (s, t) } else { (t, s) };
        Crossing { first: (x.ring, x.index), second: (y.ring, y.index), at, overlap }
    })
}

fn lex(p: [f64; 2], q: [f64; 2]) -> std::cmp::Ordering {
    p[0].total_cmp(&q[0]).then(p[1].total_cmp(&q[1]))
}

fn same(p: [f64; 2], q: [f64; 2]) -> bool {
    p[0] == q[0] && p[1] == q[1]
}

/// A place where the rings meet improperly (see [`improper`]), or `None` when they do not.
///
/// A Shamos–Hoey sweep: a line sweeps the plane from left to right (ties by y, so vertical
/// segments are swept bottom to top), keeping the segments it cuts ordered bottom to top.
/// Before the first improper meeting, segments never change order, so the leftmost improper
/// meeting is found when two segments become neighbours in that order (a segment is inserted,
/// or one between them is removed), or at a vertex, where all segments ending, starting or
/// passing there are compared directly: those sharing the vertex by ring (a ring passes a
/// vertex once) and by direction (segments running along each other leave it in the same
/// direction), and the one passing through it with each of them. Each segment is inserted and
/// removed once, with a binary search, and compared with a bounded number of others, so a ring
/// of n positions costs O(n log n) comparisons whatever its shape (the order is a vector:
/// insertion moves memory, which for the allowed sizes is far below the cost of a comparison).
///
/// Which improper meeting is reported when there are several is the sweep's first, which is
/// stable for a given input.
pub fn first_crossing(rings: &[&[[f64; 2]]]) -> Option<Crossing> {
    // Segments with their ends ordered left to right (then bottom to top); none of length 0.
    let mut segs: Vec<Seg> = Vec::new();
    for (ri, r) in rings.iter().enumerate() {
        for (i, w) in r.windows(2).enumerate() {
            if same(w[0], w[1]) {
                continue;
            }
            segs.push(Seg { ring: ri, index: i, a: w[0], b: w[1] });
        }
    }
    let left = |s: &Seg| if lex(s.a, s.b).is_le() { s.a } else { s.b };
    let right = |s: &Seg| if lex(s.a, s.b).is_le() { s.b } else { s.a };
    // Events: (point, segment, starts).
    let mut events: Vec<([f64; 2], usize, bool)> = Vec::with_capacity(segs.len() * 2);
    for (k, s) in segs.iter().enumerate() {
        events.push((left(s), k, true));
        events.push((right(s), k, false));
    }
    events.sort_by(|x, y| lex(x.0, y.0));
    // Where q lies relative to segment k: > 0 above, < 0 below, 0 on its line.
    let side = |k: usize, q: [f64; 2]| {
        let s = &segs[k];
        orient(left(s), right(s), q)
    };
    let mut status: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let q = events[i].0;
        let mut j = i;
        while j < events.len() && same(events[j].0, q) {
            j += 1;
        }
        let starting: Vec<usize> = events[i..j].iter().filter(|e| e.2).map(|e| e.1).collect();
        let ending: Vec<usize> = events[i..j].iter().filter(|e| !e.2).map(|e| e.1).collect();
        i = j;

        // The segments in the order whose line passes through q: those ending here and those
        // passing through (q inside them).
        let lo = status.partition_point(|&k| side(k, q) > 0.0);
        let mut hi = lo;
        while hi < status.len() && side(status[hi], q) == 0.0 {
            hi += 1;
        }
        let through: Vec<usize> = status[lo..hi].iter().copied().filter(|&k| !same(right(&segs[k]), q)).collect();
        for w in through.windows(2) {
            if let Some(c) = improper(rings, &segs[w[0]], &segs[w[1]]) {
                return Some(c);
            }
        }
        let at_q: Vec<usize> = ending.iter().chain(&starting).copied().collect();
        for &t in &through {
            for &e in &at_q {
                if let Some(c) = improper(rings, &segs[t], &segs[e]) {
                    return Some(c);
                }
            }
        }
        // Segments sharing the vertex q: by ring, then by direction.
        let mut by_ring = at_q.clone();
        by_ring.sort_by_key(|&k| (segs[k].ring, segs[k].index));
        for group in by_ring.chunk_by(|&x, &y| segs[x].ring == segs[y].ring) {
            for (gi, &x) in group.iter().enumerate() {
                for &y in &group[gi + 1..] {
                    if let Some(c) = improper(rings, &segs[x], &segs[y]) {
                        return Some(c);
                    }
                }
            }
        }
        if at_q.len() > 1 {
            let angle = |k: usize| {
                let s = &segs[k];
                let o = if same(s.a, q) { s.b } else { s.a };
                (o[1] - q[1]).atan2(o[0] - q[0])
            };
            let mut by_angle = at_q.clone();
            by_angle.sort_by(|&x, &y| angle(x).total_cmp(&angle(y)));
            for k in 0..by_angle.len() {
                let (x, y) = (by_angle[k], by_angle[(k + 1) % by_angle.len()]);
                if x != y
                    && let Some(c) = improper(rings, &segs[x], &segs[y])
                {
                    return Some(c);
                }
            }
        }

        // Remove the segments ending at q, insert those starting there.
        let mut removed_in_block = 0;
        for pos in (lo..hi).rev() {
            if ending.contains(&status[pos]) {
                status.remove(pos);
                removed_in_block += 1;
            }
        }
        if removed_in_block < ending.len() {
            // Rounding put a segment ending here outside the block: find it anywhere.
            for k in &ending {
                if let Some(pos) = status.iter().position(|x| x == k) {
                    status.remove(pos);
                }
            }
        }
        let (mut a, mut z) = (lo.min(status.len()), (hi - removed_in_block).min(status.len()));
        for &t in &starting {
            let tr = right(&segs[t]);
            let p = status.partition_point(|&k| {
                let s = side(k, q);
                // t starts at q: above k when q is, or when q is on k's line and t turns up.
                s > 0.0 || (s == 0.0 && side(k, tr) >= 0.0)
            });
            status.insert(p, t);
            a = a.min(p);
            z = if p <= z { z + 1 } else { p + 1 };
        }
        // New neighbours: compare each pair around the changed stretch.
        let from = a.saturating_sub(1);
        let to = (z + 1).min(status.len());
        for k in from..to.saturating_sub(1) {
            if let Some(c) = improper(rings, &segs[status[k]], &segs[status[k + 1]]) {
                return Some(c);
            }
        }
    }
    None
}

/// The quadratic check the sweep replaced: every pair of segments whose x ranges overlap,
/// reporting the earliest pair in ring order. Kept as the oracle of the sweep's tests.
#[cfg(test)]
pub(crate) fn first_crossing_pairwise(rings: &[&[[f64; 2]]]) -> Option<Crossing> {
    let mut segs: Vec<Seg> = Vec::new();
    for (ri, r) in rings.iter().enumerate() {
        for (i, w) in r.windows(2).enumerate() {
            segs.push(Seg { ring: ri, index: i, a: w[0], b: w[1] });
        }
    }
    segs.sort_by(|s, t| s.a[0].min(s.b[0]).total_cmp(&t.a[0].min(t.b[0])));
    let mut found: Option<Crossing> = None;
    for i in 0..segs.len() {
        let s = segs[i];
        let (s_max_x, s_min_y, s_max_y) = (s.a[0].max(s.b[0]), s.a[1].min(s.b[1]), s.a[1].max(s.b[1]));
        for t in &segs[i + 1..] {
            if t.a[0].min(t.b[0]) > s_max_x {
                break;
            }
            if t.a[1].max(t.b[1]) < s_min_y || t.a[1].min(t.b[1]) > s_max_y {
                continue;
            }
            if let Some(c) = improper(rings, &s, t)
                && found.is_none_or(|f| (c.first, c.second) < (f.first, f.second))
            {
                found = Some(c);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, s: f64) -> Ring {
        vec![[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]
    }

    #[test]
    fn area_and_centroid_of_a_square_with_a_hole() {
        let p = Polygon { exterior: square(0.0, 0.0, 10.0), holes: vec![square(1.0, 1.0, 2.0)] };
        assert_eq!(polygon_area(&p), 96.0);
        let c = centroid(std::slice::from_ref(&p));
        assert!((c[0] - 5.125).abs() < 1e-9 && (c[1] - 5.125).abs() < 1e-9, "{c:?}");
        assert!(locate_in_polygon([2.0, 2.0], &p) == Location::Outside);
        assert!(locate_in_polygon([5.0, 5.0], &p) == Location::Inside);
        assert!(locate_in_polygon([10.0, 5.0], &p) == Location::Boundary);
    }

    #[test]
    fn a_point_inside_a_u_shape_is_inside() {
        // A U whose centroid falls in the gap between the arms.
        let u =
            vec![[0.0, 0.0], [30.0, 0.0], [30.0, 30.0], [20.0, 30.0], [20.0, 10.0], [10.0, 10.0], [10.0, 30.0], [0.0, 30.0], [0.0, 0.0]];
        let p = Polygon { exterior: u, holes: vec![] };
        let c = centroid(std::slice::from_ref(&p));
        assert_eq!(locate_in_polygon(c, &p), Location::Outside, "the centroid is in the gap: {c:?}");
        let inside = point_inside(std::slice::from_ref(&p));
        assert_eq!(locate_in_polygon(inside, &p), Location::Inside, "{inside:?}");
    }

    #[test]
    fn crossings_are_found_and_touching_neighbours_are_not() {
        let bowtie = [[0.0, 0.0], [10.0, 10.0], [10.0, 0.0], [0.0, 10.0], [0.0, 0.0]];
        let c = first_crossing(&[&bowtie]).unwrap();
        assert_eq!(c.at, [5.0, 5.0]);
        assert_eq!((c.first, c.second), ((0, 0), (0, 2)));
        assert!(first_crossing(&[&square(0.0, 0.0, 10.0)]).is_none());
        // A hole touching the shell at one point is allowed; crossing it is not.
        let shell = square(0.0, 0.0, 10.0);
        let touching = vec![[0.0, 5.0], [3.0, 4.0], [3.0, 6.0], [0.0, 5.0]];
        assert!(first_crossing(&[&shell, &touching]).is_none());
        let crossing = square(8.0, 8.0, 4.0);
        assert!(first_crossing(&[&shell, &crossing]).is_some());
        // A ring that touches itself at a vertex (a figure eight) is not simple.
        let eight = [[0.0, 0.0], [2.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 2.0], [1.0, 1.0], [0.0, 0.0]];
        assert!(first_crossing(&[&eight]).is_some());
        // A spike folding back on itself.
        let spike = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [4.0, 8.0], [4.0, 2.0], [0.0, 4.0], [0.0, 0.0]];
        assert!(first_crossing(&[&spike]).is_some());
    }

    /// Closed rings from raw positions: repeated neighbours dropped, closed.
    fn rings_of(raw: Vec<Vec<(i32, i32)>>, scale: f64) -> Vec<Ring> {
        raw.into_iter()
            .map(|r| {
                let mut ring: Ring = r.into_iter().map(|(x, y)| [f64::from(x) * scale, f64::from(y) * scale]).collect();
                ring.dedup();
                if ring.len() > 1 && ring.first() != ring.last() {
                    ring.push(ring[0]);
                }
                ring
            })
            .filter(|r| r.len() >= 4)
            .collect()
    }

    fn check_against_pairwise(rings: &[Ring]) -> Result<(), proptest::test_runner::TestCaseError> {
        let refs: Vec<&[[f64; 2]]> = rings.iter().map(Vec::as_slice).collect();
        let sweep = first_crossing(&refs);
        let pairwise = first_crossing_pairwise(&refs);
        proptest::prop_assert_eq!(sweep.is_some(), pairwise.is_some(), "sweep {:?} pairwise {:?} rings {:?}", sweep, pairwise, rings);
        if let Some(c) = sweep {
            // What the sweep reports is a real improper meeting.
            let seg = |(r, i): (usize, usize)| Seg { ring: r, index: i, a: rings[r][i], b: rings[r][i + 1] };
            proptest::prop_assert!(improper(&refs, &seg(c.first), &seg(c.second)).is_some(), "{:?} in {:?}", c, rings);
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// On a small integer grid (shared vertices, collinear runs, touching rings: every tie
        /// the sweep must order) the sweep finds an improper meeting exactly when the old
        /// pairwise check does.
        #[test]
        fn the_sweep_agrees_with_the_pairwise_check_on_a_grid(
            raw in proptest::collection::vec(proptest::collection::vec((0i32..5, 0i32..5), 3..9), 1..4)
        ) {
            check_against_pairwise(&rings_of(raw, 1.0))?;
        }

        /// The same in general position, at the scale of SWEREF 99 TM metres.
        #[test]
        fn the_sweep_agrees_with_the_pairwise_check_in_general_position(
            raw in proptest::collection::vec(proptest::collection::vec((0i32..100_000, 0i32..100_000), 3..12), 1..4)
        ) {
            let mut rings = rings_of(raw, 0.01);
            for r in &mut rings {
                for p in r.iter_mut() {
                    p[0] += 400_000.0;
                    p[1] += 6_100_000.0;
                }
            }
            check_against_pairwise(&rings)?;
        }
    }

    #[test]
    fn simple_shapes_with_shared_vertices_and_touching_holes_pass_the_sweep() {
        // A comb: many long horizontal segments overlapping in x, none meeting.
        let mut comb = vec![[0.0, 0.0]];
        for k in 0..200 {
            let y = f64::from(k) * 2.0;
            comb.push([1000.0, y]);
            comb.push([1000.0, y + 1.0]);
            comb.push([1.0, y + 1.0]);
            comb.push([1.0, y + 2.0]);
        }
        comb.push([0.0, 402.0]);
        comb.push([0.0, 0.0]);
        assert!(first_crossing(&[&comb]).is_none());
        assert!(first_crossing_pairwise(&[&comb]).is_none());
        // The same comb with one tooth pushed into its neighbour.
        let mut bad = comb.clone();
        bad[5][1] = 0.5;
        assert!(first_crossing(&[&bad]).is_some());
        assert!(first_crossing_pairwise(&[&bad]).is_some());
        // Two holes touching each other and the shell at single points.
        let shell = square(0.0, 0.0, 10.0);
        let h1 = vec![[0.0, 5.0], [5.0, 2.0], [5.0, 8.0], [0.0, 5.0]];
        let h2 = vec![[5.0, 5.0], [8.0, 2.0], [8.0, 8.0], [5.0, 5.0]];
        assert!(first_crossing(&[&shell, &h1, &h2]).is_none());
        assert!(first_crossing_pairwise(&[&shell, &h1, &h2]).is_none());
    }
}
