//! Generation: prefill (reusing a cached instruction prefix where the architecture allows), sampling, stopping
//! on end-of-turn tokens, stop strings, a token limit or the caller's word, and UTF-8-safe streaming.

use std::time::{Duration, Instant};

use candle_core::Tensor;
use candle_transformers::generation::{LogitsProcessor, Sampling};
use serde::{Deserialize, Serialize};

use crate::error::{EngineError, Result, candle_message};
use crate::model::{LastPrompt, Model, PrefixCache, Prompt};
use crate::template::ChatMessage;
use crate::tokenizer::Tokenizer;

/// Prompt tokens fed per forward pass during prefill, bounding the attention matrix's memory.
const PREFILL_CHUNK: usize = 512;

/// How to sample and when to stop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenerationParams {
    /// The most tokens to generate.
    pub max_tokens: usize,
    /// Softmax temperature; 0 picks the most likely token every time (greedy).
    pub temperature: f64,
    /// Keep only the `k` most likely tokens before sampling.
    pub top_k: Option<usize>,
    /// Keep the smallest set of tokens whose probability reaches `p` before sampling.
    pub top_p: Option<f64>,
    /// Divides the logits of recently seen tokens by this (1 switches it off).
    pub repeat_penalty: f32,
    /// How many recent tokens the repeat penalty looks at.
    pub repeat_last_n: usize,
    /// Seed for sampling, so a run can be repeated.
    pub seed: u64,
    /// Text that ends the reply when generated; it is not included.
    pub stop: Vec<String>,
}

impl Default for GenerationParams {
    fn default() -> Self {
        Self {
            max_tokens: 512,
            temperature: 0.0,
            top_k: None,
            top_p: None,
            repeat_penalty: 1.1,
            repeat_last_n: 64,
            seed: 299_792_458,
            stop: Vec::new(),
        }
    }
}

impl GenerationParams {
    fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(EngineError::InvalidParams(m.to_owned()));
        if self.max_tokens == 0 {
            return bad("max_tokens must be at least 1");
        }
        if !(0.0..=5.0).contains(&self.temperature) {
            return bad("temperature must be between 0 and 5");
        }
        if self.top_k == Some(0) {
            return bad("top_k must be at least 1");
        }
        if self.top_p.is_some_and(|p| !(p > 0.0 && p <= 1.0)) {
            return bad("top_p must be above 0 and at most 1");
        }
        if !(self.repeat_penalty > 0.0 && self.repeat_penalty <= 5.0) {
            return bad("repeat_penalty must be above 0 and at most 5");
        }
        if self.stop.iter().any(String::is_empty) {
            return bad("a stop string must not be empty");
        }
        Ok(())
    }

    fn sampling(&self) -> Sampling {
        let temperature = self.temperature;
        match (self.top_k, self.top_p) {
            _ if temperature == 0.0 => Sampling::ArgMax,
            (None, None) => Sampling::All { temperature },
            (Some(k), None) => Sampling::TopK { k, temperature },
            (None, Some(p)) => Sampling::TopP { p, temperature },
            (Some(k), Some(p)) => Sampling::TopKThenTopP { k, p, temperature },
        }
    }
}

/// What the caller is told while a request runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// Prompt tokens processed so far, of the total to process.
    Prefill {
        /// Tokens processed.
        done: usize,
        /// Tokens to process in all.
        total: usize,
    },
    /// New text of the reply (whole characters only).
    Text(&'a str),
}

/// The caller's answer to each [`Progress`]: go on, or stop at the next token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep generating.
    Continue,
    /// Stop now and keep what has been generated.
    Stop,
}

/// A caller's veto over the reply, asked before each sampled token is accepted: a per-step mask supplied by the
/// caller, who decides what may be written (the engine knows nothing of why).
pub trait TokenFilter {
    /// Whether `piece` (the text the candidate token adds) may follow `reply` (the text generated so far).
    fn permits(&mut self, reply: &str, piece: &str) -> bool;

