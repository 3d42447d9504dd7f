//! The window of recently delivered event ids.
//!
//! None of the servers replays, but the Events Hub re-broadcasts from several goroutines and a
//! proxy or a reconnect can repeat a frame: an id seen in the window is not delivered twice. The
//! window is bounded so a session that runs for weeks does not grow; the oldest id is forgotten
//! first. Keys are kept whole (not hashed), so two different events can never be mistaken for one.

use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

/// A bounded set of keys, forgetting the oldest insertion first.
#[derive(Debug, Clone)]
pub struct DedupWindow {
    capacity: usize,
    // The same allocation is shared by the set (lookups) and the queue (eviction order).
    seen: HashSet<Rc<str>>,
    order: VecDeque<Rc<str>>,
}

impl DedupWindow {
    /// A window of `capacity` keys; 0 remembers nothing (deduplication off).
    pub fn new(capacity: usize) -> Self {
        DedupWindow {
            capacity,
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Records `key` and says whether it is new. A key already in the window is not moved: the
    /// window holds the last `capacity` distinct keys in the order they were first delivered.
    pub fn insert(&mut self, key: &str) -> bool {
        if self.capacity == 0 {
            return true;
        }
        if self.seen.contains(key) {
            return false;
        }
        if self.order.len() == self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        let key: Rc<str> = Rc::from(key);
        self.seen.insert(Rc::clone(&key));
        self.order.push_back(key);
        true
    }

    /// Whether `key` is in the window.
    pub fn contains(&self, key: &str) -> bool {
        self.seen.contains(key)
    }

    /// How many keys the window holds.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_new_once() {
        let mut w = DedupWindow::new(4);
        assert!(w.insert("a"));
        assert!(!w.insert("a"));
        assert!(w.insert("b"));
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn the_oldest_key_is_forgotten_first() {
        let mut w = DedupWindow::new(3);
        for k in ["a", "b", "c"] {
            assert!(w.insert(k));
        }
        assert!(w.insert("d"), "a fourth key fits by evicting the oldest");
        assert!(!w.contains("a"));
        assert!(w.contains("b") && w.contains("c") && w.contains("d"));
        assert_eq!(w.len(), 3);
        assert!(w.insert("a"), "an evicted key is new again");
        assert!(!w.contains("b"), "and it evicted the next oldest");
    }

    #[test]
    fn a_repeat_does_not_refresh_its_place() {
        let mut w = DedupWindow::new(2);
        w.insert("a");
        w.insert("b");
        assert!(!w.insert("a"));
        w.insert("c");
        assert!(!w.contains("a"), "a stayed the oldest despite the repeat");
        assert!(w.contains("b"));
    }

    #[test]
    fn capacity_zero_remembers_nothing() {
        let mut w = DedupWindow::new(0);
        assert!(w.insert("a"));
        assert!(w.insert("a"));
        assert!(w.is_empty());
    }

    #[test]
    fn the_window_never_exceeds_its_capacity() {
        let mut w = DedupWindow::new(100);
        for i in 0..10_000 {
            w.insert(&i.to_string());
            assert!(w.len() <= 100);
        }
        assert!(w.contains("9999") && w.contains("9900") && !w.contains("9899"));
    }
}
