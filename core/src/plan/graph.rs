//! Dependency graphs (calls reading calls, checks needing checks): a topological order and the
//! cycles that prevent one.
//!
//! The walk keeps its own stack: chains written by other teams may be thousands deep.

/// The result of [`sort`].
pub(super) struct Sorted {
    /// The nodes reached, each after the nodes it depends on (as far as cycles allow).
    pub(crate) order: Vec<usize>,
    /// Each cycle found, as the path from its first node to the node that leads back to it.
    pub(crate) cycles: Vec<Vec<usize>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    New,
    Active,
    Done,
}

/// Depth-first from each of `starts` in turn over `edges` (`edges[n]`: the nodes `n` depends on).
pub(super) fn sort<E: AsRef<[usize]>>(
    edges: &[E],
    starts: impl IntoIterator<Item = usize>,
) -> Sorted {
    let mut marks = vec![Mark::New; edges.len()];
    let mut sorted = Sorted {
        order: Vec::new(),
        cycles: Vec::new(),
    };
    // The current path: each node with the index of its next edge to follow.
    let mut path: Vec<(usize, usize)> = Vec::new();
    for start in starts {
        if marks[start] != Mark::New {
            continue;
        }
        marks[start] = Mark::Active;
        path.push((start, 0));
        while let Some((node, next)) = path.last_mut() {
            let node = *node;
            let Some(&dependency) = edges[node].as_ref().get(*next) else {
                marks[node] = Mark::Done;
                sorted.order.push(node);
                path.pop();
                continue;
            };
            *next += 1;
            match marks[dependency] {
                Mark::Done => {}
                Mark::Active => {
                    let from = path.iter().position(|&(n, _)| n == dependency);
                    let cycle = path[from.unwrap_or(0)..].iter().map(|&(n, _)| n);
                    sorted.cycles.push(cycle.collect());
                }
                Mark::New => {
                    marks[dependency] = Mark::Active;
                    path.push((dependency, 0));
                }
            }
        }
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(edges: &[Vec<usize>]) -> Sorted {
        sort(edges, 0..edges.len())
    }

    #[test]
    fn each_node_comes_after_its_dependencies() {
        let sorted = all(&[vec![1, 2], vec![2], vec![]]);
        assert_eq!(sorted.order, [2, 1, 0]);
        assert!(sorted.cycles.is_empty());
    }

    #[test]
    fn only_the_nodes_reached_from_the_starts_are_ordered() {
        let sorted = sort(&[vec![], vec![0], vec![]], [1]);
        assert_eq!(sorted.order, [0, 1]);
    }

    #[test]
    fn a_cycle_is_reported_once_as_its_path() {
        let sorted = all(&[vec![1], vec![2], vec![1], vec![]]);
        assert_eq!(sorted.cycles, [vec![1, 2]]);
        assert_eq!(sorted.order, [2, 1, 0, 3]);
    }

    #[test]
    fn a_node_depending_on_itself_is_a_cycle() {
        assert_eq!(all(&[vec![0]]).cycles, [vec![0]]);
    }

    #[test]
    fn deep_chains_do_not_exhaust_the_stack() {
        let edges: Vec<Vec<usize>> = (0..200_000).map(|n| vec![n + 1]).chain([vec![]]).collect();
        let sorted = all(&edges);
        assert_eq!(sorted.order.len(), edges.len());
        assert_eq!(sorted.order[0], 200_000);
    }
}