    /// Whether the reply may end after `reply` (the model chose its end-of-turn token). By default, always.
    fn permits_end(&mut self, _reply: &str) -> bool {
        true
    }
}

/// How many candidates a filter may refuse at one step before the reply ends there.
const MAX_REFUSALS: usize = 64;

/// The longest prompt whose state is kept for the same prompt again ([`crate::model::LastPrompt`]): a care note's
/// line is a few hundred tokens.
const LAST_PROMPT_MAX: usize = 1024;

/// Why generation ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "text")]
pub enum StopReason {
    /// The model ended its turn.
    End,
    /// The token limit or the context window was reached.
    Length,
    /// A stop string was generated (it is not part of the text).
    StopString(String),
    /// The caller asked to stop; the text is partial.
    Cancelled,
    /// The caller's [`TokenFilter`] refused every likely continuation, so the reply ends there.
    Constrained,
}

/// The outcome of one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// The reply.
    pub text: String,
    /// Why it ended.
    pub stop_reason: StopReason,
    /// Tokens in the prompt.
    pub prompt_tokens: usize,
    /// Prompt tokens whose KV cache was reused from an earlier request.
    pub cached_prompt_tokens: usize,
    /// Tokens generated (including an end-of-turn token).
    pub generated_tokens: usize,
    /// Candidate tokens the caller's [`TokenFilter`] refused.
    pub refused_tokens: usize,
    /// From the start of the request to the first generated token.
    pub time_to_first_token: Duration,
    /// Prompt tokens processed per second (cached tokens excluded).
    pub prefill_tokens_per_second: f64,
    /// Tokens generated per second after the first.
    pub decode_tokens_per_second: f64,
    /// Decode steps run on one thread rather than the worker pool ([`crate::threads`]).
    #[serde(default)]
    pub one_thread_steps: usize,
}

impl Model {
    /// Generates the assistant's reply to `messages`, calling `on_progress` during prefill and for each piece of
    /// text; returning [`Flow::Stop`] from it ends the request with [`StopReason::Cancelled`] and the partial text.
    pub fn generate(
        &mut self,
        messages: &[ChatMessage],
        params: &GenerationParams,
        on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
    ) -> Result<Generation> {
        let prompt = self.prompt(messages)?;
        self.generate_prompt(&prompt, params, None, on_progress)
    }

    /// Like [`Model::generate`], with every sampled token put to `filter` first: a refused token is masked out and
    /// the step samples again from the rest, so the reply never contains a piece the filter refused.
    pub fn generate_filtered(
        &mut self,
        messages: &[ChatMessage],
        params: &GenerationParams,
        filter: &mut dyn TokenFilter,
        on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
    ) -> Result<Generation> {
        let prompt = self.prompt(messages)?;
        self.generate_prompt(&prompt, params, Some(filter), on_progress)
    }

