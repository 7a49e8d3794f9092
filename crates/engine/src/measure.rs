//! A fixed workload for benchmarks, measured the way llama.cpp's `llama-bench` does, so the two can be compared:
//! a prompt of given tokens prefilled from an empty cache, and a run of single-token decode steps that feed back
//! the most likely token whatever it is (an end-of-turn token does not stop it). Decode steps run on one thread or
//! the pool as generation's do (`TEND_DECODE_THREADS`).

use std::time::{Duration, Instant};

use candle_core::Tensor;

use crate::error::{EngineError, Result, candle_message};
use crate::generate::Flow;
use crate::model::{Model, Prompt};

/// Timings of one [`Model::measure`] run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Prompt tokens prefilled.
    pub prompt_tokens: usize,
    /// Time to prefill them.
    pub prefill: Duration,
    /// Decode steps run after the prompt.
    pub decode_tokens: usize,
    /// Time for those steps.
    pub decode: Duration,
}

impl Measurement {
    /// Prompt tokens per second.
    pub fn prefill_tokens_per_second(&self) -> f64 {
        self.prompt_tokens as f64 / self.prefill.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// Decode steps per second.
    pub fn decode_tokens_per_second(&self) -> f64 {
        self.decode_tokens as f64 / self.decode.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

impl Model {
    /// Prefills `prompt` from an empty cache (the same prefill as generation), then runs `decode_tokens` greedy
    /// decode steps, and returns the timings. The prompt cache kept for drafting is left as it was.
    pub fn measure(&mut self, prompt: &[u32], decode_tokens: usize) -> Result<Measurement> {
        let mut greedy = |_: usize, logits: &Tensor| logits.argmax(0)?.to_scalar::<u32>();
        let (prefill, decode) = self.run(prompt, decode_tokens, &mut greedy)?;
        Ok(Measurement { prompt_tokens: prompt.len(), prefill, decode_tokens, decode })
    }

    /// The logits after `prompt` and after each token of `continuation` fed in turn, from an empty cache (the
    /// prompt cache kept for drafting is left as it was): for comparing the engine with a reference decoder
    /// along the reference's own tokens.
    pub fn forced_logits(&mut self, prompt: &[u32], continuation: &[u32]) -> Result<Vec<Vec<f32>>> {
        let mut all = Vec::with_capacity(continuation.len() + 1);
        self.run(prompt, continuation.len(), &mut |step, logits| {
            all.push(logits.to_vec1::<f32>()?);
            Ok(continuation.get(step).copied().unwrap_or_default())
        })?;
        Ok(all)
    }

    /// Prefills `prompt` and runs `steps` decode steps, each feeding the token `next` picks from the step's
    /// logits (`next` also sees the logits after the last step, and its pick is then unused); returns the prefill
    /// and decode times.
    fn run(
        &mut self,
        prompt: &[u32],
        steps: usize,
        next: &mut dyn FnMut(usize, &Tensor) -> candle_core::Result<u32>,
    ) -> Result<(Duration, Duration)> {
        let needed = prompt.len() + steps;
        let limit = self.context_length();
        if prompt.is_empty() || needed > limit {
            return Err(EngineError::ContextOverflow { needed, limit });
        }
        let fail =
            |e: candle_core::Error| EngineError::Generation { message: candle_message(&e), partial: String::new() };
        // The same prefill as drafting, from an empty cache: the drafting prefix cache is set aside meanwhile.
        let saved = (self.prefix_cache.take(), self.last_prompt.take());
        let request = Prompt { tokens: prompt.to_vec(), reusable_prefix: 0 };
        let start = Instant::now();
        let prefilled = self.prefill(&request, &mut |_| Flow::Continue);
        let prefill = start.elapsed();
        (self.prefix_cache, self.last_prompt) = saved;
        let (_, mut logits) = prefilled.map_err(fail)?.expect("a prefill that is never stopped gives logits");
        self.threads.start_reply();
        let start = Instant::now();
        for step in 0..steps {
            let token = next(step, &logits).map_err(fail)?;
            let input = Tensor::new(&[token], &self.device).and_then(|t| t.unsqueeze(0)).map_err(fail)?;
            logits = self.threads.run_step(|| self.forward.forward(&input, prompt.len() + step)).map_err(fail)?;
        }
        let decode = start.elapsed();
        next(steps, &logits).map_err(fail)?;
        self.forward.clear();
        Ok((prefill, decode))
    }
}
