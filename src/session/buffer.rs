//! The bounded queue between the socket and the application.
//!
//! A consumer that reads slower than the server sends (an async iterator behind an `await` on
//! the network, say) must not make memory grow without end, as every peer's unbounded queue
//! does. When full, the oldest waiting event goes: the newest state is the most useful one, and
//! each drop is counted so nothing disappears silently.

use std::collections::VecDeque;

/// A FIFO of at most `capacity` items that drops its oldest item to make room.
#[derive(Debug, Clone)]
pub struct DeliveryBuffer<T> {
    capacity: usize,
    items: VecDeque<T>,
    dropped: u64,
}

impl<T> DeliveryBuffer<T> {
    /// A buffer of `capacity` items; 0 is taken as 1, as a queue that holds nothing could not
    /// hand anything over.
    pub fn new(capacity: usize) -> Self {
        DeliveryBuffer {
            capacity: capacity.max(1),
            items: VecDeque::new(),
            dropped: 0,
        }
    }

    /// Appends `item`; returns the oldest item when it had to be dropped to make room.
    pub fn push(&mut self, item: T) -> Option<T> {
        let evicted = if self.items.len() >= self.capacity {
            self.dropped += 1;
            self.items.pop_front()
        } else {
            None
        };
        self.items.push_back(item);
        evicted
    }

    /// Takes the oldest item.
    pub fn pop(&mut self) -> Option<T> {
        self.items.pop_front()
    }

    /// Empties the buffer; returns how many items were discarded.
    pub fn clear(&mut self) -> usize {
        let n = self.items.len();
        // A fresh VecDeque releases the allocation a burst may have grown.
        self.items = VecDeque::new();
        n
    }

    /// How many items wait.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The most items it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many items were dropped to make room, in the buffer's lifetime.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_out_in_order() {
        let mut b = DeliveryBuffer::new(3);
        assert_eq!(b.push(1), None);
        assert_eq!(b.push(2), None);
        assert_eq!(b.pop(), Some(1));
        assert_eq!(b.pop(), Some(2));
        assert_eq!(b.pop(), None);
        assert_eq!(b.dropped(), 0);
    }

    #[test]
    fn overflow_drops_the_oldest_and_counts_it() {
        let mut b = DeliveryBuffer::new(3);
        for i in 0..3 {
            assert_eq!(b.push(i), None);
        }
        assert_eq!(b.push(3), Some(0));
        assert_eq!(b.push(4), Some(1));
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 2);
        assert_eq!(std::iter::from_fn(|| b.pop()).collect::<Vec<_>>(), [2, 3, 4]);
    }

    #[test]
    fn accounting_holds_through_any_mix() {
        let mut b = DeliveryBuffer::new(5);
        let (mut pushed, mut popped) = (0u64, 0u64);
        for i in 0..1_000u64 {
            b.push(i);
            pushed += 1;
            if i % 3 == 0 && b.pop().is_some() {
                popped += 1;
            }
            assert_eq!(popped + b.dropped() + b.len() as u64, pushed);
            assert!(b.len() <= 5);
        }
    }

    #[test]
    fn capacity_zero_holds_one() {
        let mut b = DeliveryBuffer::new(0);
        assert_eq!(b.capacity(), 1);
        b.push('a');
        assert_eq!(b.push('b'), Some('a'));
        assert_eq!(b.pop(), Some('b'));
    }

    #[test]
    fn clear_reports_what_it_discarded() {
        let mut b = DeliveryBuffer::new(4);
        b.push(1);
        b.push(2);
        assert_eq!(b.clear(), 2);
        assert!(b.is_empty());
        assert_eq!(b.dropped(), 0, "a clear is not an overflow");
    }
}
