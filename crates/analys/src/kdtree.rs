//! A static two-dimensional k-d tree for neighbour searches (Bentley 1975), stored implicitly:
//! the median of each range is its node, the halves are its children.

use crate::geom::{Point, dist2};
use std::collections::BinaryHeap;

const LEAF: usize = 8;

/// k-d tree over borrowed points.
#[derive(Debug)]
pub struct KdTree<'a> {
    points: &'a [Point],
    order: Vec<u32>,
}

#[derive(PartialEq)]
struct Cand(f64, u32);
impl Eq for Cand {}
impl PartialOrd for Cand {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Cand {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

impl<'a> KdTree<'a> {
    /// Builds the tree in O(n log n). Points must be finite.
    pub fn new(points: &'a [Point]) -> Self {
        let mut order: Vec<u32> = (0..points.len() as u32).collect();
        build(points, &mut order, 0);
        KdTree { points, order }
    }

    /// Every point `j` with squared distance to `q` at most `r2`, appended to `out` (unsorted).
    pub fn within(&self, q: Point, r2: f64, out: &mut Vec<u32>) {
        self.within_rec(0, self.order.len(), 0, q, r2, out);
    }

    fn within_rec(&self, lo: usize, hi: usize, depth: usize, q: Point, r2: f64, out: &mut Vec<u32>) {
        if hi - lo <= LEAF {
            for &j in &self.order[lo..hi] {
                if dist2(q, self.points[j as usize]) <= r2 {
                    out.push(j);
                }
            }
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let axis = depth % 2;
        let node = self.order[mid];
        let p = self.points[node as usize];
        if dist2(q, p) <= r2 {
            out.push(node);
        }
        let diff = q[axis] - p[axis];
        let (near, far) = if diff <= 0.0 { ((lo, mid), (mid + 1, hi)) } else { ((mid + 1, hi), (lo, mid)) };
        self.within_rec(near.0, near.1, depth + 1, q, r2, out);
        if diff * diff <= r2 {
            self.within_rec(far.0, far.1, depth + 1, q, r2, out);
        }
    }

    /// The `k` nearest points to point number `i` (itself excluded), as `(squared distance,
    /// index)` sorted by distance, ties broken by the lower index.
    pub fn nearest_excluding(&self, i: u32, k: usize) -> Vec<(f64, u32)> {
        let q = self.points[i as usize];
        let mut heap: BinaryHeap<Cand> = BinaryHeap::with_capacity(k + 1);
        if k > 0 {
            self.knn_rec(0, self.order.len(), 0, q, i, k, &mut heap);
        }
        let mut v: Vec<(f64, u32)> = heap.into_iter().map(|c| (c.0, c.1)).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        v
    }

    #[allow(clippy::too_many_arguments)]
    fn knn_rec(&self, lo: usize, hi: usize, depth: usize, q: Point, skip: u32, k: usize, heap: &mut BinaryHeap<Cand>) {
        let consider = |j: u32, heap: &mut BinaryHeap<Cand>| {
            if j == skip {
                return;
            }
            let c = Cand(dist2(q, self.points[j as usize]), j);
            if heap.len() < k {
                heap.push(c);
            } else if let Some(top) = heap.peek()
                && c < *top
            {
                heap.pop();
                heap.push(c);
            }
        };
        if hi - lo <= LEAF {
            for &j in &self.order[lo..hi] {
                consider(j, heap);
            }
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let axis = depth % 2;
        let node = self.order[mid];
        let p = self.points[node as usize];
        consider(node, heap);
        let diff = q[axis] - p[axis];
        let (near, far) = if diff <= 0.0 { ((lo, mid), (mid + 1, hi)) } else { ((mid + 1, hi), (lo, mid)) };
        self.knn_rec(near.0, near.1, depth + 1, q, skip, k, heap);
        let worst = if heap.len() < k { f64::INFINITY } else { heap.peek().map_or(f64::INFINITY, |c| c.0) };
        if diff * diff <= worst {
            self.knn_rec(far.0, far.1, depth + 1, q, skip, k, heap);
        }
    }
}

fn build(points: &[Point], order: &mut [u32], depth: usize) {
    if order.len() <= LEAF {
        return;
    }
    let axis = depth % 2;
    let mid = order.len() / 2;
    order.select_nth_unstable_by(mid, |&a, &b| points[a as usize][axis].total_cmp(&points[b as usize][axis]).then(a.cmp(&b)));
    let (left, right) = order.split_at_mut(mid);
    build(points, left, depth + 1);
    build(points, &mut right[1..], depth + 1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn cloud(n: usize, seed: u64) -> Vec<Point> {
        let mut rng = Rng::new(seed);
        (0..n).map(|_| [rng.next_f64() * 100.0, rng.next_f64() * 50.0]).collect()
    }

    #[test]
    fn within_matches_brute_force() {
        let pts = cloud(500, 3);
        let tree = KdTree::new(&pts);
        for (i, &q) in pts.iter().enumerate().step_by(7) {
            let mut got = Vec::new();
            tree.within(q, 64.0, &mut got);
            got.sort_unstable();
            let want: Vec<u32> = (0..pts.len() as u32).filter(|&j| dist2(q, pts[j as usize]) <= 64.0).collect();
            assert_eq!(got, want, "point {i}");
        }
    }

    #[test]
    fn knn_matches_brute_force() {
        let pts = cloud(400, 4);
        let tree = KdTree::new(&pts);
        for i in (0..pts.len() as u32).step_by(5) {
            let got = tree.nearest_excluding(i, 6);
            let mut all: Vec<(f64, u32)> =
                (0..pts.len() as u32).filter(|&j| j != i).map(|j| (dist2(pts[i as usize], pts[j as usize]), j)).collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            assert_eq!(got, all[..6].to_vec());
        }
    }
}
