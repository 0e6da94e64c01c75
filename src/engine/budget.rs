//! Limits shared by the executions of a fleet run: one cap on the requests in flight across all
//! targets, and for each account, region and service a token bucket after AWS's request rate
//! limits, so that a fleet run throttles neither itself nor the teams' own tooling (the SDK's
//! adaptive retries stay behind it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::execute::{Backend, CallError};

/// A token bucket's size and refill rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// The most requests at once after a pause.
    pub burst: f64,
    /// Requests per second, sustained.
    pub per_second: f64,
}

/// The request rate ekscheck allows itself per account, region and service: EC2's documented
/// bucket for describe actions (100, refilled at 20 a second), and conservative figures for
/// services whose limits AWS does not publish as buckets.
pub fn aws_rate(service: &str) -> Rate {
    let (burst, per_second) = match service {
        "ec2" => (100.0, 20.0),
        "autoscaling" | "iam" | "sts" | "kms" => (20.0, 10.0),
        _ => (10.0, 5.0),
    };
    Rate { burst, per_second }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// What the executions of one run share.
pub struct Budget {
    permits: Semaphore,
    /// The rate of each service's bucket (`None`: no bucket, as for a recording).
    rate: Option<fn(&str) -> Rate>,
    buckets: Mutex<HashMap<(String, String, String), Bucket>>,
}

impl Budget {
    /// At most `max_in_flight` requests at once, each bucket following `rate`.
    pub fn new(max_in_flight: usize, rate: fn(&str) -> Rate) -> Arc<Self> {
        Arc::new(Self {
            rate: Some(rate),
            ..Self::unrated(max_in_flight)
        })
    }

    /// At most `max_in_flight` requests at once, at any rate: for a recording, which AWS's
    /// limits do not concern.
    pub fn without_rates(max_in_flight: usize) -> Arc<Self> {
        Arc::new(Self::unrated(max_in_flight))
    }

    fn unrated(max_in_flight: usize) -> Self {
        Self {
            permits: Semaphore::new(max_in_flight.clamp(1, Semaphore::MAX_PERMITS)),
            rate: None,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a token of `(account, region, service)`.
    async fn token(&self, key: (String, String, String)) {
        let Some(rate_of) = self.rate else {
            return;
        };
        loop {
            let wait = {
                let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
                let rate = rate_of(&key.2);
                let bucket = buckets.entry(key.clone()).or_insert(Bucket {
                    tokens: rate.burst,
                    updated: Instant::now(),
                });
                let now = Instant::now();
                let refill = now.duration_since(bucket.updated).as_secs_f64() * rate.per_second;
                bucket.tokens = (bucket.tokens + refill).min(rate.burst);
                bucket.updated = now;
                if bucket.tokens >= 1.0 {
                    bucket.tokens -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - bucket.tokens) / rate.per_second)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

/// A target's backend, held to the run's [`Budget`].
pub struct Budgeted<B> {
    /// The backend answering the target's calls.
    pub inner: B,
    /// The run's shared limits.
    pub budget: Arc<Budget>,
    /// The target's account (its buckets' first key).
    pub account: String,
    /// The target's region.
    pub region: String,
}

impl<B: Backend> Backend for Budgeted<B> {
    async fn call(&self, api: &str, params: &Value) -> Result<Arc<Value>, CallError> {
        let service = api.split(':').next().unwrap_or_default().to_owned();
        self.budget
            .token((self.account.clone(), self.region.clone(), service))
            .await;
        let _permit = self.budget.permits.acquire().await;
        self.inner.call(api, params).await
    }
}

/// A backend for a target that cannot be reached (its role cannot be assumed, its clusters not
/// listed): every call fails with the reason, so its checks are errors and the others run.
pub struct Unreachable(pub CallError);

impl Backend for Unreachable {
    async fn call(&self, _api: &str, _params: &Value) -> Result<Arc<Value>, CallError> {
        Err(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;

    impl Backend for Echo {
        async fn call(&self, _api: &str, _params: &Value) -> Result<Arc<Value>, CallError> {
            Ok(Arc::new(Value::Null))
        }
    }

    /// Counts the calls in flight, and the most at once.
    #[derive(Default)]
    struct Counting {
        now: std::sync::atomic::AtomicUsize,
        most: std::sync::atomic::AtomicUsize,
    }

    impl Backend for Counting {
        async fn call(&self, _api: &str, _params: &Value) -> Result<Arc<Value>, CallError> {
            use std::sync::atomic::Ordering::SeqCst;
            let now = self.now.fetch_add(1, SeqCst) + 1;
            self.most.fetch_max(now, SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.now.fetch_sub(1, SeqCst);
            Ok(Arc::new(Value::Null))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_requests_of_every_target_share_one_cap() {
        let budget = Budget::new(3, |_| Rate {
            burst: 1000.0,
            per_second: 1000.0,
        });
        let counting = Counting::default();
        let targets: Vec<Budgeted<&Counting>> = ["a", "b", "c", "d"]
            .iter()
            .map(|account| Budgeted {
                inner: &counting,
                budget: Arc::clone(&budget),
                account: (*account).to_owned(),
                region: "eu-west-1".to_owned(),
            })
            .collect();
        let calls = targets
            .iter()
            .flat_map(|target| (0..5).map(move |_| target.call("eks:ListClusters", &Value::Null)));
        futures::future::join_all(calls).await;
        assert_eq!(counting.most.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_bucket_holds_requests_to_its_rate_after_the_burst() {
        let budget = Budget::new(100, |_| Rate {
            burst: 5.0,
            per_second: 10.0,
        });
        let backend = |account: &str| Budgeted {
            inner: Echo,
            budget: Arc::clone(&budget),
            account: account.to_owned(),
            region: "eu-west-1".to_owned(),
        };
        let (a, b) = (backend("a"), backend("b"));
        let started = tokio::time::Instant::now();
        for _ in 0..25 {
            a.call("eks:ListClusters", &Value::Null).await.unwrap();
        }
        // 5 at once, then 20 at 10 a second.
        assert_eq!(started.elapsed().as_millis(), 2000);
        // Another account has a bucket of its own.
        let started = tokio::time::Instant::now();
        for _ in 0..5 {
            b.call("eks:ListClusters", &Value::Null).await.unwrap();
        }
        assert_eq!(started.elapsed().as_millis(), 0);
    }
}
