//! Chat prompts rendered from the model's own `tokenizer.chat_template` with minijinja, as Hugging Face's
//! `apply_chat_template` does (trim_blocks, lstrip_blocks, Python string methods, `raise_exception`).
//! No prompt format is written in code.

use minijinja::{Environment, ErrorKind, Value, context};
use serde::{Deserialize, Serialize};

use crate::error::{EngineError, Result};

/// Who is speaking in a chat turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions for the model.
    System,
    /// The person's turn.
    User,
    /// The model's turn.
    Assistant,
}

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who speaks.
    pub role: Role,
    /// What is said.
    pub content: String,
}

impl ChatMessage {
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self { role: Role::System, content: content.into() }
    }
    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self { role: Role::User, content: content.into() }
    }
    /// An assistant message.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self { role: Role::Assistant, content: content.into() }
    }
}

/// The most template instructions one render may execute: generous for real templates, a stop for loops that
/// never end.
const TEMPLATE_FUEL: u64 = 2_000_000;
/// The longest prompt text a template may produce, in bytes.
const MAX_RENDERED_BYTES: usize = 8 << 20;

/// A compiled chat template plus the special-token strings it refers to.
#[derive(Debug)]
pub struct ChatTemplate {
    env: Environment<'static>,
    bos_token: String,
    eos_token: String,
    /// Today's date as templates print it ("22 Nov 2026"), for templates that mention the date.
    date_string: String,
}

impl ChatTemplate {
    /// Compiles `source`; `bos_token` and `eos_token` are the strings the template may print.
    pub fn new(source: &str, bos_token: &str, eos_token: &str) -> Result<Self> {
        if repeats(source) {
            return Err(EngineError::Template(
                "it repeats text or lists with `*`, which no chat format needs and which can make it run for minutes"
                    .to_owned(),
            ));
        }
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_fuel(Some(TEMPLATE_FUEL));
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", |message: String| -> std::result::Result<Value, minijinja::Error> {
            Err(minijinja::Error::new(ErrorKind::InvalidOperation, message))
        });
        let date_string = today();
        let date = date_string.clone();
        env.add_function("strftime_now", move |_format: String| date.clone());
        env.add_template_owned("chat", source.to_owned()).map_err(|e| EngineError::Template(describe(&e)))?;
        Ok(Self { env, bos_token: bos_token.to_owned(), eos_token: eos_token.to_owned(), date_string })
    }

    /// Uses a fixed date instead of today's, so renders are reproducible (tests, snapshots).
    pub fn with_date(mut self, date_string: &str) -> Self {
        self.date_string = date_string.to_owned();
        let date = date_string.to_owned();
        self.env.add_function("strftime_now", move |_format: String| date.clone());
        self
    }

    /// Renders `messages`; with `add_generation_prompt` the text ends where the assistant's reply begins.
    pub fn render(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> Result<String> {
        let template = self.env.get_template("chat").map_err(|e| EngineError::Template(describe(&e)))?;
        let rendered = template
            .render(context! {
                messages => messages,
                add_generation_prompt => add_generation_prompt,
                bos_token => self.bos_token,
                eos_token => self.eos_token,
                date_string => self.date_string,
            })
            .map_err(|e| EngineError::Template(describe(&e)))?;
        if rendered.len() > MAX_RENDERED_BYTES {
            return Err(EngineError::Template(format!(
                "it produced {} bytes, more than any prompt needs",
                rendered.len()
            )));
        }
        Ok(rendered)
    }
}

/// Whether an expression or statement of `source` uses the `*` operator (`**`, the power, aside). minijinja
/// bounds loops with fuel and repeated strings by size, but not a repeated list: one printed two hundred million
/// times is one instruction that took 11 s here; no chat template multiplies.
fn repeats(source: &str) -> bool {
    let bytes = source.as_bytes();
    // Inside a block: its closing delimiter; inside a string literal in it: the quote.
    let mut close: Option<&[u8; 2]> = None;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        match (close, quote) {
            (None, _) => {
                if let [b'{', c @ (b'{' | b'%' | b'#'), ..] = rest {
                    close = Some(match c {
                        b'{' => b"}}",
                        b'%' => b"%}",
                        _ => b"#}",
                    });
                    i += 1;
                }
            }
            (Some(_), Some(q)) => match rest[0] {
                b'\\' => i += 1,
                c if c == q => quote = None,
                _ => {}
            },
            (Some(end), None) if rest.starts_with(end) => {
                close = None;
                i += 1;
            }
            (Some(b"#}"), None) => {}
            (Some(_), None) => match rest {
                [b'\'' | b'"', ..] => quote = Some(rest[0]),
                [b'*', b'*', ..] => i += 1,
                [b'*', ..] => return true,
                _ => {}
            },
        }
        i += 1;
    }
    false
}

fn describe(e: &minijinja::Error) -> String {
    match e.kind() {
        ErrorKind::OutOfFuel => "it runs too long (a loop that does not end?)".to_owned(),
        _ => e.to_string(),
    }
}

/// Today's UTC date as `%d %b %Y`.
fn today() -> String {
    let (year, month, day) = utc_date();
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{day:02} {} {year}", MONTHS[(month - 1) as usize])
}

/// Today's UTC date as (year, month 1-12, day), without a calendar dependency (Howard Hinnant's civil-from-days).
pub fn utc_date() -> (i64, u32, u32) {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
