//! The one retry loop: [`retry`] runs an operation until it succeeds, fails with an error the
//! caller does not call retryable, or a deadline passes, sleeping a [`Backoff`] in between.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// How long to sleep between attempts: `first`, then doubling up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The same pause every time.
    pub const fn fixed(delay: Duration) -> Backoff {
        Backoff {
            first: delay,
            max: delay,
        }
    }

    /// `first`, doubling after each attempt, never more than `max`.
    pub const fn exponential(first: Duration, max: Duration) -> Backoff {
        Backoff { first, max }
    }
}

/// Calls `operation` until it returns `Ok`, or an error for which `retryable` is false, or an
/// error after `deadline`; returns that result. Between attempts it sleeps the backoff, cut
/// short at the deadline, so the last attempt starts at the deadline at the latest. The first
/// attempt is made even when the deadline has already passed. An operation that must not run
/// past the deadline bounds itself (e.g. `tokio::time::timeout_at(deadline, ...)`).
pub async fn retry<T, E, Op, Fut>(
    deadline: Instant,
    backoff: Backoff,
    retryable: impl Fn(&E) -> bool,
    mut operation: Op,
) -> Result<T, E>
where
    Op: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut delay = backoff.first;
    loop {
        let error = match operation().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let now = Instant::now();
        if !retryable(&error) || now >= deadline {
            return Err(error);
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
        delay = delay.saturating_mul(2).min(backoff.max.max(backoff.first));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    const MS: Duration = Duration::from_millis(1);

    #[derive(Debug, PartialEq)]
    enum Error {
        Transient(u32),
        Final(u32),
    }

    fn transient(error: &Error) -> bool {
        matches!(error, Error::Transient(_))
    }

    #[tokio::test]
    async fn returns_the_first_success() {
        let calls = Cell::new(0);
        let result = retry(
            Instant::now() + Duration::from_secs(5),
            Backoff::fixed(MS),
            transient,
            || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move {
                    if n < 3 {
                        Err(Error::Transient(n))
                    } else {
                        Ok(n)
                    }
                }
            },
        )
        .await;
        assert_eq!(result, Ok(3));
        assert_eq!(calls.get(), 3);
    }

    #[tokio::test]
    async fn an_error_the_predicate_refuses_ends_at_once() {
        let calls = Cell::new(0);
        let result: Result<(), Error> = retry(
            Instant::now() + Duration::from_secs(5),
            Backoff::fixed(MS),
            transient,
            || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move {
                    if n < 2 {
                        Err(Error::Transient(n))
                    } else {
                        Err(Error::Final(n))
                    }
                }
            },
        )
        .await;
        assert_eq!(result, Err(Error::Final(2)));
        assert_eq!(calls.get(), 2);
    }

    #[tokio::test]
    async fn gives_up_at_the_deadline_with_the_last_error() {
        let started = Instant::now();
        let calls = Cell::new(0);
        let result: Result<(), Error> = retry(
            started + 60 * MS,
            Backoff::fixed(10 * MS),
            transient,
            || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move { Err(Error::Transient(n)) }
            },
        )
        .await;
        let elapsed = started.elapsed();
        assert_eq!(result, Err(Error::Transient(calls.get())));
        assert!(elapsed >= 60 * MS, "stopped early: {elapsed:?}");
        assert!(elapsed < 2000 * MS, "overslept: {elapsed:?}");
        assert!((2..=7).contains(&calls.get()), "{} attempts", calls.get());
    }

    #[tokio::test]
    async fn a_passed_deadline_still_gets_one_attempt() {
        let calls = Cell::new(0);
        let result: Result<(), Error> = retry(
            Instant::now() - Duration::from_secs(1),
            Backoff::fixed(Duration::from_secs(3600)),
            transient,
            || {
                calls.set(calls.get() + 1);
                async { Err(Error::Transient(0)) }
            },
        )
        .await;
        assert_eq!(result, Err(Error::Transient(0)));
        assert_eq!(calls.get(), 1);
    }

    #[tokio::test]
    async fn backoff_doubles_up_to_its_maximum() {
        let stamps = std::cell::RefCell::new(Vec::new());
        let _: Result<(), Error> = retry(
            Instant::now() + Duration::from_secs(5),
            Backoff::exponential(10 * MS, 40 * MS),
            transient,
            || {
                stamps.borrow_mut().push(Instant::now());
                let n = stamps.borrow().len() as u32;
                async move {
                    if n < 6 {
                        Err(Error::Transient(n))
                    } else {
                        Err(Error::Final(n))
                    }
                }
            },
        )
        .await;
        let stamps = stamps.into_inner();
        let gaps: Vec<Duration> = stamps.windows(2).map(|w| w[1] - w[0]).collect();
        let expected = [10, 20, 40, 40, 40];
        assert_eq!(gaps.len(), expected.len());
        for (gap, want) in gaps.iter().zip(expected) {
            // Sleeps never end early; scheduling on a busy machine may make them longer.
            assert!(*gap >= want * MS, "gaps {gaps:?}");
            assert!(*gap < (want + 500) * MS, "gaps {gaps:?}");
        }
    }
}
