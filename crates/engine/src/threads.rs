//! How decode steps use the processor's cores. On an idle laptop the engine's kernels run on candle's worker pool,
//! one thread per core. Beside a busy program (a browser, a video call) the operating system sets a worker aside
//! for a few milliseconds at a time, and every operation of the step waits for it at the pool's barrier: decode
//! fell to half the speed of one thread. So, by default, the decode loop measures its steps on one thread and on the
//! pool, keeps to the faster, and tries the other again every so often ([`ThreadChooser`]). It starts on one thread:
//! a pool step beside a busy program costs several of one thread's, a one-thread step on an idle laptop less than
//! two of the pool's, so finding out costs least that way round.

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

/// The environment variable that sizes candle's worker pool, and that its f32 matrix products read again at every
/// call.
pub const POOL_VARIABLE: &str = "RAYON_NUM_THREADS";

/// The threads candle's worker pool uses: [`POOL_VARIABLE`] if it is set, else candle's own choice (the faster cores
/// of a processor with two kinds, else the physical cores). Without the variable candle works its choice out again
/// at every f32 matrix product, on Linux by reading `/proc/cpuinfo` (about 50 microseconds with 2 cores, more with
/// more) unless the processor has two kinds of core, and attention multiplies twice a layer for every token: a
/// program should set the variable at start-up, before it starts any thread, to this or to a count of its own.
pub fn pool_threads() -> usize {
    candle_core::utils::get_num_threads()
}

/// Steps at the start of each reply that run as settled and are not measured: caches warm up.
const WARM_UP: usize = 1;
/// Steps of each try of the other way.
const PROBE: usize = 2;
/// Once settled either way, the other is tried again after this many steps (a busy program may have started or
/// ended); each try that loses doubles the wait, up to [`RETRY_MAX`] steps.
const RETRY_EVERY: usize = 48;
/// The longest wait between tries of the pool while one thread stays faster (about half a minute of decode).
const RETRY_MAX: usize = 384;
/// Once settled on the pool, one thread is also tried as soon as steps have grown this much slower than the
/// fastest seen (a sign that the pool waits for a worker set aside), and no sooner than [`RETRY_EVERY`].
const CONGESTION: f64 = 1.3;
/// How much the fastest pool step may grow per step (a tenth over 48).
const BEST_DRIFT: f64 = 1.002;
/// How much each new step's time counts in a running mean.
const WEIGHT: f64 = 0.5;
/// Pool steps in a row above [`CONGESTION`] before one thread is tried: one slow step is noise.
const CONGESTED_STEPS: usize = 2;
/// One thread must be this much faster than the pool to be chosen over it (a tenth): no flapping on noise.
const MARGIN: f64 = 0.9;

/// Chooses, step by step, whether the next decode step runs on one thread, from the times of the steps before.
/// It lives as long as the model, so what it learnt carries over from one request to the next (a care note makes
/// one request per line): it starts on one thread, tries the pool after a few measured steps and keeps it if it is
/// faster (on an idle machine), and then tries the other way now and then, less often each time it loses, and
/// soon when the pool's steps slow down.
#[derive(Debug, Clone)]
pub struct ThreadChooser {
    policy: DecodeThreads,
    /// Whether there is a pool to choose at all.
    pooled: bool,
    /// Steps since the start of the current reply.
    step: usize,
    /// Steps since the last try of the other way.
    since_probe: usize,
    /// Steps to wait, settled either way, before the other is tried again.
    retry: usize,
    /// Steps left in the current try of the other way.
    probing: usize,
    /// Running mean seconds per step on the pool, and on one thread; the fastest pool step seen.
    pool: Option<f64>,
    one: Option<f64>,
    pool_best: Option<f64>,
    /// Pool steps in a row whose running mean was above [`CONGESTION`] times the fastest.
    congested: usize,
    /// The way it settled on (one thread or not).
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
            since_probe: 0,
            retry: RETRY_EVERY,
            probing: 0,
            pool: None,
            one: None,
            pool_best: None,
            congested: 0,
            settled_one: true,
            current_one: true,
        };
        chooser.current_one = chooser.choose();
        chooser
    }

    /// Starts a new reply: its first steps warm up and are not measured.
    pub fn start_reply(&mut self) {
        self.step = 0;
        self.probing = 0;
        self.current_one = self.choose();
    }

    /// Runs one decode step, `step`, on one thread or on the pool as chosen, and records its time for the next
    /// choice. Generation and measurement both decode through it.
    pub(crate) fn run_step<T>(&mut self, step: impl FnOnce() -> T) -> T {
        crate::kernels::set_one_thread(self.one_thread());
        let start = std::time::Instant::now();
        let out = step();
        self.record(start.elapsed().as_secs_f64());
        crate::kernels::set_one_thread(false);
        out
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
            if !self.current_one {
                // The fastest pool step, drifting up slowly as a reply's context grows and each step does more.
                self.pool_best = Some(self.pool_best.map_or(seconds, |b| seconds.min(b * BEST_DRIFT)));
                let slow = matches!((self.pool, self.pool_best), (Some(p), Some(b)) if p > b * CONGESTION);
                self.congested = if slow { self.congested + 1 } else { 0 };
            }
            if self.probing > 0 {
                self.probing -= 1;
                // A try ends at its first step if that step could not win: beside a busy program each pool step
                // costs several of one thread's, and on an idle machine each step alone costs nearly two.
                let lost = if self.settled_one {
                    !self.current_one && self.one.is_some_and(|one| seconds >= one)
                } else {
                    self.current_one && self.pool.is_some_and(|pool| seconds >= pool * MARGIN)
                };
                if self.probing == 0 || lost {
                    self.probing = 0;
                    self.settle();
                }
            }
        }
        self.step += 1;
        self.since_probe += 1;
        self.current_one = self.choose();
    }

    /// Settles on the faster way after a try: one thread must beat the pool by [`MARGIN`], the pool one thread by
    /// any lead, so the two cannot flap. A try that loses doubles the wait before the next.
    fn settle(&mut self) {
        let was_one = self.settled_one;
        if let (Some(pool), Some(one)) = (self.pool, self.one) {
            self.settled_one = if self.settled_one { pool >= one } else { one < pool * MARGIN };
        }
        self.retry = if was_one == self.settled_one { (self.retry * 2).min(RETRY_MAX) } else { RETRY_EVERY };
        self.since_probe = 0;
    }

    fn choose(&mut self) -> bool {
        match self.policy {
            _ if !self.pooled => return true,
            DecodeThreads::Pool => return false,
            DecodeThreads::One => return true,
            DecodeThreads::Adaptive => {}
        }
        if self.step < WARM_UP {
            return self.settled_one;
        }
        if self.probing == 0 {
            let congested = self.congested >= CONGESTED_STEPS;
            let start = if self.settled_one {
                // The pool is tried first after one thread's first measured steps (counted over short replies).
                (self.pool.is_none() && self.one.is_some() && self.since_probe >= WARM_UP + PROBE)
                    || self.since_probe >= self.retry
            } else {
                // One thread is tried again now and then (a lucky try may have chosen the pool beside a busy
                // program), and soon when the pool's steps slow.
                (congested && self.since_probe >= RETRY_EVERY) || self.since_probe >= self.retry
            };
            if start {
                self.probing = PROBE;
            }
        }
        if self.probing > 0 { !self.settled_one } else { self.settled_one }
    }
}
