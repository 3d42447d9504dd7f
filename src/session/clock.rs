//! Time as the session sees it.
//!
//! The driver passes the wall clock (`Date.now()`) with every input. The wall clock is what
//! makes deadlines honest in a background tab: timers there may fire once a minute, but the next
//! input of any kind carries the true time, and every deadline already past is acted on at once.
//!
//! The wall clock can also step backwards (NTP, a user changing the time). Deadlines are kept on
//! a private monotonic line that only ever moves forward by the positive steps of the wall clock,
//! so a step back neither fires nor postpones anything; times shown to the application (gap
//! bounds, last event) stay wall-clock values, which is what a REST query "since" needs.

/// Milliseconds of the wall clock, since the Unix epoch in the browser (`Date.now()`), or since
/// any fixed origin in tests.
pub type Millis = u64;

/// The session's reading of time: the last wall-clock value seen and the monotonic line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    wall: Millis,
    mono: u64,
}

impl Clock {
    pub(crate) fn new(now: Millis) -> Self {
        Clock { wall: now, mono: 0 }
    }

    /// Takes in a new wall-clock reading.
    pub(crate) fn advance(&mut self, now: Millis) {
        if now > self.wall {
            self.mono += now - self.wall;
        }
        self.wall = now;
    }

    /// The last wall-clock reading.
    pub(crate) fn wall(&self) -> Millis {
        self.wall
    }

    /// The monotonic time, for deadlines.
    pub(crate) fn mono(&self) -> u64 {
        self.mono
    }

    /// A monotonic deadline expressed on the driver's clock, for arming its timer. A deadline
    /// already past is "now".
    pub(crate) fn to_wall(self, deadline: u64) -> Millis {
        self.wall.saturating_add(deadline.saturating_sub(self.mono))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_steps_advance_both_lines() {
        let mut c = Clock::new(1_000);
        c.advance(1_500);
        assert_eq!((c.wall(), c.mono()), (1_500, 500));
        assert_eq!(c.to_wall(800), 1_800);
        assert_eq!(c.to_wall(100), 1_500, "a past deadline is now");
    }

    #[test]
    fn a_step_back_moves_no_deadline() {
        let mut c = Clock::new(10_000);
        c.advance(11_000);
        c.advance(5_000);
        assert_eq!(c.mono(), 1_000, "no time passed on the monotonic line");
        c.advance(5_300);
        assert_eq!(c.mono(), 1_300, "and it resumes from the new wall value");
        assert_eq!(c.to_wall(2_000), 6_000);
    }
}