    /// Generates a continuation of an already built prompt, with an optional [`TokenFilter`]. See
    /// [`Model::generate`].
    pub fn generate_prompt(
        &mut self,
        prompt: &Prompt,
        params: &GenerationParams,
        mut filter: Option<&mut dyn TokenFilter>,
        on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
    ) -> Result<Generation> {
        params.validate()?;
        let limit = self.context_length();
        let needed = prompt.tokens.len() + 1;
        if prompt.tokens.is_empty() || needed > limit {
            return Err(EngineError::ContextOverflow { needed, limit });
        }
        let start = Instant::now();
        let fail = |e: candle_core::Error, partial: &str| EngineError::Generation {
            message: candle_message(&e),
            partial: partial.to_owned(),
        };

        let (cached, logits) = match self.prefill(prompt, on_progress) {
            Ok(Some(done)) => done,
            Ok(None) => return Ok(cancelled_before_reply(prompt, start)),
            Err(e) => return Err(fail(e, "")),
        };
        let prefill_time = start.elapsed();

        let mut sampler = LogitsProcessor::from_sampling(params.seed, params.sampling());
        let mut stream = TextStream::new(&self.tokenizer, &params.stop);
        let mut history = prompt.tokens.clone();
        let mut logits = logits;
        let mut time_to_first_token = Duration::ZERO;
        let max_new = params.max_tokens.min(limit - prompt.tokens.len());
        let mut generated = 0;
        let mut refused = 0;
        self.threads.start_reply();
        let mut one_thread_steps = 0;
        let stop_reason = loop {
            let next = match self.sample(&mut sampler, &logits, &history, params, &mut filter, &stream, &mut refused) {
                Ok(Some(next)) => next,
                Ok(None) => break StopReason::Constrained,
                Err(e) => return Err(fail(e, &stream.text)),
            };
            generated += 1;
            if generated == 1 {
                time_to_first_token = start.elapsed();
            }
            if self.tokenizer.is_end_of_turn(next) {
                break StopReason::End;
            }
            history.push(next);
            let (piece, stopped) = stream
                .push(next)
                .map_err(|e| EngineError::Generation { message: e.to_string(), partial: stream.text.clone() })?;
            if !piece.is_empty() && on_progress(Progress::Text(&piece)) == Flow::Stop {
                break StopReason::Cancelled;
            }
            if let Some(reason) = stopped {
                break reason;
            }
            if generated >= max_new {
                break StopReason::Length;
            }
            one_thread_steps += usize::from(self.threads.one_thread());
            let input = Tensor::new(&[next], &self.device).and_then(|t| t.unsqueeze(0));
            let position = history.len() - 1;
            logits = match input.and_then(|t| self.threads.run_step(|| self.forward.forward(&t, position))) {
                Ok(l) => l,
                Err(e) => return Err(fail(e, &stream.text)),
            };
        };
        if stop_reason != StopReason::Cancelled {
            let rest = stream.finish();
            if !rest.is_empty() {
                on_progress(Progress::Text(&rest));
            }
        }
        let decode_time = start.elapsed().saturating_sub(time_to_first_token);
        let prefilled = prompt.tokens.len() - cached;
        Ok(Generation {
            text: stream.text_without_pending(),
            stop_reason,
            prompt_tokens: prompt.tokens.len(),
            cached_prompt_tokens: cached,
            generated_tokens: generated,
            refused_tokens: refused,
            time_to_first_token,
            prefill_tokens_per_second: rate(prefilled, prefill_time),
            decode_tokens_per_second: rate(generated.saturating_sub(1), decode_time),
            one_thread_steps,
        })
    }

    /// Runs the prompt through the model, reusing a cached prefix when possible. Returns the number of reused
    /// tokens and the logits of the last position, or `None` when the caller stopped it.
    pub(crate) fn prefill(
        &mut self,
        prompt: &Prompt,
        on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
    ) -> candle_core::Result<Option<(usize, Tensor)>> {
        let tokens = &prompt.tokens;
        if let Some(last) = self.last_prompt.as_ref().filter(|l| l.tokens == *tokens)
            && let Some(state) = last.state.snapshot()
        {
            self.forward = state;
            return Ok(Some((tokens.len(), last.logits.clone())));
        }
        let reuse =
            self.prefix_cache.as_ref().filter(|c| tokens.len() > c.tokens.len() && tokens.starts_with(&c.tokens));
        let mut pos = match reuse.and_then(|c| c.state.snapshot().map(|s| (c.tokens.len(), s))) {
            Some((len, state)) => {
                self.forward = state;
                len
            }
            None => {
                self.forward.clear();
                0
            }
        };
        let cached = pos;
        // The boundary where the reusable prefix ends, if it should be cached now.
        let mut save_at =
            (cached == 0 && self.caps.extends_cache && prompt.reusable_prefix > 0).then_some(prompt.reusable_prefix);
        let chunk = if self.caps.extends_cache { PREFILL_CHUNK } else { usize::MAX };
        let mut logits = None;
        while pos < tokens.len() {
            let end = save_at.filter(|&s| s > pos).unwrap_or(tokens.len()).min(pos.saturating_add(chunk));
            let input = Tensor::new(&tokens[pos..end], &self.device)?.unsqueeze(0)?;
            logits = Some(self.forward.forward(&input, pos)?);
            pos = end;
            if save_at == Some(pos) {
                save_at = None;
                if let Some(state) = self.forward.snapshot() {
                    self.prefix_cache = Some(PrefixCache { tokens: tokens[..pos].to_vec(), state });
                }
            }
            if on_progress(Progress::Prefill { done: pos, total: tokens.len() }) == Flow::Stop {
                return Ok(None);
            }
        }
        // Kept only for a short prompt: a long one's cache would double its memory while the reply is written.
        self.last_prompt = match (&logits, tokens.len() <= LAST_PROMPT_MAX) {
            (Some(logits), true) => self.forward.snapshot().map(|state| LastPrompt {
                tokens: tokens.clone(),
                state,
                logits: logits.clone(),
            }),
            _ => None,
        };
        Ok(logits.map(|l| (cached, l)))
    }

