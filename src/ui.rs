//! All terminal output goes through here (and nowhere else).
//!
//! Two styles: on an interactive terminal a spinner per stage that turns into one coloured line
//! when the stage ends; otherwise (stderr not a terminal, `CI` set, `NO_COLOR` set, or
//! `--quiet`) plain lines that start with a UTC timestamp. Progress and messages go to stderr;
//! stdout carries only a command's data (YAML, status tables, JSON, completion scripts).
//! `--quiet` leaves out stage lines and notes: only warnings, errors and data remain.
//! Nothing secret is ever handed to this module.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The output settings of one run; cheap to clone.
#[derive(Clone)]
pub struct Ui {
    settings: Arc<Settings>,
}

struct Settings {
    /// Spinner and colours (an interactive terminal that did not opt out).
    fancy: bool,
    quiet: bool,
    verbose: u8,
    /// The spinner of the running stage, so other lines can be printed above it.
    active: Mutex<Option<ProgressBar>>,
}

impl Ui {
    /// Decides the style from the flags, the environment and whether stderr is a terminal.
    pub fn new(quiet: bool, verbose: u8) -> Ui {
        let env_set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let fancy =
            std::io::stderr().is_terminal() && !env_set("CI") && !env_set("NO_COLOR") && !quiet;
        Ui {
            settings: Arc::new(Settings {
                fancy,
                quiet,
                verbose,
                active: Mutex::new(None),
            }),
        }
    }

    /// Starts the status line of one stage; finish it with [`StageLine::done`] or
    /// [`StageLine::failed`].
    pub fn stage(&self, name: &str) -> StageLine {
        let bar = (self.settings.fancy).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner:.cyan} {prefix:.bold} {msg:.dim}")
                    .expect("static template"),
            );
            bar.set_prefix(name.to_string());
            bar.enable_steady_tick(Duration::from_millis(80));
            *self.settings.active.lock().expect("ui lock") = Some(bar.clone());
            bar
        });
        StageLine {
            ui: self.clone(),
            name: name.to_string(),
            started: Instant::now(),
            bar,
            finished: false,
        }
    }

    /// A note for the user (left out with --quiet).
    pub fn info(&self, message: &str) {
        if !self.settings.quiet {
            self.line("", message);
        }
    }

    /// Detail shown only with -v.
    pub fn detail(&self, message: &str) {
        if self.settings.verbose > 0 {
            self.line("", message);
        }
    }

    /// Something the user should act on; always shown.
    pub fn warn(&self, message: &str) {
        let tag = if self.settings.fancy {
            "\x1b[33mwarning:\x1b[0m "
        } else {
            "warning: "
        };
        self.line(tag, message);
    }

    /// The final error of a command; always shown.
    pub fn error(&self, error: &anyhow::Error) {
        let tag = if self.settings.fancy {
            "\x1b[31;1merror:\x1b[0m "
        } else {
            "error: "
        };
        self.line(tag, &format!("{error:#}"));
    }

    /// A command's data on stdout (YAML, tables, JSON, scripts).
    pub fn output(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush());
    }

    /// Whether we may ask the user a question (stdin and stderr are terminals).
    pub fn can_prompt(&self) -> bool {
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// Asks a yes/no question on the terminal; only "y" or "yes" mean yes.
    pub fn confirm(&self, question: &str) -> anyhow::Result<bool> {
        eprint!("{question} [y/N] ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        Ok(matches!(
            answer.trim().to_ascii_lowercase().as_str(),
            "y" | "yes"
        ))
    }

    /// Prints one line on stderr: above the spinner when one runs, else with a timestamp
    /// in plain style.
    fn line(&self, tag: &str, message: &str) {
        let text = if self.settings.fancy {
            format!("{tag}{message}")
        } else {
            format!("{} {tag}{message}", timestamp())
        };
        match &*self.settings.active.lock().expect("ui lock") {
            Some(bar) => bar.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }
}

/// The one status line of a running stage.
pub struct StageLine {
    ui: Ui,
    name: String,
    started: Instant,
    bar: Option<ProgressBar>,
    finished: bool,
}

impl StageLine {
    /// Shows what the stage is doing right now (spinner text; a detail line with -v).
    pub fn progress(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(message.to_string()),
            None => self.ui.detail(&format!("{}: {message}", self.name)),
        }
    }

    /// Time since the stage started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Ends the stage successfully with a short outcome ("created 3", "exists", ...).
    pub fn done(mut self, outcome: &str) {
        self.finish(true, outcome);
    }

    /// Ends the stage as failed (the error itself is printed by the caller).
    pub fn failed(mut self) {
        self.finish(false, "failed");
    }

    fn finish(&mut self, ok: bool, outcome: &str) {
        self.finished = true;
        let elapsed = format_elapsed(self.started.elapsed());
        let settings = &self.ui.settings;
        if let Some(bar) = self.bar.take() {
            let (mark, colour) = if ok { ("✓", "32") } else { ("✗", "31") };
            let line = format!(
                "\x1b[{colour}m{mark}\x1b[0m \x1b[1m{:<22}\x1b[0m {outcome} \x1b[2m({elapsed})\x1b[0m",
                self.name
            );
            bar.finish_and_clear();
            *settings.active.lock().expect("ui lock") = None;
            eprintln!("{line}");
        } else if !settings.quiet || !ok {
            let mark = if ok { "ok  " } else { "FAIL" };
            eprintln!(
                "{} {mark} {:<22} {outcome} ({elapsed})",
                timestamp(),
                self.name
            );
        }
    }
}

impl Drop for StageLine {
    /// A stage abandoned by an early return or a panic still ends its line.
    fn drop(&mut self) {
        if !self.finished {
            self.finish(false, "failed");
        }
    }
}

/// `0.42s`, `12.3s`, `2m05s`.
pub fn format_elapsed(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if seconds < 10.0 {
        format!("{seconds:.2}s")
    } else if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        let whole = elapsed.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

/// `1h`, `5m`, `3d`: a coarse age like kubectl's.
pub fn format_age(age: Duration) -> String {
    let seconds = age.as_secs();
    match seconds {
        0..120 => format!("{seconds}s"),
        120..7200 => format!("{}m", seconds / 60),
        7200..172_800 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86_400),
    }
}

/// UTC wall-clock time of day, `HH:MM:SS.mmmZ`.
fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}
