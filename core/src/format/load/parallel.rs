//! The suites of a pack are read and loaded on as many threads as the machine has cores: each
//! file is decoded on its own, and most of a pack's load time is theirs.

use std::num::NonZero;
use std::sync::{Mutex, PoisonError};

use crate::memo::Memo;

/// The stack of each helper thread: a main thread's usual size, as deeply nested suites need
/// (the default of spawned threads, 2 MiB, is not enough for them in a debug build).
const STACK: usize = 8 << 20;

/// `work` of each item, in the items' order, computed on up to one thread per core (this one and
/// helpers; if a helper cannot be started, the others do its share); each thread memoises what
/// it compiles.
pub(super) fn map<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, NonZero::get)
        .min(items.len());
    if threads <= 1 {
        return items.into_iter().map(work).collect();
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let next = || queue.lock().unwrap_or_else(PoisonError::into_inner).next();
    let drain = || {
        let _memo = Memo::enter();
        std::iter::from_fn(&next)
            .map(|(index, item)| (index, work(item)))
            .collect::<Vec<_>>()
    };
    let drain = &drain;
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK)
                    .spawn_scoped(scope, drain)
                    .ok()
            })
            .collect();
        let mut done = drain();
        for helper in helpers {
            done.extend(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        done
    });
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Mutex;

    #[test]
    fn results_keep_the_items_order_whichever_thread_computes_them() {
        let threads = Mutex::new(HashSet::new());
        let items: Vec<u64> = (0..200).collect();
        let squares = super::map(items, |n| {
            threads.lock().unwrap().insert(std::thread::current().id());
            // Uneven work, so that threads finish out of order.
            std::thread::sleep(std::time::Duration::from_micros((n % 7) * 50));
            n * n
        });
        assert_eq!(squares, (0..200).map(|n| n * n).collect::<Vec<_>>());
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(threads.into_inner().unwrap().len() > 1, cores > 1);
    }
}