    /// Samples the next token; with a filter, a refused token is masked out and the step samples again, up to
    /// [`MAX_REFUSALS`] times (then `None`). An end-of-turn token is put to the filter's `permits_end`.
    #[allow(clippy::too_many_arguments)]
    fn sample(
        &self,
        sampler: &mut LogitsProcessor,
        logits: &Tensor,
        history: &[u32],
        params: &GenerationParams,
        filter: &mut Option<&mut dyn TokenFilter>,
        stream: &TextStream<'_>,
        refused: &mut usize,
    ) -> candle_core::Result<Option<u32>> {
        let logits = logits.to_dtype(candle_core::DType::F32)?;
        let logits = if params.repeat_penalty == 1.0 {
            logits
        } else {
            let recent = &history[history.len().saturating_sub(params.repeat_last_n)..];
            candle_transformers::utils::apply_repeat_penalty(&logits, params.repeat_penalty, recent)?
        };
        let Some(filter) = filter.as_deref_mut() else {
            return sampler.sample(&logits).map(Some);
        };
        let mut masked: Option<Vec<f32>> = None;
        // The text so far is decoded once per step; each candidate only adds its own token to it.
        let context = stream.context().map_err(|e| candle_core::Error::Msg(e.to_string()))?;
        for _ in 0..=MAX_REFUSALS {
            let next = match &masked {
                None => sampler.sample(&logits)?,
                Some(values) => sampler.sample(&Tensor::new(values.as_slice(), &self.device)?)?,
            };
            let permitted = if self.tokenizer.is_end_of_turn(next) {
                filter.permits_end(&stream.text)
            } else {
                let piece = context.piece(next).map_err(|e| candle_core::Error::Msg(e.to_string()))?;
                filter.permits(&stream.text, &piece)
            };
            if permitted {
                return Ok(Some(next));
            }
            *refused += 1;
            let values = match &mut masked {
                Some(values) => values,
                None => masked.insert(logits.flatten_all()?.to_vec1::<f32>()?),
            };
            if let Some(v) = values.get_mut(next as usize) {
                *v = f32::NEG_INFINITY;
            }
        }
        Ok(None)
    }
}

fn cancelled_before_reply(prompt: &Prompt, start: Instant) -> Generation {
    Generation {
        text: String::new(),
        stop_reason: StopReason::Cancelled,
        prompt_tokens: prompt.tokens.len(),
        cached_prompt_tokens: 0,
        generated_tokens: 0,
        refused_tokens: 0,
        time_to_first_token: start.elapsed(),
        prefill_tokens_per_second: 0.0,
        decode_tokens_per_second: 0.0,
        one_thread_steps: 0,
    }
}

fn rate(tokens: usize, time: Duration) -> f64 {
    if time.is_zero() { 0.0 } else { tokens as f64 / time.as_secs_f64() }
}

