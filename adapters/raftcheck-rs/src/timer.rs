// The election timer that replaces the library's own, in both Rust adapters. raft-rs draws its
// randomized election timeout from rand::thread_rng() and openraft from an OS-seeded RNG too,
// which would make runs unrepeatable; each adapter puts the library's timeout out of reach and
// campaigns when this timer fires instead. Its timeouts come from the seed the harness hands over,
// so a seed replays bit for bit.

/// SplitMix64: a small, well-mixed generator; all it must be is a pure function of its seed.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Counts ticks while the node is not leader; fires once a timeout drawn uniformly in
/// [electionTicksMin, electionTicksMax] has elapsed. Reset when the node hears from the leader of
/// its term or grants a vote (where raft-rs resets election_elapsed), and when it fires.
pub struct ElectionTimer {
    random: SplitMix64,
    ticks_min: u64,
    ticks_max: u64,
    elapsed_ticks: u64,
    timeout_ticks: u64,
}

impl ElectionTimer {
    /// A timer for node `id` drawing timeouts in [`election_ticks_min`, `election_ticks_max`]
    /// (the scenario's `electionTicksMin` and `electionTicksMax`).
    pub fn new(seed: i64, id: u64, election_ticks_min: u64, election_ticks_max: u64) -> Self {
        // The node id goes into the seed: nodes handed the same seed (a shrunk choice sequence
        // hands every node 0) must still draw different timeouts, or every election splits.
        let state = u64::from(seed as u32) ^ id.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let ticks_min = election_ticks_min.max(1);
        let ticks_max = election_ticks_max.max(ticks_min);
        let mut timer = ElectionTimer {
            random: SplitMix64 { state },
            ticks_min,
            ticks_max,
            elapsed_ticks: 0,
            timeout_ticks: 0,
        };
        timer.reset();
        timer
    }

    /// Restarts the count with a new timeout.
    pub fn reset(&mut self) {
        self.elapsed_ticks = 0;
        self.timeout_ticks =
            self.ticks_min + self.random.next() % (self.ticks_max - self.ticks_min + 1);
    }

    /// Counts one tick; true when the timeout fired (the timer is then reset).
    pub fn tick(&mut self) -> bool {
        self.elapsed_ticks += 1;
        if self.elapsed_ticks < self.timeout_ticks {
            return false;
        }
        self.reset();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firing_ticks(timer: &mut ElectionTimer, ticks: u64) -> Vec<u64> {
        (1..=ticks).filter(|_| timer.tick()).collect::<Vec<_>>()
    }

    #[test]
    fn fires_at_the_same_ticks_for_the_same_seed_and_node() {
        let a = firing_ticks(&mut ElectionTimer::new(42, 1, 10, 20), 500);
        let b = firing_ticks(&mut ElectionTimer::new(42, 1, 10, 20), 500);
        assert_eq!(a, b);
        assert!(a.len() >= 500 / 21);
    }

    #[test]
    fn nodes_handed_the_same_seed_draw_different_timeouts() {
        let one = firing_ticks(&mut ElectionTimer::new(0, 1, 10, 1000), 5000);
        let two = firing_ticks(&mut ElectionTimer::new(0, 2, 10, 1000), 5000);
        assert_ne!(one, two);
    }

    #[test]
    fn every_timeout_lies_within_the_scenario_range() {
        let mut timer = ElectionTimer::new(7, 3, 15, 30);
        let mut previous = 0;
        for tick in 1..=10_000 {
            if timer.tick() {
                assert!(
                    (15..=30).contains(&(tick - previous)),
                    "timeout {}",
                    tick - previous
                );
                previous = tick;
            }
        }
    }
}
