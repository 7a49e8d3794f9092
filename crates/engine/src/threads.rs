//! How decode steps use the processor's cores. On an idle laptop the engine's kernels run on candle's worker pool,
//! one thread per core. Beside a busy program (a browser, a video call) the operating system sets a worker aside
//! for a few milliseconds at a time, and every operation of the step waits for it at the pool's barrier: decode
//! fell to half the speed of one thread. So, by default, the decode loop measures its steps on the pool and on one
//! thread, keeps to the faster, and tries the other again every so often ([`ThreadChooser`]).

use serde::{Deserialize, Serialize};

/// Where decode steps run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecodeThreads {
    /// Chosen step by step from the measured time of each (the default).
    Adaptive,
    /// Always on the worker pool.
    Pool,
    /// Always on the calling thread alone.
    One,
}

impl DecodeThreads {
    /// The environment variable that sets it, for benchmarks: `adaptive`, `pool` or `one`.
    pub const VARIABLE: &'static str = "TEND_DECODE_THREADS";

    /// The setting in force: [`DecodeThreads::VARIABLE`] if it names one, else adaptive. Read once.
    pub fn current() -> Self {
        static CURRENT: std::sync::OnceLock<DecodeThreads> = std::sync::OnceLock::new();
        *CURRENT.get_or_init(|| match std::env::var(Self::VARIABLE).as_deref() {
            Ok("pool") => Self::Pool,
            Ok("one") => Self::One,
            _ => Self::Adaptive,
        })
    }
}

/// Steps at the start of a reply that are run on the pool and not measured: caches warm up.
const WARM_UP: usize = 2;
/// Steps measured on each before the first choice.
const TRIAL: usize = 4;
/// After the first choice, the other is tried for [`PROBE`] steps once in this many.
const PROBE_EVERY: usize = 32;
/// Steps of each such try.
const PROBE: usize = 2;
/// How much each new step's time counts in a running mean.
const WEIGHT: f64 = 0.3;
/// The other way must be this much faster to be chosen (a tenth): no flapping on noise.
const MARGIN: f64 = 0.9;

/// Chooses, step by step, whether the next decode step runs on one thread, from the times of the steps before.
#[derive(Debug, Clone)]
pub struct ThreadChooser {
    policy: DecodeThreads,
    /// Whether there is a pool to choose at all.
    pooled: bool,
    step: usize,
    /// Running mean seconds per step on the pool, and on one thread.
    pool: Option<f64>,
    one: Option<f64>,
    /// The way the last choice settled on (one thread or not).
    settled_one: bool,
    /// What the current step runs on.
    current_one: bool,
}

impl ThreadChooser {
    /// A chooser under `policy`, for a pool of `workers` threads besides the caller's (with none there is nothing
    /// to choose: every step runs on one thread).
    pub fn new(policy: DecodeThreads, workers: usize) -> Self {
        let mut chooser = Self {
            policy,
            pooled: workers > 0,
            step: 0,
            pool: None,
            one: None,
            settled_one: false,
            current_one: false,
        };
        chooser.current_one = chooser.choose();
        chooser
    }

    /// Whether the step about to run should run on one thread.
    pub fn one_thread(&self) -> bool {
        self.current_one
    }

    /// Records how long the step just run took, and chooses for the next.
    pub fn record(&mut self, seconds: f64) {
        if self.step >= WARM_UP {
            let mean = if self.current_one { &mut self.one } else { &mut self.pool };
            *mean = Some(mean.map_or(seconds, |m| m + WEIGHT * (seconds - m)));
        }
        self.step += 1;
        self.current_one = self.choose();
    }

    fn choose(&mut self) -> bool {
        match self.policy {
            _ if !self.pooled => return true,
            DecodeThreads::Pool => return false,
            DecodeThreads::One => return true,
            DecodeThreads::Adaptive => {}
        }
        let k = self.step;
        if k < WARM_UP + TRIAL {
            return false;
        }
        if k < WARM_UP + 2 * TRIAL {
            return true;
        }
        // Settle on the faster; the other must beat the settled way by the margin to take over.
        if let (Some(pool), Some(one)) = (self.pool, self.one) {
            self.settled_one = if self.settled_one { pool >= one * MARGIN } else { one < pool * MARGIN };
        }
        let since = k - (WARM_UP + 2 * TRIAL);
        let probing = since % PROBE_EVERY >= PROBE_EVERY - PROBE;
        self.settled_one != probing
    }
}