/// Turns generated tokens into text: holds back incomplete UTF-8 sequences and any tail that might be the
/// start of a stop string.
struct TextStream<'a> {
    tokenizer: &'a Tokenizer,
    stop: &'a [String],
    tokens: Vec<u32>,
    /// Tokens before this index are already in `text`.
    decoded_upto: usize,
    /// Decoded text of `tokens[..decoded_upto]` relative to the previous boundary.
    text: String,
    /// Bytes of `text` already handed to the caller.
    emitted: usize,
}

impl<'a> TextStream<'a> {
    fn new(tokenizer: &'a Tokenizer, stop: &'a [String]) -> Self {
        Self { tokenizer, stop, tokens: Vec::new(), decoded_upto: 0, text: String::new(), emitted: 0 }
    }

    /// Adds a token; returns the text that may be shown now, and a stop reason if a stop string was completed.
    fn push(&mut self, token: u32) -> Result<(String, Option<StopReason>)> {
        self.tokens.push(token);
        // After the token before them, so that a SentencePiece word keeps the space it starts with.
        let from = self.decoded_upto.saturating_sub(1);
        let tail =
            self.tokenizer.decode_after(&self.tokens[from..self.decoded_upto], &self.tokens[self.decoded_upto..])?;
        if tail.ends_with('\u{FFFD}') {
            return Ok((String::new(), None));
        }
        self.text.push_str(&tail);
        self.decoded_upto = self.tokens.len();
        let search_from = self.emitted.saturating_sub(self.stop.iter().map(String::len).max().unwrap_or(0));
        let search_from = floor_char_boundary(&self.text, search_from);
        let hit = self
            .stop
            .iter()
            .filter_map(|s| self.text[search_from..].find(s.as_str()).map(|at| (search_from + at, s)))
            .min_by_key(|(at, _)| *at);
        if let Some((at, stop)) = hit {
            let piece = self.text[self.emitted..at.max(self.emitted)].to_owned();
            self.text.truncate(at);
            self.emitted = self.text.len();
            return Ok((piece, Some(StopReason::StopString(stop.clone()))));
        }
        let held = self.held_back();
        let piece = self.text[self.emitted..held].to_owned();
        self.emitted = held;
        Ok((piece, None))
    }

    /// What a candidate token is decoded after: the tokens not yet shown and the one before them, as candle's
    /// `TokenOutputStream` does, so a SentencePiece word keeps the space it starts with.
    fn context(&self) -> Result<Context<'a>> {
        let tokens = self.tokens[self.decoded_upto.saturating_sub(1)..].to_vec();
        let text = self.tokenizer.decode(&tokens)?;
        Ok(Context { tokenizer: self.tokenizer, tokens, text })
    }

    /// The end of the text that cannot be the beginning of a stop string.
    fn held_back(&self) -> usize {
        let text = &self.text[self.emitted..];
        let longest = self
            .stop
            .iter()
            .flat_map(|s| (1..s.len()).filter(|&n| s.is_char_boundary(n)).map(move |n| &s[..n]))
            .filter(|prefix| text.ends_with(prefix))
            .map(str::len)
            .max()
            .unwrap_or(0);
        self.text.len() - longest
    }

    /// The text not yet shown (a held-back tail that turned out not to be a stop string).
    fn finish(&mut self) -> String {
        let rest = self.text[self.emitted..].to_owned();
        self.emitted = self.text.len();
        rest
    }

    /// The reply as shown to the caller.
    fn text_without_pending(&self) -> String {
        self.text[..self.emitted].to_owned()
    }
}

/// The end of a reply as decoded so far, to find the text a candidate token would add (as
/// [`Tokenizer::decode_after`] does, with the end's text decoded once for all candidates).
struct Context<'a> {
    tokenizer: &'a Tokenizer,
    tokens: Vec<u32>,
    text: String,
}

impl Context<'_> {
    /// The text `token` would add (a partial UTF-8 character shows as U+FFFD).
    fn piece(&self, token: u32) -> Result<String> {
        let mut with = self.tokens.clone();
        with.push(token);
        let after = self.tokenizer.decode(&with)?;
        Ok(match after.strip_prefix(self.text.as_str()) {
            Some(piece) => piece.to_owned(),
            None => after,
        })
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
